package io.batchline.cost;

import java.util.Map;

/**
 * Where a run's counted infrastructure usage is kept: named counters per run and stage (see {@link StageMeter} for
 * their names), added to atomically once per stage invocation.
 */
public interface UsageStore {

    /** Adds one stage invocation's counters to the run's record of that stage. */
    void add(String runId, String stage, Map<String, Long> counters);

    /** Every counter of the run by stage; empty when nothing was recorded. */
    Map<String, Map<String, Long>> load(String runId);
}
