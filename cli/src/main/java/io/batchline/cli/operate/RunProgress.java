package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.run.RunKeys;
import io.batchline.run.RunStore;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How far a run is, for the operator view: batches ended of those created (shard records in DynamoDB),
 * items done and cost so far (the outcome parts written so far in S3). Each part is read once and remembered,
 * so following a run reads every part one time, not once per refresh.
 */
final class RunProgress {
    record Snapshot(int batches, int batchesEnded, long itemsDone, BigDecimal costUsd) {
        String describe() {
            return String.format("batches ended %d/%d, items done %,d, cost so far $%s", batchesEnded, batches, itemsDone,
                    costUsd.stripTrailingZeros().toPlainString());
        }
    }

    private record Part(long items, BigDecimal cost) {}

    /** A generous bound on attempts: retry rounds plus a repair round; missing attempts cost one empty query. */
    private static final int MAX_ATTEMPTS_SCANNED = 12;
    private final RunStore runs;
    private final ObjectStore store;
    private final String runId;
    private final Map<String, Part> seenParts = new HashMap<>();

    RunProgress(RunStore runs, ObjectStore store, String runId) {
        this.runs = runs;
        this.store = store;
        this.runId = runId;
    }

    Snapshot snapshot() {
        int batches = 0;
        int ended = 0;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS_SCANNED; attempt++) {
            List<ShardRecord> shards = runs.shards(runId, attempt);
            if (shards.isEmpty()) break;
            for (ShardRecord s : shards) {
                if (s.batchId() == null) continue;
                batches++;
                if (s.status() == ShardRecord.ShardStatus.ENDED || s.status() == ShardRecord.ShardStatus.COLLECTED) ended++;
            }
        }
        long items = 0;
        BigDecimal cost = BigDecimal.ZERO;
        for (String key : store.list(RunKeys.partsPrefix(runId))) {
            // the local S3 lists an upload in flight under a temporary name next to the part: not a part yet
            if (!key.endsWith(".jsonl")) continue;
            // a collected shard's parts are rewritten whole only on a repeated collect: same counts
            Part part;
            try {
                part = seenParts.computeIfAbsent(key, this::read);
            } catch (RuntimeException gone) { // replaced or half-visible while we read: counted on the next look
                continue;
            }
            items += part.items();
            cost = cost.add(part.cost());
        }
        return new Snapshot(batches, ended, items, cost);
    }

    private Part read(String key) {
        AtomicLong n = new AtomicLong();
        AtomicReference<BigDecimal> cost = new AtomicReference<>(BigDecimal.ZERO);
        JsonLines.forEachLine(store.open(key), line -> {
            n.incrementAndGet();
            JsonNode c = Json.tree(line.getBytes(StandardCharsets.UTF_8)).get("cost_usd");
            if (c != null && c.isNumber()) cost.accumulateAndGet(c.decimalValue(), BigDecimal::add);
        });
        return new Part(n.get(), cost.get());
    }
}
