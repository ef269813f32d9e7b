package io.batchline.idempotency;

import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Wraps one stage invocation in an idempotency record. The key is the state ATTEMPT
 * ({@link Invocation}: execution, state, entered time, retry count) plus the request's scope, so:
 * <ul>
 * <li>a second delivery of the same attempt gets the stored result (or "in progress" while the first runs);</li>
 * <li>a Step Functions retry after a crash or timeout is a new attempt and runs at once, instead of waiting for
 * the killed invocation's INPROGRESS claim to expire. That is safe because every stage is idempotent by its own
 * records: submit by the shard's intent/batch id, collect by rewriting its shard's parts whole, format by writing
 * the same keys, finalize by merging the same parts.</li>
 * </ul>
 * The in-progress expiry is the Lambda's remaining time; completed records are kept {@link #KEEP_COMPLETED}.
 */
public final class IdempotentStage {
    /** Longer than any execution can retry one state (6 retries, at most a minute apart, 15 min each). */
    public static final Duration KEEP_COMPLETED = Duration.ofDays(1);
    private final Idempotency idempotency;

    public IdempotentStage(Idempotency idempotency) {
        this.idempotency = idempotency;
    }

    /** Records kept in {@code store}, completed ones for {@link #KEEP_COMPLETED}. */
    public static IdempotentStage on(IdempotencyStore store, Clock clock) {
        return new IdempotentStage(new Idempotency(store, clock, KEEP_COMPLETED));
    }

    /**
     * @param stage            the stage's name, part of the key
     * @param request          the stage's input; its canonical-JSON SHA-256 must match on a repeat
     * @param remainingMillis  the Lambda context's remaining time
     */
    public <T> T once(String stage, InvocationScoped request, LongSupplier remainingMillis, Class<T> resultType,
                      Supplier<T> call) {
        Invocation inv = request.invocation();
        if (inv == null || !inv.identifiesAttempt()) return call.get(); // no attempt identity: nothing to match
        String scope = request.scope();
        String key = stage + "#" + inv.attemptKey() + (scope.isEmpty() ? "" : "#" + scope);
        return idempotency.once(request.runId(), key, request, Duration.ofMillis(remainingMillis.getAsLong()),
                resultType, call);
    }
}
