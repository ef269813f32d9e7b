package io.batchline.idempotency;

import io.batchline.pipeline.TransientStageException;

/** Another invocation is running the same call right now: retry later (the state machine does). */
public class IdempotencyInProgressException extends TransientStageException {
    public IdempotencyInProgressException(String message) {
        super(message);
    }
}
