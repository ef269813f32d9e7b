package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.provider.ProviderException;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Splits a shard the provider rejected as {@code request_too_large} (413) into two new shards of the same
 * attempt and marks the original REPLACED; nothing was created for it, so nothing is paid twice.
 *
 * <p>Crash-safe by order: the child numbers are fixed first in a small manifest next to the shard (a repeated
 * split reuses them), then the children's requests and indexes are written, then their records planned, and
 * only then is the original marked REPLACED. Each step can be repeated.
 */
final class ShardSplitter {
    private static final Logger LOG = Logger.getLogger(ShardSplitter.class.getName());
    private final PipelineContext ctx;
    private final ObjectStore store;

    ShardSplitter(PipelineContext ctx, ObjectStore store) {
        this.ctx = ctx;
        this.store = store;
    }

    static String manifestKey(ShardRecord shard) {
        String k = RunKeys.shard(shard.runId(), shard.attempt(), shard.shard());
        return k.substring(0, k.length() - ".jsonl".length()) + ".split.json";
    }

    void split(ShardRecord shard, Instant intent, ProviderException cause) {
        if (shard.requests() < 2) {
            throw new PermanentStageException("RequestTooLarge", "shard " + shard.shard() + " of run "
                    + shard.runId() + " holds a single request (" + firstCustomId(shard) + ", " + shard.bytes()
                    + " bytes) and the provider rejects it as too large: " + cause.getMessage(), cause);
        }
        int[] children = childNumbers(shard);
        long firstHalf = shard.requests() / 2;
        Set<String> inFirst = new HashSet<>();
        long[] bytes = new long[2];
        long[] counts = new long[2];
        // requests: the first half of the lines to one child, the rest to the other, streamed
        try (BufferedReader in = reader(shard.requestsKey());
             OutputStream a = store.create(RunKeys.shard(shard.runId(), shard.attempt(), children[0]), "application/x-ndjson");
             OutputStream b = store.create(RunKeys.shard(shard.runId(), shard.attempt(), children[1]), "application/x-ndjson")) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                int c = counts[0] < firstHalf ? 0 : 1;
                if (c == 0) inFirst.add(Json.tree(line.getBytes(StandardCharsets.UTF_8)).path("custom_id").asText());
                byte[] out = (line + "\n").getBytes(StandardCharsets.UTF_8);
                (c == 0 ? a : b).write(out);
                bytes[c] += out.length;
                counts[c]++;
            }
        } catch (IOException e) {
            throw new TransientStageException("splitting shard " + shard.shard() + ": " + e.getMessage(), e);
        }
        if (counts[0] + counts[1] != shard.requests()) {
            throw new PermanentStageException("ShardCorrupt", "shard " + shard.shard() + " of run " + shard.runId()
                    + " has " + (counts[0] + counts[1]) + " requests, its record says " + shard.requests());
        }
        // the index follows its requests, by custom_id (bounded by the shard size)
        try (BufferedReader in = reader(shard.indexKey());
             OutputStream a = store.create(RunKeys.shardIndex(shard.runId(), shard.attempt(), children[0]), "application/x-ndjson");
             OutputStream b = store.create(RunKeys.shardIndex(shard.runId(), shard.attempt(), children[1]), "application/x-ndjson")) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) continue;
                String cid = Json.tree(line.getBytes(StandardCharsets.UTF_8)).path("custom_id").asText();
                (inFirst.contains(cid) ? a : b).write((line + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new TransientStageException("splitting the index of shard " + shard.shard() + ": " + e.getMessage(), e);
        }
        for (int c = 0; c < 2; c++) {
            ctx.runs().planShard(new ShardRecord(shard.runId(), shard.attempt(), children[c],
                    RunKeys.shard(shard.runId(), shard.attempt(), children[c]),
                    RunKeys.shardIndex(shard.runId(), shard.attempt(), children[c]), counts[c], bytes[c],
                    ShardStatus.PLANNED, null, null, null, null, null));
        }
        if (!ctx.runs().markReplaced(shard.runId(), shard.attempt(), shard.shard(), intent)) {
            throw new TransientStageException("shard " + shard.shard() + " of run " + shard.runId()
                    + " changed while it was being split");
        }
        LOG.info(() -> "submit: shard " + shard.shard() + " of run " + shard.runId() + " (" + shard.requests()
                + " requests, " + shard.bytes() + " bytes) was too large for the provider; split into shards "
                + children[0] + " (" + counts[0] + ") and " + children[1] + " (" + counts[1] + ")");
    }

    /** The numbers the children get: fixed once in the manifest, so a repeated split reuses them. */
    private int[] childNumbers(ShardRecord shard) {
        String key = manifestKey(shard);
        try {
            JsonNode m = Json.tree(store.read(key));
            return new int[] {m.path("children").get(0).asInt(), m.path("children").get(1).asInt()};
        } catch (NoSuchObjectException absent) {
            // past the plan's shards too: a canary's rest is planned but not yet recorded while the canary runs
            int max = Json.tree(store.read(RunKeys.plan(shard.runId(), shard.attempt()))).path("shards").size() - 1;
            for (ShardRecord s : ctx.runs().shards(shard.runId(), shard.attempt())) max = Math.max(max, s.shard());
            int[] children = {max + 1, max + 2};
            ObjectNode m = Json.MAPPER.createObjectNode();
            m.put("shard", shard.shard());
            ArrayNode c = m.putArray("children");
            c.add(children[0]);
            c.add(children[1]);
            m.put("reason", "request_too_large");
            store.put(key, Json.bytes(m), "application/json");
            return children;
        }
    }

    private BufferedReader reader(String key) {
        return new BufferedReader(new InputStreamReader(store.open(key), StandardCharsets.UTF_8), 64 * 1024);
    }

    private String firstCustomId(ShardRecord shard) {
        try (BufferedReader in = reader(shard.requestsKey())) {
            String line = in.readLine();
            return line == null ? "no request" : "custom_id " + Json.tree(line.getBytes(StandardCharsets.UTF_8))
                    .path("custom_id").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
