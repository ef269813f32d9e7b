package io.batchline.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts the AWS requests this function instance sends, per {@code Service.Operation} ("S3.PutObject",
 * "DynamoDb.Query"), for the run's infrastructure cost. Counted per HTTP attempt, as AWS bills them (an SDK
 * retry is a second request). A Lambda instance serves one invocation at a time, so the stage meter resets it
 * at the start of an invocation and reads it at the end.
 */
public final class AwsOperationCounter implements ExecutionInterceptor {
    public static final AwsOperationCounter INSTANCE = new AwsOperationCounter();

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private AwsOperationCounter() {}

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
        String operation = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
        counts.computeIfAbsent(service + "." + operation, k -> new LongAdder()).increment();
    }

    /** The counts since the last reset, sorted by name. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> {
            long n = v.sum();
            if (n > 0) out.put(k, n);
        });
        return out;
    }

    public void reset() {
        counts.clear();
    }
}
