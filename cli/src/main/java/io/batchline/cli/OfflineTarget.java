package io.batchline.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The offline stack as a {@link Target}, for {@code --state DIR}: it lives with the offline stack and is found
 * with {@link java.util.ServiceLoader}, so the command line carries no emulator.
 */
public interface OfflineTarget {
    /** The stack `local up` keeps in {@code stateDir} (default .batchline-state), or one started for the command. */
    Target open(Path stateDir, PrintStream out) throws Exception;
}
