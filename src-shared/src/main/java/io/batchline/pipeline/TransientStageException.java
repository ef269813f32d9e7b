package io.batchline.pipeline;

/**
 * A stage failed for a reason that may pass (throttling, provider overload, an ambiguous create that must be
 * reconciled). The state machine retries it by this class's name: keep the name and package in step with
 * the ASL's Retry blocks.
 */
public class TransientStageException extends RuntimeException {
    public TransientStageException(String message, Throwable cause) {
        super(message, cause);
    }

    public TransientStageException(String message) {
        super(message);
    }
}
