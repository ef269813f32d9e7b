package io.batchline.infra;

import io.batchline.pipeline.StageNames;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The state machine definition as committed (statemachine/batchline-run.asl.json), read at synth time so the
 * deployment runs exactly the file the local stack executes. Its {@code ${XFunctionArn}} placeholders become
 * Step Functions definition substitutions.
 */
public record AslDefinition(String json) {
    static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");
    static final Pattern FUNCTION_PLACEHOLDER = Pattern.compile("([A-Za-z]+)FunctionArn");

    public static AslDefinition read(Path file) {
        try {
            return new AslDefinition(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the state machine definition " + file, e);
        }
    }

    /** Every ${Name} the definition uses. */
    public Set<String> placeholders() {
        Set<String> names = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(json);
        while (m.find()) names.add(m.group(1));
        return names;
    }

    /**
     * "MarkFailedFunctionArn" -> "mark-failed": the handler name a function placeholder spells, whether or not a
     * stage has it; {@link StageNames#stateMachineStageOf} says which the definition may use.
     */
    public static String stageOf(String placeholder) {
        Matcher m = FUNCTION_PLACEHOLDER.matcher(placeholder);
        if (!m.matches()) throw new IllegalArgumentException("not a function placeholder: ${" + placeholder + "}");
        return m.group(1).replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** "mark-failed" -> "MarkFailedFunctionArn". */
    public static String placeholderOf(String stage) {
        return StageNames.aslPlaceholder(stage);
    }
}
