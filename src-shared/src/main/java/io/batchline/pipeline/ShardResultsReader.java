package io.batchline.pipeline;

import io.batchline.plan.ItemCarryCodec;
import io.batchline.plan.ShardIndexLine;
import io.batchline.provider.BatchResult;
import io.batchline.provider.ResultReader;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Collect's reader: streams one shard's saved results, each joined to its item through the shard index
 * ({@link ItemCarryCodec#readIndex}), and knows the shard's checkpoint ({@link CollectCheckpoint}). A collect
 * resumed after a kill re-reads the results up to the last checkpoint as <em>replayed</em> (their lines are in
 * the recorded segments already) and judges under the cancel state the first segment was judged under. After the
 * results, the items no result was returned for. A cursor, like {@link ResultReader}: one result at a time, no
 * object per result.
 */
final class ShardResultsReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ShardResultsReader.class.getName());

    private final ObjectStore store;
    private final ShardRecord shard;
    /** the shard's items not joined to a result yet, by custom_id */
    private final Map<String, ShardIndexLine> pending;
    private final int requests;
    /** the checkpoint this collect resumes after; null on a fresh collect */
    private final CollectCheckpoint.State resumedFrom;
    private final boolean canceled;
    private final int every;
    private final long skip;
    private CollectCheckpoint.State recorded;
    private final ResultReader results;

    private BatchResult result;
    private ShardIndexLine item;
    private long read;
    private long readAfterResume;
    private long unmatched;

    /**
     * @param checkpointEvery results between checkpoints for a fresh collect (a resumed one keeps its own)
     * @param canceled        whether the run is canceled now (a resumed collect keeps the state it began with)
     */
    ShardResultsReader(ObjectStore store, ShardRecord shard, int checkpointEvery, boolean canceled) {
        this.store = store;
        this.shard = shard;
        this.pending = ItemCarryCodec.readIndex(store, shard.indexKey());
        this.requests = pending.size();
        this.resumedFrom = CollectCheckpoint.read(store, shard.runId(), shard.attempt(), shard.shard()).orElse(null);
        this.recorded = resumedFrom;
        this.canceled = resumedFrom != null ? resumedFrom.canceled() : canceled;
        this.every = resumedFrom != null ? resumedFrom.every() : checkpointEvery;
        this.skip = resumedFrom != null ? resumedFrom.resultsDone() : 0;
        if (resumedFrom == null && CollectCheckpoint.isSegment(0, every, requests)) {
            // a segmented collect is recorded before its first segment, so a shard without a checkpoint has no
            // segments to drop and a small one costs no listing; this drop is for older runs' leftovers
            CollectCheckpoint.dropSegments(store, shard.runId(), shard.attempt(), shard.shard());
            CollectCheckpoint.write(store, shard.runId(), shard.attempt(), shard.shard(),
                    new CollectCheckpoint.State(every, 0, 0, this.canceled), -1, -1);
        }
        if (resumedFrom != null) {
            LOG.info(() -> "collect: shard " + shard.shard() + " resumes after result " + skip + " (checkpoint)");
        }
        this.results = new ResultReader(store.open(shard.rawKey()));
    }

    /** Moves to the next result; false after the last. */
    boolean next() {
        if (!results.hasNext()) return false;
        result = results.next();
        if (read >= skip) readAfterResume++;
        read++;
        item = pending.remove(result.customId());
        if (item == null) unmatched++; // not ours, or a duplicate line: never counted twice
        return true;
    }

    BatchResult result() {
        return result;
    }

    /** The result's item; null for a result that matches no request of the shard, or one already joined. */
    ShardIndexLine item() {
        return item;
    }

    /** Whether the result's line is in a recorded segment already: judged again, written nowhere. */
    boolean replaying() {
        return read <= skip;
    }

    /** Whether the results read so far end the outcome lines' segment number {@code segments + 1}. */
    boolean endsSegment(int segments) {
        return !replaying() && read % every == 0 && CollectCheckpoint.isSegment(segments, every, requests);
    }

    /** Records that {@code segments} segments hold the lines of every result read so far. */
    void checkpoint(int segments) {
        recorded = new CollectCheckpoint.State(every, read, segments, canceled);
        CollectCheckpoint.write(store, shard.runId(), shard.attempt(), shard.shard(), recorded, -1, -1);
    }

    /** After the results: the items no result was returned for. */
    Collection<ShardIndexLine> unanswered() {
        return pending.values();
    }

    /** Records what a resumed collect did (read by the chaos suite); nothing for a fresh one. */
    void recordResume() {
        if (resumedFrom != null) {
            CollectCheckpoint.write(store, shard.runId(), shard.attempt(), shard.shard(), recorded, skip,
                    readAfterResume);
        }
    }

    boolean resumed() {
        return resumedFrom != null;
    }

    /** The cancel state to judge under. */
    boolean canceled() {
        return canceled;
    }

    int every() {
        return every;
    }

    int requests() {
        return requests;
    }

    /** The segments recorded before this collect began. */
    int segmentsDone() {
        return resumedFrom != null ? resumedFrom.segments() : 0;
    }

    /** Closes the results; the unanswered items stay readable. */
    @Override
    public void close() throws IOException {
        results.close();
        if (unmatched > 0) {
            long n = unmatched;
            LOG.warning(() -> "collect: " + n + " result lines of batch " + shard.batchId() + " matched no request");
        }
    }
}
