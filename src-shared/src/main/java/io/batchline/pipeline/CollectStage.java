package io.batchline.pipeline;

import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.json.JsonLines;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.Collected;
import io.batchline.plan.ItemCarry;
import io.batchline.plan.ShardIndexLine;
import io.batchline.quality.ReviewPublisher;
import io.batchline.quality.ReviewQueue;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * "Collect shard": streams one ended batch's saved results, joins them to items by custom_id, validates and
 * routes each answer, and writes this shard's outcome parts whole (a repeated collect rewrites the same parts,
 * so nothing is counted twice). Requests that failed for a passing reason go to the next attempt's retry part;
 * every request of the shard ends in exactly one of the two. Reads with a {@link ShardResultsReader} (checkpoints
 * and replay), judges each item with a {@link ResultJudge}, writes with an {@link OutcomePartsWriter} and a
 * {@link RetryPartWriter}; the review queue and the result cache are fed from the written parts.
 */
public final class CollectStage {
    private final PipelineContext ctx;

    /** Results between checkpoints, from {@code BATCHLINE_COLLECT_CHECKPOINT_EVERY} unless given. */
    private final int checkpointEvery;

    public CollectStage(PipelineContext ctx) {
        this(ctx, ctx.config().collectCheckpointEvery());
    }

    public CollectStage(PipelineContext ctx, int checkpointEvery) {
        this.ctx = ctx;
        this.checkpointEvery = Math.max(1, checkpointEvery);
    }

    /**
     * Collects the request's shards one after the other (a group), reading the job, the shard records
     * and the cancel state once for all of them; returns their counts added up, named by the first shard.
     */
    public Collected collect(CollectRequest request) {
        String runId = request.runId();
        ObjectStore store = ctx.store(request.bucket());
        JobSpec job = ctx.jobOfRun(request.bucket(), runId);
        List<ShardRecord> records = ctx.runs().shards(runId, request.attempt());
        boolean canceled = ctx.runs().cancelRequested(runId); // no further attempt after a cancel
        Collected total = null;
        for (int n : request.group()) {
            ShardRecord shard = records.stream().filter(s -> s.shard() == n).findFirst()
                    .orElseThrow(() -> new PermanentStageException("ShardMissing",
                            "run " + runId + " has no shard " + n + " in attempt " + request.attempt()));
            ctx.logField("shard", Integer.toString(n));
            Collected c = collectShard(store, job, shard, canceled);
            total = total == null ? c : new Collected(total.shard(), total.accepted() + c.accepted(),
                    total.review() + c.review(), total.rejected() + c.rejected(), total.failed() + c.failed(),
                    total.retry() + c.retry());
        }
        return total;
    }

    private Collected collectShard(ObjectStore store, JobSpec job, ShardRecord shard, boolean canceled) {
        String runId = shard.runId();
        if (shard.status() == ShardRecord.ShardStatus.CANCELED) {
            return collectUnsent(store, shard);
        }
        if (shard.rawKey() == null) {
            throw new TransientStageException("shard " + shard.shard() + " of run " + runId + " has no saved results yet");
        }
        ctx.logField("batch_id", shard.batchId());
        PriceTable prices = ctx.pricesForRun(runId);
        RetryPartWriter retry = new RetryPartWriter(store, shard, job, io.batchline.escalate.EscalationRound.of(job,
                ctx.config().catalogue(), ctx.config().anthropicVersion()));
        boolean resumed;
        OutcomePartsWriter parts;
        // resumes after the last checkpoint of a killed collect, judging as it did
        try (ShardResultsReader results = new ShardResultsReader(store, shard, checkpointEvery, canceled)) {
            resumed = results.resumed();
            ResultJudge judge = new ResultJudge(job, prices, shard.batchId(), results.canceled());
            parts = new OutcomePartsWriter(store, shard, job, prices, results.every(), results.requests(),
                    results.segmentsDone());
            while (results.next()) {
                if (!results.replaying()) ctx.faults().point("collect.line");
                ShardIndexLine item = results.item();
                if (item != null) {
                    take(judge.verdict(item, results.result()), item, results.replaying(), parts, retry);
                }
                if (results.endsSegment(parts.segments())) {
                    parts.closeSegment(); // the segment is committed before the checkpoint names it
                    results.checkpoint(parts.segments());
                }
            }
            parts.closeSegments();
            for (ShardIndexLine item : results.unanswered()) {
                take(judge.unanswered(item), item, false, parts, retry);
            }
            parts.finish();
            results.recordResume();
        } catch (IOException e) {
            throw new TransientStageException("writing outcome parts of shard " + shard.shard() + ": " + e.getMessage(), e);
        }
        retry.write();
        try {
            ReviewPublisher.publish(ctx.reviewQueue(), store, runId, shard.attempt(), shard.shard(),
                    parts.reviewParts(resumed));
        } catch (ReviewQueue.ReviewQueueException e) {
            throw new TransientStageException(e.getMessage(), e);
        }
        io.batchline.cache.ResultCache.storeCollected(ctx.resultCache(), job, store, shard, ctx.clock()); // cache
        ctx.faults().point("collect.before_mark");
        ctx.runs().markCollected(runId, shard.attempt(), shard.shard());
        return new Collected(shard.shard(), parts.count(OutcomeKind.ACCEPTED), parts.count(OutcomeKind.REVIEW),
                parts.count(OutcomeKind.REJECTED), parts.count(OutcomeKind.FAILED), retry.size());
    }

    /** A verdict to its writer: an outcome line to the outcome parts, a request for the next attempt to the retry part. */
    private static void take(ResultJudge.Verdict verdict, ShardIndexLine item, boolean replaying,
                             OutcomePartsWriter parts, RetryPartWriter retry) {
        if (verdict.sendsAgain()) {
            retry.add(verdict.retry());
        } else {
            parts.write(item, verdict.line(), replaying);
        }
    }

    /**
     * A shard that was never sent because its run was canceled first: each of its items fails with reason
     * canceled. The attempt it was planned for did not happen, so its attempts and history stay as before.
     */
    private Collected collectUnsent(ObjectStore store, ShardRecord shard) {
        long[] failed = {0};
        Map<OutcomeKind, OutputStream> parts = new EnumMap<>(OutcomeKind.class);
        try {
            for (OutcomeKind kind : OutcomeKind.values()) {
                parts.put(kind, store.create(RunKeys.shardPart(shard.runId(), shard.attempt(), shard.shard(), kind),
                        "application/x-ndjson"));
            }
            ChunkStaging staging = new ChunkStaging(null, null);
            // streamed in the index's order; a line that names no item stops the stage, as the cancel's reading does
            UnsentItemReader.forEachPlanned(store, shard.indexKey(), item -> {
                ItemCarry carry = item.carry();
                if (carry.golden()) return; // golden items never become outcome lines
                OutcomeLine line = OutcomeLine.of(carry.id(), carry.line(), OutcomeKind.FAILED)
                        .reason(FailureReason.CANCELED_NOT_SENT).free().attempts(carry.attempts() - 1)
                        .truncated(carry.truncated()).groundTruth(carry.label()).history(carry.history())
                        .stratum(carry.stratum()).build();
                if (staging.stage(item, line)) return; // a chunk: merged with its siblings at finalize
                JsonLines.write(parts.get(OutcomeKind.FAILED), line);
                failed[0]++;
            });
            for (OutputStream out : parts.values()) out.close();
            staging.write(store, shard.runId(), shard.attempt(), shard.shard());
        } catch (IOException e) {
            throw new TransientStageException("writing outcome parts of canceled shard " + shard.shard() + ": "
                    + e.getMessage(), e);
        }
        // written (empty) so that a retry part from before the cancel is not left behind for this shard
        new RetryPartWriter(store, shard, null, null).write();
        return new Collected(shard.shard(), 0, 0, 0, failed[0], 0);
    }
}

