package io.batchline.pipeline;

/**
 * A stage cannot succeed by retrying (bad job spec, missing input, rejected credentials). The state machine
 * catches it into "Mark run failed"; the message starts with {@link #code()}, the error name the console shows.
 */
public class PermanentStageException extends RuntimeException {
    private final String code;

    public PermanentStageException(String code, String message) {
        super(code + ": " + message);
        this.code = code;
    }

    public PermanentStageException(String code, String message, Throwable cause) {
        super(code + ": " + message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
