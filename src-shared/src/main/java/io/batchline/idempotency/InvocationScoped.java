package io.batchline.idempotency;

/** A stage request that can say which run and which state attempt it belongs to (see {@link IdempotentStage}). */
public interface InvocationScoped {
    String runId();

    /** Null when the caller is not the state machine (a test, a tool): then there is no attempt to deduplicate. */
    Invocation invocation();

    /** What tells apart calls of one attempt that run side by side (the Map's shards); empty when none do. */
    default String scope() {
        return "";
    }
}
