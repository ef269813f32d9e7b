package io.batchline.input;

import java.io.IOException;

/**
 * The input's bytes cannot be read as what its name says (a truncated or corrupt {@code .gz}): reading it
 * again gives the same answer, so this is the input's fault, not a transient one. The format stage
 * fails the run with it at once ({@code InputCorrupt}) instead of retrying.
 */
public final class CorruptInputException extends IOException {

    public CorruptInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The CorruptInputException in {@code e}'s cause chain, or null. */
    public static CorruptInputException in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CorruptInputException c) return c;
        }
        return null;
    }
}
