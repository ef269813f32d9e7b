package io.batchline.cli;

/** Bad input from the user (missing file, invalid job spec): a clear message, exit 2. */
public final class UserInputException extends RuntimeException {
    public UserInputException(String message) {
        super(message);
    }
}
