package io.batchline.pipeline;

import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.outcome.OutcomeLineWriter;
import io.batchline.plan.ShardIndexLine;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Collect's writer of a shard's final lines, each to where it belongs: a chunk's to {@link ChunkStaging} (merged with
 * its siblings at finalize), a golden item's to the shard's golden part (never an outcome), any other to the
 * outcome part of its kind, in the current segment while a full one still fits before the shard's end, else in
 * the shard's last parts ({@link CollectCheckpoint}). Every part is written whole, so a repeated collect rewrites
 * the same parts; a replayed line (a resume re-reading results before its checkpoint) is counted and staged again,
 * and written nowhere but the golden part, which is rewritten whole.
 */
final class OutcomePartsWriter {
    private final ObjectStore store;
    private final ShardRecord shard;
    private final int every;
    private final int requests;
    private final CollectCheckpoint.Sink replay = CollectCheckpoint.Sink.discarding();
    private final OutputStream golden;
    private final ChunkStaging staging; // long items' chunks, strata
    private final OutcomeLineWriter lines = new OutcomeLineWriter();
    private final Map<OutcomeKind, Long> counts = new EnumMap<>(OutcomeKind.class);
    private int segments;
    private CollectCheckpoint.Sink sink;

    /**
     * @param every          results between checkpoints
     * @param requests       the shard's requests
     * @param segmentsDone   segments a resumed collect recorded before; their lines are replayed, not written
     */
    OutcomePartsWriter(ObjectStore store, ShardRecord shard, JobSpec job, PriceTable prices, int every, int requests,
                       int segmentsDone) {
        this.store = store;
        this.shard = shard;
        this.every = every;
        this.requests = requests;
        this.segments = segmentsDone;
        this.staging = new ChunkStaging(job, prices);
        this.sink = nextSink();
        this.golden = job.golden() == null ? OutputStream.nullOutputStream()
                : CollectCheckpoint.wholePart(store, RunKeys.goldenPart(shard.runId(), shard.attempt(), shard.shard()));
    }

    /** An item's final line; {@code replaying}: its outcome part is in a recorded segment already. */
    void write(ShardIndexLine item, OutcomeLine line, boolean replaying) {
        line = staging.inStratum(item, line);
        if (staging.stage(item, line)) return; // a chunk's verdict waits for its siblings
        if (item.carry().golden()) {
            lines.write(golden, line);
            return;
        }
        OutcomeKind kind = line.kind();
        lines.write((replaying ? replay : sink).get(kind), line);
        counts.merge(kind, 1L, Long::sum);
    }

    /** The segments closed so far, those of the collect resumed from included. */
    int segments() {
        return segments;
    }

    /** Closes the current segment (committed before a checkpoint names it) and opens the next part. */
    void closeSegment() throws IOException {
        sink.close();
        segments++;
        sink = nextSink();
    }

    /** After the results: what is left goes to the shard's last parts (fewer results than requests). */
    void closeSegments() throws IOException {
        if (CollectCheckpoint.isSegment(segments, every, requests)) {
            sink.close();
            sink = CollectCheckpoint.Sink.last(store, shard.runId(), shard.attempt(), shard.shard());
        }
    }

    /**
     * The outcome lines from result {@code segments * every} on: the next segment while a full one still fits
     * before the shard's end, else the shard's last parts.
     */
    private CollectCheckpoint.Sink nextSink() {
        return CollectCheckpoint.isSegment(segments, every, requests)
                ? CollectCheckpoint.Sink.segment(store, shard.runId(), shard.attempt(), shard.shard(), segments + 1)
                : CollectCheckpoint.Sink.last(store, shard.runId(), shard.attempt(), shard.shard());
    }

    /**
     * Closes the outcome and golden parts and writes the shard's chunk part. Only a collect that got to its end
     * does: a killed one leaves its open parts uncommitted.
     */
    void finish() throws IOException {
        sink.close();
        golden.close();
        staging.write(store, shard.runId(), shard.attempt(), shard.shard());
    }

    /** The lines written of {@code kind}, replayed ones included; golden items' and chunks' are not counted. */
    long count(OutcomeKind kind) {
        return counts.getOrDefault(kind, 0L);
    }

    /**
     * The shard's review parts, once closed. Without segments the review part is this collect's own, if it wrote
     * one: no listing.
     */
    List<String> reviewParts(boolean resumed) {
        if (!resumed && segments == 0) {
            return sink.written(OutcomeKind.REVIEW)
                    ? List.of(RunKeys.shardPart(shard.runId(), shard.attempt(), shard.shard(), OutcomeKind.REVIEW))
                    : List.of();
        }
        return CollectCheckpoint.shardParts(store, shard.runId(), shard.attempt(), shard.shard(), OutcomeKind.REVIEW);
    }
}
