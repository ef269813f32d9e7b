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
 * Collect's progress through one shard (R5.3). Every {@code every} results collect closes the outcome lines so
 * far as a segment ({@link RunKeys#shardSegmentPart}) and then records {every, results_done, segments} here, a
 * small S3 object next to the parts it names (one PUT per checkpoint; no schema in the run table). A collect
 * killed later starts after {@code results_done}: it re-reads the results before it only to rebuild what lives in
 * memory (the retry list, chunk verdicts, counts) and writes their outcome lines nowhere, so no line is written
 * twice. Segment bounds depend only on {@code every}, the shard's request count and the saved (immutable) results,
 * so a segment a killed collect closed without recording is rewritten with the same lines; a collect that finds no
 * checkpoint deletes any segment first. A shard of at most {@code every} requests is written as before, whole.
 */
public final class CollectCheckpoint {
    /** Results between checkpoints; {@code BATCHLINE_COLLECT_CHECKPOINT_EVERY} overrides it (tests use small ones). */
    public static final int DEFAULT_EVERY = 10_000;

    /** {@code canceled}: the cancel state the first segment was judged under, kept so a resume judges alike. */
    public record State(int every, long resultsDone, int segments, boolean canceled) {}

    private CollectCheckpoint() {}

    public static int configuredEvery() {
        String v = System.getenv("BATCHLINE_COLLECT_CHECKPOINT_EVERY");
        if (v == null || v.isBlank()) return DEFAULT_EVERY;
        try {
            return Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("BATCHLINE_COLLECT_CHECKPOINT_EVERY is not a number: " + v, e);
        }
    }

    static Optional<State> read(ObjectStore store, String runId, int attempt, int shard) {
        String key = RunKeys.collectCheckpoint(runId, attempt, shard);
        if (!store.exists(key)) return Optional.empty();
        JsonNode n = Json.tree(store.read(key));
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

    /** A fresh collect: segments left by a killed one that recorded none are not this collect's. */
    static void dropSegments(ObjectStore store, String runId, int attempt, int shard) {
        for (String key : store.list(RunKeys.shardSegmentsPrefix(runId, attempt, shard))) store.delete(key);
    }

    /** Every part holding one kind of a collected shard's outcome lines: its segments in order, then the last part. */
    public static List<String> shardParts(ObjectStore store, String runId, int attempt, int shard, OutcomeKind kind) {
        return shardParts(store, runId, attempt, shard, List.of(kind));
    }

    /** The same for several kinds with one listing of the segments: per kind, segments in order, then the shard's part. */
    public static List<String> shardParts(ObjectStore store, String runId, int attempt, int shard,
                                          List<OutcomeKind> kinds) {
        List<String> segments = store.list(RunKeys.shardSegmentsPrefix(runId, attempt, shard));
        List<String> parts = new ArrayList<>();
        for (OutcomeKind kind : kinds) {
            String suffix = "/" + kind.fileName();
            List<String> ofKind = new ArrayList<>();
            for (String key : segments) {
                if (key.endsWith(suffix)) ofKind.add(key);
            }
            ofKind.sort(null); // zero-padded segment numbers
            parts.addAll(ofKind);
            parts.add(RunKeys.shardPart(runId, attempt, shard, kind));
        }
        return parts;
    }

    /**
     * Where outcome lines go: a segment's parts (created on first line, so a segment writes only the kinds it
     * has), the shard's last parts (all four created, as consumers expect them), or nowhere (a resume re-reading
     * results it already wrote).
     */
    static final class Sink implements AutoCloseable {
        private final ObjectStore store;
        private final java.util.function.Function<OutcomeKind, String> keyOf;
        private final boolean all;
        private final Map<OutcomeKind, OutputStream> open = new EnumMap<>(OutcomeKind.class);

        private Sink(ObjectStore store, java.util.function.Function<OutcomeKind, String> keyOf, boolean all) {
            this.store = store;
            this.keyOf = keyOf;
            this.all = all;
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
            return open.computeIfAbsent(kind, k -> store.create(keyOf.apply(k), "application/x-ndjson"));
        }

        @Override
        public void close() throws IOException {
            if (all) for (OutcomeKind kind : OutcomeKind.values()) get(kind);
            for (OutputStream out : open.values()) out.close();
            open.clear();
        }
    }
}
