package io.batchline.idempotency;

import io.batchline.pipeline.PermanentStageException;

/** The same call (same key) came back with a different payload: a bug or tampering, never retried. */
public class IdempotencyPayloadMismatchException extends PermanentStageException {
    public IdempotencyPayloadMismatchException(String message) {
        super("IdempotencyPayloadMismatch", message);
    }
}
