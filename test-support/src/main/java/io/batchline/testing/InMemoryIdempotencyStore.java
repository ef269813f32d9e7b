package io.batchline.testing;

import io.batchline.idempotency.IdempotencyRecord;
import io.batchline.idempotency.IdempotencyRecord.Status;
import io.batchline.idempotency.IdempotencyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link IdempotencyStore} in memory with DynamoIdempotencyStore's conditions: a claim succeeds when there is no
 * record, the record has expired ({@code expiresAt < now}), or it is INPROGRESS and its call ran out of time
 * ({@code inProgressExpiresAtMillis < nowMillis}); a claim replaces the whole record (no result). {@link #complete}
 * sets status, result and expiry unconditionally; {@link #release} deletes (a missing record is fine).
 */
public final class InMemoryIdempotencyStore implements IdempotencyStore {
    private final Map<String, IdempotencyRecord> records = new HashMap<>();

    private static String key(String runId, String key) {
        return runId + "\u0000" + key;
    }

    @Override
    public synchronized boolean claim(IdempotencyRecord r, long nowEpochSeconds, long nowMillis) {
        IdempotencyRecord held = records.get(key(r.runId(), r.key()));
        boolean free = held == null || held.expiresAt() < nowEpochSeconds
                || (held.status() == Status.INPROGRESS && held.inProgressExpiresAtMillis() < nowMillis);
        if (!free) return false;
        records.put(key(r.runId(), r.key()), new IdempotencyRecord(r.runId(), r.key(), Status.INPROGRESS,
                r.expiresAt(), r.inProgressExpiresAtMillis(), r.payloadHash(), null));
        return true;
    }

    @Override
    public synchronized Optional<IdempotencyRecord> get(String runId, String key) {
        return Optional.ofNullable(records.get(key(runId, key)));
    }

    @Override
    public synchronized void complete(IdempotencyRecord r) {
        IdempotencyRecord held = records.get(key(r.runId(), r.key()));
        records.put(key(r.runId(), r.key()), new IdempotencyRecord(r.runId(), r.key(), Status.COMPLETED, r.expiresAt(),
                held == null ? 0 : held.inProgressExpiresAtMillis(), held == null ? null : held.payloadHash(),
                r.result()));
    }

    @Override
    public synchronized void release(String runId, String key) {
        records.remove(key(runId, key));
    }
}
