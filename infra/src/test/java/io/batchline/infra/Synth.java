package io.batchline.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Template;

/** Synthesizes the real stack (the repository's ASL) once per setting, with a stand-in function zip. */
final class Synth {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Map<Map<String, Object>, Result> CACHE = new HashMap<>();

    record Result(BatchlineStack stack, Template template) {
        Map<String, Map<String, Object>> resources(String type) {
            return template.findResources(type);
        }
    }

    static Result defaults() {
        return with(Map.of());
    }

    /** Synth is the slow part (~seconds): each distinct context is synthesized once per test JVM. */
    static synchronized Result with(Map<String, Object> context) {
        return CACHE.computeIfAbsent(context, c -> {
            try {
                Path dir = Files.createTempDirectory("batchline-infra-test");
                Map<String, Object> ctx = new HashMap<>(c);
                ctx.putIfAbsent("functionZip", standInZip(dir).toString());
                App app = new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).context(ctx).build());
                BatchlineStack stack = BatchlineApp.build(app, ROOT);
                return new Result(stack, Template.fromStack(stack));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static Path standInZip() {
        try {
            return standInZip(Files.createTempDirectory("batchline-infra-zip"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path standInZip(Path dir) throws IOException {
        Path zip = dir.resolve("function.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("README"));
            z.write("stand-in for functions/target/function.zip".getBytes());
            z.closeEntry();
        }
        return zip;
    }
}
