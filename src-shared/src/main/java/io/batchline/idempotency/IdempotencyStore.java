package io.batchline.idempotency;

import java.util.Optional;

/** Where idempotency records live: a small persistence interface with one DynamoDB implementation. */
public interface IdempotencyStore {

    /**
     * Claims the key for a new call: succeeds when there is no record, the record has expired, or it is an
     * INPROGRESS record whose call ran out of time (its Lambda was killed). False when another call holds it
     * or it completed.
     */
    boolean claim(IdempotencyRecord inProgress, long nowEpochSeconds, long nowMillis);

    Optional<IdempotencyRecord> get(String runId, String key);

    void complete(IdempotencyRecord completed);

    /** Releases a claim after a failed call, so the retry can run. */
    void release(String runId, String key);
}
