package io.batchline.offline.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Class-data archives of the functions' JVMs, checked with real JVMs of this JDK: the first JVM records the classes
 * it loaded, a later one maps them (the JVM's own class-load log says so), a rebuilt jar gets an archive of its own
 * and replaces the old one, and a classpath the JVM cannot archive gets none.
 */
class ClassDataArchiveTest {
    @TempDir Path tmp;
    private Path jar;

    /** A function's code in miniature: a jar whose main loads a class of its own. */
    public static final class Main {
        public static void main(String[] args) {
            System.out.println(new Loaded().getClass().getName());
        }
    }

    static final class Loaded {}

    @BeforeEach
    void packageMain() throws IOException {
        jar = tmp.resolve("function-runner.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            for (Class<?> c : List.of(Main.class, Loaded.class)) {
                String entry = c.getName().replace('.', '/') + ".class";
                out.putNextEntry(new JarEntry(entry));
                try (InputStream in = c.getClassLoader().getResourceAsStream(entry)) {
                    in.transferTo(out);
                }
                out.closeEntry();
            }
        }
    }

    private static String java(String option, Path jar, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", option));
        cmd.addAll(List.of(more));
        cmd.addAll(List.of("-cp", jar.toString(), Main.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private List<String> archives() throws IOException {
        try (var files = Files.list(jar.getParent().resolve("class-data"))) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theFirstJvmRecordsTheClassesItLoadedAndALaterOneMapsThem() throws Exception {
        ClassDataArchive first = ClassDataArchive.forFunction("batchline-intake", List.of(jar), "h");
        assertThat(first.ready()).isFalse();
        assertThat(first.jvmOption()).startsWith("-XX:ArchiveClassesAtExit=");
        java(first.jvmOption(), jar);
        first.publish();

        ClassDataArchive next = ClassDataArchive.forFunction("batchline-intake", List.of(jar), "h");
        assertThat(next.ready()).isTrue();
        assertThat(next.jvmOption()).startsWith("-XX:SharedArchiveFile=");
        String log = java(next.jvmOption(), jar, "-Xshare:on", "-Xlog:class+load=info");
        assertThat(log).containsPattern("ClassDataArchiveTest\\$Loaded source: shared objects file \\(top\\)");
        assertThat(archives()).singleElement().asString().startsWith("batchline-intake-").endsWith(".jsa");
    }

    @Test
    void aRebuiltJarGetsItsOwnArchiveWhichReplacesTheOldOne() throws Exception {
        ClassDataArchive before = ClassDataArchive.forFunction("batchline-intake", List.of(jar), "h");
        java(before.jvmOption(), jar);
        before.publish();
        ClassDataArchive otherFunction = ClassDataArchive.forFunction("batchline-collect", List.of(jar), "h");
        assertThat(otherFunction.ready()).as("each function has its own").isFalse();
        List<String> firstBuild = archives();

        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000));
        ClassDataArchive rebuilt = ClassDataArchive.forFunction("batchline-intake", List.of(jar), "h");
        assertThat(rebuilt.ready()).as("a changed jar is never run with an older archive").isFalse();
        java(rebuilt.jvmOption(), jar);
        rebuilt.publish();

        assertThat(rebuilt.ready()).isTrue();
        assertThat(archives()).hasSize(1).doesNotContainAnyElementsOf(firstBuild);
    }

    @Test
    void aJvmThatWroteNothingPublishesNothing() throws Exception {
        ClassDataArchive archive = ClassDataArchive.forFunction("batchline-intake", List.of(jar), "h");
        archive.publish(); // as after a JVM killed before its exit
        assertThat(archive.ready()).isFalse();
        assertThat(archive.jvmOption()).startsWith("-XX:ArchiveClassesAtExit=");
    }

    @Test
    void aClasspathWithAFolderOrTurnedOffGetsNone() throws Exception {
        assertThat(ClassDataArchive.forFunction("f", List.of(jar, tmp), "h")).isNull();
        System.setProperty(ClassDataArchive.ENABLED_PROPERTY, "false");
        try {
            assertThat(ClassDataArchive.forFunction("f", List.of(jar), "h")).isNull();
        } finally {
            System.clearProperty(ClassDataArchive.ENABLED_PROPERTY);
        }
    }
}
