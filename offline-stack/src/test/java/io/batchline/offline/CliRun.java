package io.batchline.offline;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * One {@code ./batchline} command run in-process from the repository root: its exit code and what it printed
 * (standard output, then standard error), also echoed to the test's log.
 */
record CliRun(int code, String out) {
    static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    static CliRun of(String... args) throws Exception {
        System.setProperty("batchline.home", HOME.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        return new CliRun(code, text);
    }
}
