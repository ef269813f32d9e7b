package io.batchline.plan;

import io.batchline.cache.ResultCache;
import io.batchline.job.JobSpec;
import io.batchline.store.ObjectStore;
import java.io.InputStream;
import java.util.Objects;

/**
 * What {@link Planner#plan} plans: one attempt of a run from its input. Made with {@link #of} from what every
 * plan needs, then the optional parts added with the {@code with...} methods; each returns a new request. The
 * request is checked when made, whichever way.
 *
 * <ul>
 *   <li>{@link #golden}: the job's golden items, planned after the input's and never in a canary shard; null = none.
 *   <li>{@link #cache}: the result cache; input items answered from it get their outcome line there and go into no
 *       shard (golden and chunked items are always sent); null = off.
 *   <li>{@link #checkpointEvery}: format checkpoints every this many lines or more, 0 (the default) = none; a pass
 *       that finds the run's checkpoint resumes after it (see {@link FormatCheckpoint}), the input still being
 *       read from its first byte.
 * </ul>
 */
public record PlanRequest(JobSpec job, String runId, int attempt, InputStream input, String inputName,
                          ObjectStore store, Planner.GoldenInput golden, ResultCache.Lookup cache, int checkpointEvery) {

    public PlanRequest {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(runId, "runId");
        if (attempt < 1) throw new IllegalArgumentException("attempt starts at 1, got " + attempt);
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(inputName, "inputName");
        Objects.requireNonNull(store, "store");
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException("checkpointEvery is 0 (none) or more, got " + checkpointEvery);
        }
    }

    /**
     * Attempt {@code attempt} of run {@code runId}: {@code input} read as the file {@code inputName} (its name gives
     * the format), shards, indexes, the failed part and the plan written to {@code store}.
     */
    public static PlanRequest of(JobSpec job, String runId, int attempt, InputStream input, String inputName,
                                 ObjectStore store) {
        return new PlanRequest(job, runId, attempt, input, inputName, store, null, null, 0);
    }

    public PlanRequest withGolden(Planner.GoldenInput golden) {
        return new PlanRequest(job, runId, attempt, input, inputName, store, golden, cache, checkpointEvery);
    }

    public PlanRequest withCache(ResultCache.Lookup cache) {
        return new PlanRequest(job, runId, attempt, input, inputName, store, golden, cache, checkpointEvery);
    }

    public PlanRequest withCheckpointEvery(int checkpointEvery) {
        return new PlanRequest(job, runId, attempt, input, inputName, store, golden, cache, checkpointEvery);
    }
}
