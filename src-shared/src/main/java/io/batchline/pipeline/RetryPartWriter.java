package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.escalate.EscalationRound;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.pipeline.ResultJudge.Retry;
import io.batchline.plan.ItemCarry;
import io.batchline.plan.ItemCarryCodec;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import io.batchline.validate.RepairPrompt;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Collect's writer of a shard's retry part: the requests to send again in the next attempt, each copied from the
 * shard's request file with the item it stands for, as it was, as its repair or as its escalation round.
 */
final class RetryPartWriter {
    private final ObjectStore store;
    private final ShardRecord shard;
    /** null for a shard that has nothing to send again */
    private final JobSpec job;
    /** The job's escalation round, shaped once for the whole shard; null without one. */
    private final EscalationRound escalation;
    private final Map<String, Retry> retry = new LinkedHashMap<>(); // by custom_id

    RetryPartWriter(ObjectStore store, ShardRecord shard, JobSpec job, EscalationRound escalation) {
        this.store = store;
        this.shard = shard;
        this.job = job;
        this.escalation = escalation;
    }

    void add(Retry r) {
        retry.put(r.item().customId(), r);
    }

    /** How many requests go to the next attempt. */
    int size() {
        return retry.size();
    }

    /**
     * Writes the part whole. Deleted when empty (free, unlike a PUT of nothing), so a repeated collect never leaves
     * an older retry part behind.
     */
    void write() {
        String key = RunKeys.retryPart(shard.runId(), shard.attempt() + 1, shard.shard());
        try (OutputStream out = CollectCheckpoint.wholePart(store, key)) {
            if (!retry.isEmpty()) {
                JsonLines.forEachLineBytes(store.open(shard.requestsKey()), (bytes, offset, length) -> {
                    // most lines are not retried: skip them without decoding their ~2 KB (collect speed)
                    String leading = leadingCustomId(bytes, offset, length);
                    if (leading != null && !retry.containsKey(leading)) return;
                    JsonNode request = Json.tree(bytes, offset, length); // a blank line: a missing node
                    String customId = request.path("custom_id").asText();
                    Retry r = retry.get(customId);
                    if (r == null) return;
                    ItemCarry item = r.item().carry();
                    JsonNode params = request.get("params");
                    boolean repair = false;
                    if (r.escalation()) { // a new round: its answer may have its own repair
                        params = escalation.params(params);
                    } else if (r.isRepair()) {
                        repair = true;
                        params = RepairPrompt.params(params, r.answer(), r.errors(), job.outputSchema());
                    } else {
                        repair = item.repair(); // a repair request that failed transiently stays one
                    }
                    // a chunk is retried alone, as the same chunk; every attempt so far travels with the item
                    ItemCarryCodec.writeRetryLine(out, new ItemCarryCodec.RetryLine(
                            item.withRepair(repair).withHistory(r.history()), r.why(), params));
                });
            }
        } catch (IOException e) {
            throw new TransientStageException("writing retry part " + key + ": " + e.getMessage(), e);
        }
    }

    private static final byte[] CUSTOM_ID_FIRST = "{\"custom_id\":\"".getBytes(StandardCharsets.US_ASCII);

    /**
     * The custom_id of a request line as the planner writes it ({@code {"custom_id":"a1-l7",...}}; custom_ids
     * are [A-Za-z0-9_-], never escaped), or null when the line is laid out otherwise and must be parsed.
     */
    static String leadingCustomId(byte[] line, int offset, int length) {
        int prefix = CUSTOM_ID_FIRST.length;
        if (length <= prefix || !Arrays.equals(line, offset, offset + prefix, CUSTOM_ID_FIRST, 0, prefix)) {
            return null;
        }
        for (int i = offset + prefix; i < offset + length; i++) {
            byte c = line[i];
            if (c == '"') return new String(line, offset + prefix, i - offset - prefix, StandardCharsets.US_ASCII);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) return null;
        }
        return null; // no closing quote
    }
}
