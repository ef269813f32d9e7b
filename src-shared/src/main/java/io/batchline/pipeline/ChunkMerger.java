package io.batchline.pipeline;

import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.ChunkMerge;
import io.batchline.outcome.ChunkOutcome;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.quality.ReviewPublisher;
import io.batchline.quality.ReviewQueue;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Finalize's first step for a job with {@code long_inputs.mode: chunk}: merges the chunk parts every
 * collect wrote (each sorted by line and chunk) as sorted streams, k-way, so memory holds one line per part and
 * the chunks of one item, never the run. Each item's chunks become its ONE outcome line ({@link ChunkMerge}),
 * written as the outcome parts of {@link RunKeys#MERGED_CHUNKS_ATTEMPT}, which finalize then merges, counts and
 * checks like every other part; its review items go to the review queue once (ReviewPublisher's marker).
 * A repeat rewrites the same parts.
 */
final class ChunkMerger {
    private ChunkMerger() {}

    static void mergeInto(ObjectStore store, String runId, JobSpec job, ReviewQueue reviewQueue) {
        if (job.longInputs() == null || !"chunk".equals(job.longInputs().mode())) return;
        ChunkMerge merge = new ChunkMerge(job);
        List<Cursor> cursors = new ArrayList<>();
        Map<OutcomeKind, OutputStream> parts = new EnumMap<>(OutcomeKind.class);
        try {
            for (OutcomeKind kind : OutcomeKind.values()) {
                parts.put(kind, store.create(RunKeys.shardPart(runId, RunKeys.MERGED_CHUNKS_ATTEMPT, 0, kind),
                        "application/x-ndjson"));
            }
            PriorityQueue<Cursor> queue = new PriorityQueue<>((a, b) -> ChunkOutcome.ORDER.compare(a.head, b.head));
            for (String key : store.list(RunKeys.chunksPrefix(runId))) {
                Cursor c = new Cursor(key, new BufferedReader(new InputStreamReader(store.open(key),
                        StandardCharsets.UTF_8), 64 * 1024));
                cursors.add(c);
                if (c.advance()) queue.add(c);
            }
            List<ChunkOutcome> item = new ArrayList<>();
            while (!queue.isEmpty()) {
                Cursor c = queue.poll();
                if (!item.isEmpty() && item.get(0).line() != c.head.line()) {
                    write(parts, merge.merge(item));
                    item.clear();
                }
                item.add(c.head);
                if (c.advance()) queue.add(c);
            }
            if (!item.isEmpty()) write(parts, merge.merge(item));
            for (OutputStream out : parts.values()) out.close();
        } catch (IOException e) {
            throw new TransientStageException("merging the chunks of run " + runId + ": " + e.getMessage(), e);
        } finally {
            for (Cursor c : cursors) c.close();
        }
        try {
            ReviewPublisher.publish(reviewQueue, store, runId, RunKeys.MERGED_CHUNKS_ATTEMPT, 0);
        } catch (ReviewQueue.ReviewQueueException e) {
            throw new TransientStageException(e.getMessage(), e);
        }
    }

    private static void write(Map<OutcomeKind, OutputStream> parts, OutcomeLine line) {
        JsonLines.write(parts.get(line.kind()), line);
    }

    /** One chunk part, read line by line; {@code head} is its current chunk outcome. */
    private static final class Cursor {
        final String key;
        final BufferedReader reader;
        ChunkOutcome head;

        Cursor(String key, BufferedReader reader) {
            this.key = key;
            this.reader = reader;
        }

        boolean advance() {
            try {
                for (String text; (text = reader.readLine()) != null; ) {
                    if (text.isBlank()) continue;
                    head = Json.read(text.getBytes(StandardCharsets.UTF_8), ChunkOutcome.class);
                    return true;
                }
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + key, e);
            }
        }

        void close() {
            try {
                reader.close();
            } catch (IOException ignored) {
                // read-only stream: nothing to lose
            }
        }
    }
}
