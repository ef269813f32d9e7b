package io.batchline.offline.lambda;

/** A custom exception a test function throws, to see what errorType the RIC reports. */
public class TestStageException extends RuntimeException {
    public TestStageException(String message) {
        super(message);
    }
}
