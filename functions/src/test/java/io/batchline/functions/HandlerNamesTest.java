package io.batchline.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.StageNames;
import jakarta.inject.Named;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The functions this artifact can run are exactly the stages of {@link StageNames}: every handler class compiled
 * into this package is {@code @Named} after a listed stage, no two share a name, and every listed stage has one.
 */
class HandlerNamesTest {

    @Test
    void theNamedHandlersAreExactlyTheListedStages() throws Exception {
        Map<String, String> handlerOfStage = new HashMap<>();
        List<String> unnamed = new ArrayList<>();
        for (Class<?> c : compiledClassesOfThisPackage()) {
            if (c.isInterface() || Modifier.isAbstract(c.getModifiers())) continue;
            Named named = c.getAnnotation(Named.class);
            if (named == null) {
                if (RequestHandler.class.isAssignableFrom(c)) unnamed.add(c.getName());
                continue;
            }
            String previous = handlerOfStage.put(named.value(), c.getSimpleName());
            assertThat(previous).as("two handlers named " + named.value()).isNull();
        }
        assertThat(unnamed).as("handlers without @Named").isEmpty();
        assertThat(handlerOfStage.keySet()).containsExactlyInAnyOrderElementsOf(StageNames.ALL);
    }

    /** The top-level classes of io.batchline.functions as compiled (target/classes), not a list kept by hand. */
    private static List<Class<?>> compiledClassesOfThisPackage() throws IOException, URISyntaxException,
            ClassNotFoundException {
        Path root = Path.of(CancelHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path dir = root.resolve(CancelHandler.class.getPackageName().replace('.', '/'));
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".class") && !n.contains("$"))
                    .map(n -> n.substring(0, n.length() - ".class".length()))
                    .sorted().toList();
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String n : names) classes.add(Class.forName(CancelHandler.class.getPackageName() + "." + n));
        assertThat(classes).as("compiled classes in " + dir).isNotEmpty();
        return classes;
    }
}
