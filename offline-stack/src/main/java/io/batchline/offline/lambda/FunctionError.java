package io.batchline.offline.lambda;

/**
 * An error a function reports, as the Lambda Invoke API returns it: {@code errorType} is what
 * Step Functions' Retry/Catch match on (for Java functions under the RIC: the exception's class name).
 */
public class FunctionError extends Exception {
    private final String errorType;

    public FunctionError(String errorType, String message) {
        super(message);
        this.errorType = errorType;
    }

    public String errorType() {
        return errorType;
    }
}
