package io.batchline.quality;

import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;

/**
 * Sends one collected shard's review items to the review queue (middle confidence), streaming its review part. A marker
 * written after the last message makes a repeated collect of the same shard send nothing: messages are
 * at-least-once only when a collect dies between the sends and the marker (consumers can de-duplicate on the
 * {@code item_key} attribute; a FIFO queue does it for them).
 */
public final class ReviewPublisher {
    private ReviewPublisher() {}

    private static final com.fasterxml.jackson.databind.ObjectMapper YAML =
            new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();

    public static String marker(String runId, int attempt, int shard) {
        return RunKeys.run(runId) + "review-sent/a" + attempt + "-shard-" + RunKeys.pad(shard) + ".json";
    }

    /** Returns how many messages were sent now (0 when the shard was sent before or the queue is not set). */
    public static long publish(ReviewQueue queue, ObjectStore store, String runId, int attempt, int shard) {
        return publish(queue, store, runId, io.batchline.pipeline.CollectCheckpoint.shardParts(store, runId, attempt,
                shard, OutcomeKind.REVIEW), marker(runId, attempt, shard)); // a large shard's checkpointed segments too
    }

    /**
     * The same with the shard's review parts already known to the collector (no listing, for speed); none means
     * nothing to send, and then no marker either: a repeated collect of the same results has none again.
     */
    public static long publish(ReviewQueue queue, ObjectStore store, String runId, int attempt, int shard,
                               java.util.List<String> reviewParts) {
        if (reviewParts.isEmpty()) return 0;
        return publish(queue, store, runId, reviewParts, marker(runId, attempt, shard));
    }

    /** The run's job (its messages carry it), from the spec frozen at registration; null without one. */
    static String jobOf(ObjectStore store, String runId) {
        String key = RunKeys.jobSnapshot(runId);
        if (!store.exists(key)) return null;
        try {
            com.fasterxml.jackson.databind.JsonNode spec = YAML.readTree(store.read(key));
            return spec != null && spec.path("name").isTextual() ? spec.get("name").asText() : null;
        } catch (java.io.IOException e) {
            return null; // the spec was checked at registration; a message without its job is still delivered
        }
    }

    /** The review items answered from the result cache at planning, once per run. */
    public static long publishCached(ReviewQueue queue, ObjectStore store, String runId) {
        return publish(queue, store, runId, java.util.List.of(RunKeys.cachedPart(runId, OutcomeKind.REVIEW)),
                RunKeys.run(runId) + "review-sent/cached.json");
    }

    private static long publish(ReviewQueue queue, ObjectStore store, String runId, java.util.List<String> reviewParts,
                                String marker) {
        if (queue == null) return 0;
        if (store.exists(marker)) return 0;
        long sent;
        try (ReviewQueue.Sender sender = queue.sender(runId, jobOf(store, runId))) {
            for (String reviewPart : reviewParts) {
                JsonLines.forEachLine(store.open(reviewPart),
                        line -> sender.add(Json.read(line.getBytes(StandardCharsets.UTF_8), OutcomeLine.class)));
            }
            sender.flush();
            sent = sender.sent();
        }
        store.put(marker, Json.bytes(Json.MAPPER.createObjectNode().put("sent", sent).put("queue", queue.queueUrl())),
                "application/json");
        return sent;
    }
}
