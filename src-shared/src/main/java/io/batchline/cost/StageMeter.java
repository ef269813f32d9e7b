package io.batchline.cost;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.metrics.AwsOperationCounter;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Meters one stage invocation for the run's AWS cost: its duration at the function's configured memory
 * ({@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE}, set by Lambda from the deployed configuration) and the AWS requests it
 * sent, added to the run's usage item at the end. One function instance serves one invocation at a time.
 */
public final class StageMeter {
    private static final Logger LOG = Logger.getLogger(StageMeter.class.getName());
    /** Set once per function instance by the pipeline context; null where nothing is metered (plain tests). */
    private static volatile AwsUsageStore store;
    private static volatile long startedNanos;
    private static final int MEMORY_MB = memoryMb(System.getenv());

    private StageMeter() {}

    public static void use(AwsUsageStore usageStore) {
        store = usageStore;
    }

    static int memoryMb(Map<String, String> env) {
        try {
            return Integer.parseInt(env.getOrDefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024").trim());
        } catch (NumberFormatException e) {
            return 1024;
        }
    }

    public static <T> T around(String stage, String runId, Supplier<T> body) {
        AwsOperationCounter.INSTANCE.reset();
        startedNanos = System.nanoTime();
        try {
            return body.get();
        } finally {
            AwsUsageStore s = store;
            if (runId != null && s != null) {
                long millis = Math.max(1, (System.nanoTime() - startedNanos + 999_999) / 1_000_000);
                try {
                    Map<String, Long> ops = AwsOperationCounter.INSTANCE.snapshot();
                    ops.merge("DynamoDb.UpdateItem", 1L, Long::sum); // this record itself
                    s.add(runId, stage, millis, MEMORY_MB, ops);
                } catch (RuntimeException e) {
                    // the stage's work is done; a lost meter reading under-counts the cost report, never the outcomes
                    LOG.log(Level.WARNING, "could not record the AWS usage of " + stage + " for run " + runId
                            + ": the report's aws_cost will under-count it", e);
                }
            }
        }
    }

    /**
     * Adds {@code aws_cost} to a report being written by the finalizer: the run's recorded usage plus this
     * invocation's so far (its own record is written after the report).
     */
    public static void addAwsCost(String runId, ObjectNode report) {
        AwsUsageStore s = store;
        if (s == null) return;
        Map<String, Long> counters = new TreeMap<>(s.load(runId));
        long millis = Math.max(1, (System.nanoTime() - startedNanos) / 1_000_000);
        counters.merge("inv:finalize", 1L, Long::sum);
        counters.merge("lambda_ms", millis, Long::sum);
        counters.merge("lambda_mb_ms", millis * MEMORY_MB, Long::sum);
        AwsOperationCounter.INSTANCE.snapshot().forEach((op, n) -> counters.merge("op:" + op, n, Long::sum));
        counters.merge("op:DynamoDb.UpdateItem", 1L, Long::sum); // the finalizer's own usage record, written next
        report.set("aws_cost", AwsCostModel.block(counters, report.path("items").asLong(),
                report.path("cost_usd").decimalValue()));
    }
}
