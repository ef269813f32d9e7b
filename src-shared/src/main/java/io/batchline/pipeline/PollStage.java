package io.batchline.pipeline;

import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * "Check batches": one call looks at every open batch of the run (polling per run, not per shard, keeps the
 * execution history small). A batch that has ended has its raw results saved to S3 at once: the provider
 * deletes them after 29 days, and collecting from S3 can be repeated without the provider.
 */
public final class PollStage {
    private final PipelineContext ctx;
    private final SubmitStage submit;

    public PollStage(PipelineContext ctx) {
        this.ctx = ctx;
        this.submit = new SubmitStage(ctx);
    }

    /**
     * One check of the run's batches. A provider call that fails for a passing reason (429, 529, 5xx, timeouts)
     * puts the check off: the state says when to look again and the state machine waits; what this
     * check did before the failure (results saved, shards marked ended or submitted) is on the records already.
     */
    public PollState poll(PollRequest request) {
        try {
            return pollOnce(request);
        } catch (TransientStageException e) {
            int open = (int) ctx.runs().shards(request.runId(), request.attempt()).stream()
                    .filter(s -> s.status().open() || s.status() == ShardStatus.PLANNED).count();
            return new ProviderWeather(ctx).putOff(e, request.runId(), request.polls() + 1, open,
                    request.throttledCount(), request.throttledSinceEpoch());
        }
    }

    private PollState pollOnce(PollRequest request) {
        String runId = request.runId();
        int attempt = request.attempt();
        List<ShardRecord> shards = ctx.runs().shards(runId, attempt);
        boolean unsent = shards.stream().anyMatch(s -> s.status() == ShardStatus.PLANNED
                || s.status() == ShardStatus.SUBMITTING);
        ObjectStore store = ctx.store(request.bucket());
        // a batch created while the cancel was being requested is canceled here, on the next check
        boolean canceled = ctx.runs().cancelRequested(runId);
        int open = 0;
        List<Integer> ended = new ArrayList<>();
        Map<String, MessageBatch> batches = new BatchStatuses(ctx).of(
                shards.stream().filter(s -> s.status() == ShardStatus.SUBMITTED).toList());
        for (ShardRecord shard : shards) {
            if (shard.status() == ShardStatus.SUBMITTED) {
                ctx.logField("batch_id", shard.batchId());
                MessageBatch batch = batches.get(shard.batchId());
                if (batch.ended()) {
                    String rawKey = RunKeys.raw(runId, shard.batchId());
                    io.batchline.cost.StageMeter.perShard(() -> { // aws_cost per shard
                        saveResults(store, shard.batchId(), rawKey);
                        ctx.faults().point("poll.after_results_saved");
                        ctx.runs().markEnded(runId, attempt, shard.shard(), ctx.clock().instant(), rawKey);
                    });
                    ended.add(shard.shard());
                } else {
                    if (canceled && MessageBatch.IN_PROGRESS.equals(batch.processingStatus())) {
                        new CancelStage(ctx).cancelBatch(shard.batchId());
                    }
                    open++;
                }
            } else if (shard.status() == ShardStatus.ENDED
                    || shard.status() == ShardStatus.CANCELED) { // never sent: its collector fails its items
                ended.add(shard.shard());
            } else if (shard.status() == ShardStatus.REPLACED || shard.status() == ShardStatus.COLLECTED) {
                continue; // split on 413: its children carry its requests; or collected already (the canary's)
            } else {
                open++;
            }
        }
        if (unsent) {
            // a shard left unsent (crash, provider capacity) is sent now, after the checks: the batches that just
            // ended have freed queue capacity
            submit.submitPending(runId, request.bucket(), attempt);
            open = 0;
            ended.clear();
            shards = ctx.runs().shards(runId, attempt);
            for (ShardRecord shard : shards) {
                switch (shard.status()) {
                    case ENDED, CANCELED -> ended.add(shard.shard());
                    case REPLACED, COLLECTED -> { }
                    default -> open++;
                }
            }
        }
        int polls = request.polls() + 1;
        boolean allEnded = open == 0;
        List<Integer> toCollect = allEnded ? ended : List.of();
        return new PollState(allEnded, ctx.config().waitAfterPoll(polls), polls, open, toCollect,
                groups(shards, toCollect, ctx.config().collectGroupRequests()));
    }

    /** Requests one "Collect shard" takes at most (a larger shard goes alone); 1 collects every shard alone. */
    static final int DEFAULT_COLLECT_GROUP_REQUESTS = 2_000;


    /**
     * The ended shards in order, in groups of at most {@code maxRequests} requests (each group is one Map
     * iteration, one state transition and one invocation, instead of one per shard; a shard of 250 requests costs
     * less to collect than its iteration). A shard above the limit is a group alone.
     */
    static List<StagePayloads.CollectGroup> groups(List<ShardRecord> shards, List<Integer> ended, int maxRequests) {
        Map<Integer, Long> requests = new java.util.HashMap<>();
        for (ShardRecord s : shards) requests.put(s.shard(), s.requests());
        List<StagePayloads.CollectGroup> groups = new ArrayList<>();
        List<Integer> group = new ArrayList<>();
        long inGroup = 0;
        for (int shard : ended) {
            long n = requests.getOrDefault(shard, 0L);
            if (!group.isEmpty() && inGroup + n > maxRequests) {
                groups.add(new StagePayloads.CollectGroup(group.get(0), List.copyOf(group)));
                group.clear();
                inGroup = 0;
            }
            group.add(shard);
            inGroup += n;
        }
        if (!group.isEmpty()) groups.add(new StagePayloads.CollectGroup(group.get(0), List.copyOf(group)));
        return groups;
    }


    private void saveResults(ObjectStore store, String batchId, String rawKey) {
        try (InputStream in = ctx.provider().results(batchId);
             OutputStream out = store.create(rawKey, "application/x-ndjson")) {
            in.transferTo(out);
        } catch (ProviderException e) {
            if (e.retryable()) throw new TransientStageException("results of " + batchId + ": " + e.getMessage(), e);
            throw new PermanentStageException("ProviderRejected", "results of " + batchId + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new TransientStageException("saving results of " + batchId + " to " + rawKey + ": " + e.getMessage(), e);
        }
    }
}
