package io.batchline.cli;

import java.io.PrintStream;
import java.util.Set;

/**
 * Commands another module adds to {@code ./batchline}, found with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.batchline.cli.CommandSet} entry): the command line itself carries none of what
 * they need, so its jar runs {@code plan}, {@code synth}, {@code deploy} and the operator's commands on a deployed
 * stack ({@code --target FILE}) without them.
 */
public interface CommandSet {
    /** The first words of the command lines it runs, e.g. {@code local}, {@code rerun}. */
    Set<String> commands();

    /**
     * Runs one command line (args[0] is one of {@link #commands()}). Exit codes as the command line's: 0 done,
     * 1 the run failed, 2 usage or input error ({@link UsageException}, {@link UserInputException}).
     */
    int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
