package io.batchline.offline;

import java.io.PrintStream;

/** The command line's entry point under its former name: {@link io.batchline.cli.Cli} runs every command. */
public final class Cli {
    private Cli() {}

    public static void main(String[] args) {
        io.batchline.cli.Cli.main(args);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        return io.batchline.cli.Cli.run(args, out, err);
    }
}
