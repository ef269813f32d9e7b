package io.batchline.idempotency;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.batchline.idempotency.IdempotencyRecord.Status;
import io.batchline.json.Json;
import io.batchline.run.RunIds;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs a stage call at most once per key (Powertools for AWS Lambda's idempotency semantics): claim the key
 * INPROGRESS with one conditional write, run, store the result COMPLETED; a repeat of a completed call returns
 * the stored result without running again; a failed call releases its claim so a retry can run. The claim's
 * in-progress expiry is the Lambda's remaining time, so a killed invocation never blocks its retry for long.
 */
public final class Idempotency {
    private static final ObjectMapper CANONICAL = Json.MAPPER.copy()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private final IdempotencyStore store;
    private final Clock clock;
    private final Duration keepCompleted;

    public Idempotency(IdempotencyStore store, Clock clock, Duration keepCompleted) {
        this.store = store;
        this.clock = clock;
        this.keepCompleted = keepCompleted;
    }

    /**
     * @param key       what makes two calls "the same" (e.g. {@code collect#a1#0003})
     * @param payload   the whole input; its SHA-256 (canonical JSON) must match on a repeat
     * @param remaining how long this invocation may still run (Lambda's remaining time)
     */
    public <T> T once(String runId, String key, Object payload, Duration remaining, Class<T> resultType,
                      Supplier<T> call) {
        String hash = payloadHash(payload);
        long nowMillis = clock.millis();
        long nowSeconds = nowMillis / 1000;
        IdempotencyRecord claim = new IdempotencyRecord(runId, key, Status.INPROGRESS,
                nowSeconds + keepCompleted.toSeconds(), nowMillis + Math.max(1_000, remaining.toMillis()), hash, null);
        if (!store.claim(claim, nowSeconds, nowMillis)) {
            return previous(runId, key, hash, resultType);
        }
        T result;
        try {
            result = call.get();
        } catch (RuntimeException | Error e) {
            store.release(runId, key);
            throw e;
        }
        store.complete(new IdempotencyRecord(runId, key, Status.COMPLETED, claim.expiresAt(), claim.inProgressExpiresAtMillis(),
                hash, Json.string(result)));
        return result;
    }

    private <T> T previous(String runId, String key, String hash, Class<T> resultType) {
        Optional<IdempotencyRecord> found = store.get(runId, key);
        if (found.isEmpty()) {
            // released between our claim and our read: let the state machine retry
            throw new IdempotencyInProgressException(key + " of run " + runId + " changed hands; retry");
        }
        IdempotencyRecord r = found.get();
        if (!r.payloadHash().equals(hash)) {
            throw new IdempotencyPayloadMismatchException(key + " of run " + runId
                    + " was called before with a different payload");
        }
        if (r.status() == Status.INPROGRESS) {
            throw new IdempotencyInProgressException(key + " of run " + runId + " is running in another invocation");
        }
        return Json.read(r.result().getBytes(java.nio.charset.StandardCharsets.UTF_8), resultType);
    }

    /** SHA-256 of the payload as canonical JSON (keys sorted), so field order never matters. */
    public static String payloadHash(Object payload) {
        return RunIds.sha256Hex(canonicalJson(payload));
    }

    /** The payload as canonical JSON: keys sorted, nulls left out. */
    public static String canonicalJson(Object payload) {
        try {
            JsonNode tree = Json.MAPPER.valueToTree(payload);
            Object canonical = CANONICAL.treeToValue(tree, Object.class);
            return CANONICAL.writeValueAsString(canonical);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("payload is not JSON-serialisable", e);
        }
    }
}
