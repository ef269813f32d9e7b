package io.batchline.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the requests this function instance sends to the cloud services it uses, per {@code Service.Operation}
 * ("S3.PutObject", "DynamoDb.Query"), for the run's infrastructure cost. The service clients report each HTTP
 * attempt, as the services bill them (a client retry is a second request). A Lambda instance serves one
 * invocation at a time, so the stage meter resets it at the start of an invocation and reads it at the end.
 * Requests sent while a per-shard section is open ({@link #enterPerShard}) are also counted apart, so the cost
 * projection can scale them with the shard count.
 */
public final class RequestCounter {
    public static final RequestCounter INSTANCE = new RequestCounter();

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> perShard = new ConcurrentHashMap<>();
    /** open per-shard sections; the stages that open them work through their shards on one thread */
    private final AtomicInteger perShardDepth = new AtomicInteger();

    private RequestCounter() {}

    /** One request sent, named {@code Service.Operation}. */
    public void count(String operation) {
        counts.computeIfAbsent(operation, k -> new LongAdder()).increment();
        if (perShardDepth.get() > 0) perShard.computeIfAbsent(operation, k -> new LongAdder()).increment();
    }

    public void enterPerShard() {
        perShardDepth.incrementAndGet();
    }

    public void exitPerShard() {
        perShardDepth.decrementAndGet();
    }

    /** The counts since the last reset, sorted by name. */
    public Map<String, Long> snapshot() {
        return sums(counts);
    }

    /** The part of {@link #snapshot()} sent inside per-shard sections. */
    public Map<String, Long> perShardSnapshot() {
        return sums(perShard);
    }

    private static Map<String, Long> sums(Map<String, LongAdder> counts) {
        Map<String, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> {
            long n = v.sum();
            if (n > 0) out.put(k, n);
        });
        return out;
    }

    public void reset() {
        counts.clear();
        perShard.clear();
        perShardDepth.set(0);
    }
}
