package io.batchline.pipeline;

import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the provider's Message Batches limits leave this run right now: requests queued in its unfinished batches
 * (at most {@link PipelineConfig#maxQueuedRequests()}) and batches created in the last minute (at most
 * {@link PipelineConfig#batchCreatesPerMinute()}). Shards that do not fit stay PLANNED; "Check batches" sends
 * them as batches end. Both counts come from the run's shard records, so they hold across invocations.
 */
final class ProviderCapacity {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private final long maxQueued;
    private final int createsPerMinute;
    private long queued;
    private int createdLastMinute;

    private ProviderCapacity(long maxQueued, int createsPerMinute, long queued, int createdLastMinute) {
        this.maxQueued = maxQueued;
        this.createsPerMinute = createsPerMinute;
        this.queued = queued;
        this.createdLastMinute = createdLastMinute;
    }

    static ProviderCapacity of(PipelineConfig config, List<ShardRecord> shards, Instant now) {
        long queued = 0;
        int recent = 0;
        Instant since = now.minus(MINUTE);
        for (ShardRecord s : shards) {
            // SUBMITTING may already be queued at the provider (a create without an answer): count it
            if (s.status() == ShardStatus.SUBMITTED || s.status() == ShardStatus.SUBMITTING) queued += s.requests();
            if (s.submittedAt() != null && s.submittedAt().isAfter(since)) recent++;
        }
        return new ProviderCapacity(config.maxQueuedRequests(), config.batchCreatesPerMinute(), queued, recent);
    }

    /**
     * Whether a batch of {@code requests} may be created now. A shard larger than the whole limit is still sent
     * when nothing else is queued (the provider then answers for it), so a run can never wait forever.
     */
    boolean allows(long requests) {
        if (createdLastMinute >= createsPerMinute) return false;
        return queued == 0 || queued + requests <= maxQueued;
    }

    /** A SUBMITTING shard about to be re-sent is already counted as queued. */
    void created(long requests, boolean alreadyCounted) {
        if (!alreadyCounted) queued += requests;
        createdLastMinute++;
    }

    long queued() {
        return queued;
    }
}
