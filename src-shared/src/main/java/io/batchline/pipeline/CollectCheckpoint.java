package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Collect's progress through one shard. Every {@code every} results collect closes the outcome lines so
 * far as a segment ({@link RunKeys#shardSegmentPart}) and then records {every, results_done, segments} here, a
 * small S3 object next to the parts it names (one PUT per checkpoint; no schema in the run table). A collect
 * killed later starts after {@code results_done}: it re-reads the results before it only to rebuild what lives in
 * memory (the retry list, chunk verdicts, counts) and writes their outcome lines nowhere, so no line is written
 * twice. Segment bounds depend only on {@code every}, the shard's request count and the saved (immutable) results,
 * so a segment a killed collect closed without recording is rewritten with the same lines; a collect that will write
 * segments records a first checkpoint (nothing done yet) before it opens one, so a collect that finds no checkpoint
 * has no segments to drop. A shard of at most {@code every} requests is written as before, whole, and costs no
 * listing.
 */
public final class CollectCheckpoint {
    /** Results between checkpoints; {@code BATCHLINE_COLLECT_CHECKPOINT_EVERY} overrides it (tests use small ones). */
    public static final int DEFAULT_EVERY = 10_000;

    /** {@code canceled}: the cancel state the first segment was judged under, kept so a resume judges alike. */
    public record State(int every, long resultsDone, int segments, boolean canceled) {}

    private CollectCheckpoint() {}

    static Optional<State> read(ObjectStore store, String runId, int attempt, int shard) {
        String key = RunKeys.collectCheckpoint(runId, attempt, shard);
        JsonNode n;
        try {
            n = Json.tree(store.read(key)); // one GET, no HEAD first: requests per shard are what a large run pays for
        } catch (io.batchline.store.NoSuchObjectException e) {
            return Optional.empty();
        }
        return Optional.of(new State(n.get("every").asInt(), n.get("results_done").asLong(), n.get("segments").asInt(),
                n.path("canceled").asBoolean(false)));
    }

    /** Records the state; {@code resumedFrom}/{@code readAfterResume} (or -1) say what a resumed collect did. */
    static void write(ObjectStore store, String runId, int attempt, int shard, State state, long resumedFrom,
                      long readAfterResume) {
        ObjectNode n = Json.MAPPER.createObjectNode().put("every", state.every())
                .put("results_done", state.resultsDone()).put("segments", state.segments())
                .put("canceled", state.canceled());
        if (resumedFrom >= 0) n.put("resumed_from", resumedFrom).put("read_after_resume", readAfterResume);
        store.put(RunKeys.collectCheckpoint(runId, attempt, shard), Json.bytes(n), "application/json");
    }

    /**
     * Whether the outcome lines from result {@code segments * every} on go to segment number {@code segments + 1}: a
     * full segment still fits before the shard's end. The rest go to the shard's last parts.
     */
    static boolean isSegment(int segments, int every, int requests) {
        return (long) (segments + 1) * every < requests;
    }

    /** A fresh collect: segments left by a killed one that recorded none are not this collect's. */
    static void dropSegments(ObjectStore store, String runId, int attempt, int shard) {
        for (String key : store.list(RunKeys.shardSegmentsPrefix(runId, attempt, shard))) store.delete(key);
    }

    /** Every part holding one kind of a collected shard's outcome lines: its segments in order, then the last part. */
    public static List<String> shardParts(ObjectStore store, String runId, int attempt, int shard, OutcomeKind kind) {
        return shardParts(store, runId, attempt, shard, List.of(kind));
    }

    /**
     * The same for several kinds with one listing of the shard's parts: per kind, segments in order, then the
     * shard's part. Only parts that exist: collect creates a part on its first line, so a kind may have none.
     */
    public static List<String> shardParts(ObjectStore store, String runId, int attempt, int shard,
                                          List<OutcomeKind> kinds) {
        String segmentsPrefix = RunKeys.shardSegmentsPrefix(runId, attempt, shard);
        java.util.Set<String> listed = new java.util.HashSet<>(store.list(RunKeys.shardPartsPrefix(runId, attempt, shard)));
        List<String> parts = new ArrayList<>();
        for (OutcomeKind kind : kinds) {
            String suffix = "/" + kind.fileName();
            List<String> ofKind = new ArrayList<>();
            for (String key : listed) {
                if (key.startsWith(segmentsPrefix) && key.endsWith(suffix)) ofKind.add(key);
            }
            ofKind.sort(null); // zero-padded segment numbers
            parts.addAll(ofKind);
            String last = RunKeys.shardPart(runId, attempt, shard, kind);
            if (listed.contains(last)) parts.add(last);
        }
        return parts;
    }

    /**
     * A part written whole that is created on its first byte and, when nothing was written, deleted instead
     * (DELETE is free, a PUT of nothing is not): a repeated collect leaves no earlier version behind either way.
     */
    static OutputStream wholePart(ObjectStore store, String key) {
        return new OutputStream() {
            private OutputStream out;

            private OutputStream out() {
                if (out == null) out = store.create(key, "application/x-ndjson");
                return out;
            }

            @Override
            public void write(int b) throws IOException {
                out().write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) out().write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                if (out != null) out.close();
                else store.delete(key);
            }
        };
    }

    /**
     * Where outcome lines go: a segment's parts, the shard's last parts, or nowhere (a resume re-reading results
     * it already wrote). A part is created on its first line, so only the kinds the shard has are written (fewer requests:
     * an empty part is a PUT per shard for nothing; every reader lists the parts or asks {@link #written}).
     */
    static final class Sink implements AutoCloseable {
        private final ObjectStore store;
        private final java.util.function.Function<OutcomeKind, String> keyOf;
        private final Map<OutcomeKind, OutputStream> open = new EnumMap<>(OutcomeKind.class);
        private final java.util.Set<OutcomeKind> written = java.util.EnumSet.noneOf(OutcomeKind.class);
        /** the shard's last parts: a kind it has no line of is deleted (free), so no earlier collect's part stays */
        private final boolean whole;

        private Sink(ObjectStore store, java.util.function.Function<OutcomeKind, String> keyOf, boolean whole) {
            this.store = store;
            this.keyOf = keyOf;
            this.whole = whole;
        }

        static Sink segment(ObjectStore store, String runId, int attempt, int shard, int segment) {
            return new Sink(store, k -> RunKeys.shardSegmentPart(runId, attempt, shard, segment, k), false);
        }

        static Sink last(ObjectStore store, String runId, int attempt, int shard) {
            return new Sink(store, k -> RunKeys.shardPart(runId, attempt, shard, k), true);
        }

        static Sink discarding() {
            return new Sink(null, null, false);
        }

        OutputStream get(OutcomeKind kind) {
            if (store == null) return OutputStream.nullOutputStream();
            written.add(kind);
            return open.computeIfAbsent(kind, k -> store.create(keyOf.apply(k), "application/x-ndjson"));
        }

        /** Whether this sink created the part of {@code kind}. */
        boolean written(OutcomeKind kind) {
            return written.contains(kind);
        }

        @Override
        public void close() throws IOException {
            for (OutputStream out : open.values()) out.close();
            open.clear();
            if (whole) {
                for (OutcomeKind kind : OutcomeKind.values()) if (!written.contains(kind)) store.delete(keyOf.apply(kind));
            }
        }
    }
}
