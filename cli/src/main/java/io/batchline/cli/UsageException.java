package io.batchline.cli;

/** A command line that does not parse: the message and the usage text, exit 2. */
public final class UsageException extends RuntimeException {
    public UsageException(String message) {
        super(message);
    }
}
