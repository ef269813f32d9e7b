package io.batchline.offline.lambda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A class-data sharing archive (AppCDS, dynamic) of one function, so its JVMs start with the classes they loaded
 * last time already parsed: the first JVM of a function records them when it ends in order (when its stack stops,
 * or after its first invocation, see {@link #PUBLISH_EARLY_PROPERTY}), every later one maps them. An archive is
 * named for the function, its handler, the exact classpath (paths, sizes, modification times) and the JVM, so a
 * rebuilt jar gets a new one and a stale archive is never used. The recording JVM writes to a file of its own that
 * is moved into place whole, so concurrent hosts never read a half-written archive.
 */
final class ClassDataArchive {
    private static final Logger LOG = Logger.getLogger(ClassDataArchive.class.getName());
    /** Turns the archives off (a value of {@code false}), e.g. to measure cold starts without them. */
    static final String ENABLED_PROPERTY = "batchline.lambda.cds";
    /**
     * Ends the recording JVM after its first invocation (a value of {@code true}) instead of when its stack stops:
     * the test suite's many stacks then start from the archive sooner, at the price of one more cold start per
     * function in the stack that records (`local run` of the sample on a fresh build: 32 s instead of 28 s, once each).
     */
    static final String PUBLISH_EARLY_PROPERTY = "batchline.lambda.cds.publish-early";

    private final Path archive;
    private final Path recording;
    /** The function's name, as its archives' names start. */
    private final String function;

    private ClassDataArchive(Path archive, Path recording, String function) {
        this.archive = archive;
        this.recording = recording;
        this.function = function;
    }

    /**
     * The archive of one function (its name, classpath and handler), in a {@code class-data} folder beside the
     * function's jar (so a clean build removes it); null when archives are turned off or the classpath holds anything
     * but jars (the JVM archives classes from jars only).
     */
    static ClassDataArchive forFunction(String name, List<Path> classpath, String handler) {
        if ("false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY))) return null;
        if (classpath.isEmpty() || !classpath.stream().allMatch(Files::isRegularFile)) return null;
        return forFunction(name, classpath, handler, classpath.get(0).toAbsolutePath().getParent().resolve("class-data"));
    }

    static ClassDataArchive forFunction(String name, List<Path> classpath, String handler, Path dir) {
        try {
            Files.createDirectories(dir);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update((System.getProperty("java.home") + "|" + System.getProperty("java.vm.version") + "|" + handler)
                    .getBytes(StandardCharsets.UTF_8));
            for (Path entry : classpath) {
                Path p = entry.toAbsolutePath();
                String stamp = Files.size(p) + ":" + Files.getLastModifiedTime(p).toMillis();
                digest.update(("|" + p + "@" + stamp).getBytes(StandardCharsets.UTF_8));
            }
            String function = name.replaceAll("[^A-Za-z0-9_.-]", "_");
            String file = function + "-" + HexFormat.of().formatHex(digest.digest(), 0, 12);
            return new ClassDataArchive(dir.resolve(file + ".jsa"), dir.resolve(file + "." + ProcessHandle.current().pid()
                    + "-" + System.nanoTime() + ".recording"), function);
        } catch (IOException | NoSuchAlgorithmException e) {
            LOG.log(Level.FINE, "no class-data archive: " + e.getMessage(), e);
            return null;
        }
    }

    /** Whether the recording JVM is ended after its first invocation, see {@link #PUBLISH_EARLY_PROPERTY}. */
    static boolean publishEarly() {
        return Boolean.getBoolean(PUBLISH_EARLY_PROPERTY);
    }

    /** True when the archive exists and a JVM can map it. */
    boolean ready() {
        return Files.isRegularFile(archive);
    }

    /** The JVM option that uses the archive, or records it when there is none yet. */
    String jvmOption() {
        return ready() ? "-XX:SharedArchiveFile=" + archive : "-XX:ArchiveClassesAtExit=" + recording;
    }

    /**
     * After a recording JVM ended: publishes what it wrote (the first one wins) and removes the function's archives
     * of older builds, or drops a partial file.
     */
    void publish() {
        try {
            if (!Files.isRegularFile(recording)) return;
            if (Files.size(recording) == 0 || ready()) {
                Files.deleteIfExists(recording);
                return;
            }
            try {
                Files.move(recording, archive, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.deleteIfExists(recording);
                return;
            }
            try (var older = Files.newDirectoryStream(archive.getParent(), function + "-*.jsa")) {
                for (Path p : older) {
                    if (!p.equals(archive)) Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "class-data archive " + archive + " not published: " + e.getMessage(), e);
        }
    }
}
