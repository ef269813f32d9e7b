package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.outcome.OutcomeLineWriter;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.Collected;
import io.batchline.plan.ItemCarry;
import io.batchline.plan.ItemCarryCodec;
import io.batchline.plan.ShardIndexLine;
import io.batchline.provider.BatchResult;
import io.batchline.quality.ReviewPublisher;
import io.batchline.quality.ReviewQueue;
import io.batchline.provider.ResultReader;
import io.batchline.route.ConfidenceRouter;
import io.batchline.route.Routing;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import io.batchline.validate.Extraction;
import io.batchline.validate.InvalidOutput;
import io.batchline.validate.RepairPrompt;
import io.batchline.validate.JsonExtractor;
import io.batchline.validate.OutputValidator;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * "Collect shard": streams one ended batch's saved results, joins them to items by custom_id, validates and
 * routes each answer, and writes this shard's outcome parts whole (a repeated collect rewrites the same parts,
 * so nothing is counted twice). Requests that failed for a passing reason go to the next attempt's retry part;
 * every request of the shard ends in exactly one of the two.
 */
public final class CollectStage {
    private static final Logger LOG = Logger.getLogger(CollectStage.class.getName());
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
            io.batchline.logging.LogContext.put("shard", Integer.toString(n));
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
        Map<String, ShardIndexLine> pending = ItemCarryCodec.readIndex(store, shard.indexKey());
        io.batchline.logging.LogContext.put("batch_id", shard.batchId());
        // resume after the last checkpoint of a killed collect, judging as it did
        CollectCheckpoint.State checkpoint = CollectCheckpoint.read(store, runId, shard.attempt(), shard.shard())
                .orElse(null);
        boolean judgedCanceled = checkpoint != null ? checkpoint.canceled() : canceled;
        int every = checkpoint != null ? checkpoint.every() : checkpointEvery;
        long skip = checkpoint != null ? checkpoint.resultsDone() : 0;
        int segments = checkpoint != null ? checkpoint.segments() : 0;
        int requests = pending.size();
        if (checkpoint == null && isSegment(0, every, requests)) {
            // a segmented collect is recorded before its first segment, so a shard without a checkpoint has no
            // segments to drop and a small one costs no listing; this drop is for older runs' leftovers
            CollectCheckpoint.dropSegments(store, runId, shard.attempt(), shard.shard());
            CollectCheckpoint.write(store, runId, shard.attempt(), shard.shard(),
                    new CollectCheckpoint.State(every, 0, 0, judgedCanceled), -1, -1);
        }
        if (checkpoint != null) {
            LOG.info(() -> "collect: shard " + shard.shard() + " resumes after result " + skip + " (checkpoint)");
        }
        ResultJudge judge = new ResultJudge(job, ctx.pricesForRun(runId), shard.batchId(), judgedCanceled);
        ChunkStaging staging = new ChunkStaging(job, ctx.pricesForRun(runId)); // long items' chunks, strata
        Map<OutcomeKind, Long> counts = new EnumMap<>(OutcomeKind.class);
        RetryPartWriter retry = new RetryPartWriter(store, shard, job);
        OutcomeLineWriter lines = new OutcomeLineWriter();

        CollectCheckpoint.Sink replay = CollectCheckpoint.Sink.discarding();
        CollectCheckpoint.Sink sink = nextSink(store, shard, segments, every, requests);
        long read = 0;
        long readAfterResume = 0;
        CollectCheckpoint.State recorded = checkpoint;
        try {
            // golden items' lines go apart, never into the outcome parts (rewritten whole, replayed ones too)
            OutputStream golden = job.golden() == null ? OutputStream.nullOutputStream()
                    : CollectCheckpoint.wholePart(store, RunKeys.goldenPart(runId, shard.attempt(), shard.shard()));
            long unknown = 0;
            try (ResultReader results = new ResultReader(store.open(shard.rawKey()))) {
                while (results.hasNext()) {
                    BatchResult result = results.next();
                    boolean replaying = read < skip; // its line is in a recorded segment already
                    if (!replaying) {
                        io.batchline.chaos.Chaos.point("collect.line");
                        readAfterResume++;
                    }
                    read++;
                    ShardIndexLine item = pending.remove(result.customId());
                    if (item == null) {
                        unknown++; // not ours, or a duplicate line: never counted twice
                    } else {
                        ResultJudge.Verdict verdict = judge.verdict(item, result);
                        if (verdict.retry() != null) {
                            retry.add(verdict.retry());
                        } else {
                            emit(replaying ? replay : sink, golden, item, verdict.line(), counts, staging, lines);
                        }
                    }
                    if (!replaying && read % every == 0 && isSegment(segments, every, requests)) {
                        sink.close(); // the segment is committed before the checkpoint names it
                        segments++;
                        recorded = new CollectCheckpoint.State(every, read, segments, judgedCanceled);
                        CollectCheckpoint.write(store, runId, shard.attempt(), shard.shard(), recorded, -1, -1);
                        sink = nextSink(store, shard, segments, every, requests);
                    }
                }
            }
            if (isSegment(segments, every, requests)) { // fewer results than requests: the rest goes last
                sink.close();
                sink = CollectCheckpoint.Sink.last(store, runId, shard.attempt(), shard.shard());
            }
            // a request the provider never answered is accounted for like a transient failure
            for (ShardIndexLine item : pending.values()) {
                ResultJudge.Verdict verdict = judge.unanswered(item);
                if (verdict.retry() != null) {
                    retry.add(verdict.retry());
                } else {
                    emit(sink, golden, item, verdict.line(), counts, staging, lines);
                }
            }
            if (unknown > 0) {
                long n = unknown;
                LOG.warning(() -> "collect: " + n + " result lines of batch " + shard.batchId() + " matched no request");
            }
            sink.close();
            golden.close();
            staging.write(store, runId, shard.attempt(), shard.shard());
        } catch (IOException e) {
            throw new TransientStageException("writing outcome parts of shard " + shard.shard() + ": " + e.getMessage(), e);
        }
        if (checkpoint != null) { // says what the resume did (read by the chaos suite)
            CollectCheckpoint.write(store, runId, shard.attempt(), shard.shard(), recorded, skip, readAfterResume);
        }
        retry.write();
        try {
            // without segments the review part is this collect's own, if it wrote one: no listing
            List<String> reviewParts = checkpoint == null && segments == 0
                    ? (sink.written(OutcomeKind.REVIEW) ? List.of(RunKeys.shardPart(runId, shard.attempt(),
                            shard.shard(), OutcomeKind.REVIEW)) : List.of())
                    : CollectCheckpoint.shardParts(store, runId, shard.attempt(), shard.shard(), OutcomeKind.REVIEW);
            ReviewPublisher.publish(ctx.reviewQueue(), store, runId, shard.attempt(), shard.shard(), reviewParts);
        } catch (ReviewQueue.ReviewQueueException e) {
            throw new TransientStageException(e.getMessage(), e);
        }
        io.batchline.cache.ResultCache.storeCollected(ctx.resultCache(), job, store, shard, ctx.clock()); // cache
        io.batchline.chaos.Chaos.point("collect.before_mark");
        ctx.runs().markCollected(runId, shard.attempt(), shard.shard());
        return new Collected(shard.shard(), counts.getOrDefault(OutcomeKind.ACCEPTED, 0L),
                counts.getOrDefault(OutcomeKind.REVIEW, 0L), counts.getOrDefault(OutcomeKind.REJECTED, 0L),
                counts.getOrDefault(OutcomeKind.FAILED, 0L), retry.size());
    }

    /**
     * The outcome lines from result {@code segments * every} on: the next segment while a full one still fits
     * before the shard's end, else the shard's last parts.
     */
    private static CollectCheckpoint.Sink nextSink(ObjectStore store, ShardRecord shard, int segments, int every,
                                                   int requests) {
        return isSegment(segments, every, requests)
                ? CollectCheckpoint.Sink.segment(store, shard.runId(), shard.attempt(), shard.shard(), segments + 1)
                : CollectCheckpoint.Sink.last(store, shard.runId(), shard.attempt(), shard.shard());
    }

    private static boolean isSegment(int segments, int every, int requests) {
        return (long) (segments + 1) * every < requests;
    }

    /** An item's final line: a golden item's to the golden part, any other to its outcome part. */
    private static void emit(CollectCheckpoint.Sink parts, OutputStream golden, ShardIndexLine item, OutcomeLine line,
                             Map<OutcomeKind, Long> counts, ChunkStaging staging, OutcomeLineWriter lines) {
        line = staging.inStratum(item, line);
        if (staging.stage(item, line)) return; // a chunk's verdict waits for its siblings
        if (item.carry().golden()) {
            lines.write(golden, line);
            return;
        }
        OutcomeKind kind = line.kind();
        lines.write(parts.get(kind), line);
        counts.merge(kind, 1L, Long::sum);
    }

    /**
     * A shard that was never sent because its run was canceled first: each of its items fails with reason
     * canceled. The attempt it was planned for did not happen, so its attempts and history stay as before.
     */
    private Collected collectUnsent(ObjectStore store, ShardRecord shard) {
        long failed = 0;
        Map<OutcomeKind, OutputStream> parts = new EnumMap<>(OutcomeKind.class);
        try {
            for (OutcomeKind kind : OutcomeKind.values()) {
                parts.put(kind, store.create(RunKeys.shardPart(shard.runId(), shard.attempt(), shard.shard(), kind),
                        "application/x-ndjson"));
            }
            ChunkStaging staging = new ChunkStaging(null, null);
            for (ShardIndexLine item : ItemCarryCodec.readIndex(store, shard.indexKey()).values()) {
                ItemCarry carry = item.carry();
                if (carry.golden()) continue; // golden items never become outcome lines
                OutcomeLine line = OutcomeLine.of(carry.id(), carry.line(), OutcomeKind.FAILED)
                        .reason(FailureReason.CANCELED_NOT_SENT).free().attempts(carry.attempts() - 1)
                        .truncated(carry.truncated()).groundTruth(carry.label()).history(carry.history())
                        .stratum(carry.stratum()).build();
                if (staging.stage(item, line)) continue; // a chunk: merged with its siblings at finalize
                JsonLines.write(parts.get(OutcomeKind.FAILED), line);
                failed++;
            }
            for (OutputStream out : parts.values()) out.close();
            staging.write(store, shard.runId(), shard.attempt(), shard.shard());
        } catch (IOException e) {
            throw new TransientStageException("writing outcome parts of canceled shard " + shard.shard() + ": "
                    + e.getMessage(), e);
        }
        // written (empty) so that a retry part from before the cancel is not left behind for this shard
        new RetryPartWriter(store, shard, null).write();
        return new Collected(shard.shard(), 0, 0, 0, failed, 0);
    }
}
