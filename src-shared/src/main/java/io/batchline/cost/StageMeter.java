package io.batchline.cost;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.metrics.RequestCounter;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Meters one stage invocation for the run's AWS cost: its duration at the function's configured memory
 * ({@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE}, set by Lambda from the deployed configuration) and the AWS requests it
 * sent, added to the run's usage item of that stage at the end. One function instance serves one invocation at a
 * time. A stage marks the work it does for each shard with {@link #perShard}, so the projection to 1M items can
 * scale it with the shard count rather than the run.
 */
public final class StageMeter {
    private static final Logger LOG = Logger.getLogger(StageMeter.class.getName());
    /** Set once per function instance by the process's wiring; null where nothing is metered (plain tests). */
    private static volatile UsageStore store;
    private static volatile long startedNanos;
    private static volatile long perShardNanos;
    private static volatile int memoryMb = 1024;

    private StageMeter() {}

    public static void use(UsageStore usageStore) {
        store = usageStore;
    }

    /** The function's configured memory ({@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE}), which its duration is billed at. */
    public static void configure(int functionMemoryMb) {
        memoryMb = functionMemoryMb;
    }

    public static <T> T around(String stage, String runId, Supplier<T> body) {
        RequestCounter.INSTANCE.reset();
        startedNanos = System.nanoTime();
        perShardNanos = 0;
        try {
            return body.get();
        } finally {
            UsageStore s = store;
            if (runId != null && s != null) {
                try {
                    Map<String, Long> counters = counters(stage);
                    counters.merge("op:DynamoDb.UpdateItem", 1L, Long::sum); // this record itself
                    s.add(runId, stage, counters);
                } catch (RuntimeException e) {
                    // the stage's work is done; a lost meter reading under-counts the cost report, never the outcomes
                    LOG.log(Level.WARNING, "could not record the AWS usage of " + stage + " for run " + runId
                            + ": the report's aws_cost will under-count it", e);
                }
            }
        }
    }

    /** The work one shard costs within a stage that handles several (submit, poll): counted apart. */
    public static <T> T perShard(Supplier<T> body) {
        long started = System.nanoTime();
        RequestCounter.INSTANCE.enterPerShard();
        try {
            return body.get();
        } finally {
            RequestCounter.INSTANCE.exitPerShard();
            perShardNanos += System.nanoTime() - started;
        }
    }

    public static void perShard(Runnable body) {
        perShard(() -> {
            body.run();
            return null;
        });
    }

    /** This invocation's counters so far, named as the {@link UsageStore} keeps them. */
    private static Map<String, Long> counters(String stage) {
        Map<String, Long> counters = new TreeMap<>();
        long millis = Math.max(1, (System.nanoTime() - startedNanos + 999_999) / 1_000_000);
        long shardMillis = Math.min(millis, perShardNanos / 1_000_000);
        counters.put("inv", 1L);
        counters.put("lambda_ms", millis);
        counters.put("lambda_mb_ms", millis * memoryMb);
        if (shardMillis > 0) counters.put("shard_mb_ms", shardMillis * memoryMb);
        RequestCounter.INSTANCE.snapshot().forEach((op, n) -> counters.put("op:" + op, n));
        RequestCounter.INSTANCE.perShardSnapshot().forEach((op, n) -> counters.put("shard_op:" + op, n));
        return counters;
    }

    /**
     * Adds {@code aws_cost} to a report being written by the finalizer: the run's recorded usage plus this
     * invocation's so far (its own record is written after the report).
     */
    public static void addAwsCost(String runId, ObjectNode report, AwsCostModel.RunShape shape) {
        UsageStore s = store;
        if (s == null) return;
        Map<String, Map<String, Long>> byStage = s.load(runId);
        Map<String, Long> mine = counters("finalize");
        mine.merge("op:DynamoDb.UpdateItem", 1L, Long::sum); // the finalizer's own usage record, written next
        Map<String, Long> finalize = new TreeMap<>(byStage.getOrDefault("finalize", Map.of()));
        mine.forEach((k, v) -> finalize.merge(k, v, Long::sum));
        byStage.put("finalize", finalize);
        report.set("aws_cost", AwsCostModel.block(byStage, shape, report.path("cost_usd").decimalValue()));
    }
}
