package io.batchline.testing;

import io.batchline.cost.UsageStore;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link UsageStore} in memory: counters added atomically per run and stage, as AwsUsageStore's one UpdateItem ADD;
 * {@link #load} returns a copy, stages and counters in name order, empty for an unknown run.
 */
public final class InMemoryUsageStore implements UsageStore {
    private final Map<String, Map<String, Map<String, Long>>> runs = new HashMap<>();

    @Override
    public synchronized void add(String runId, String stage, Map<String, Long> counters) {
        Map<String, Long> of = runs.computeIfAbsent(runId, r -> new TreeMap<>()).computeIfAbsent(stage, s -> new TreeMap<>());
        counters.forEach((name, value) -> of.merge(name, value, Long::sum));
    }

    @Override
    public synchronized Map<String, Map<String, Long>> load(String runId) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        runs.getOrDefault(runId, Map.of()).forEach((stage, counters) -> out.put(stage, new TreeMap<>(counters)));
        return out;
    }
}
