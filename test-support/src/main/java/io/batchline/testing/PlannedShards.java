package io.batchline.testing;

import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.TransientStageException;
import io.batchline.run.RunKeys;
import io.batchline.run.RunStore;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Shards a test writes itself, as Format would have planned them, for the tests of Submit and Poll on any store and
 * run store (in memory, or S3 and DynamoDB of the offline stack), and what those tests read back.
 */
public final class PlannedShards {
    private PlannedShards() {}

    /**
     * What Register and Format leave behind for a run whose shards a test writes itself: the job snapshot
     * (calibration off) and plan-a1.json, which Submit's pre-flight reads.
     */
    public static void formattedRun(ObjectStore store, String runId) {
        store.put(RunKeys.jobSnapshot(runId), TicketTriage.job("calibration: {sample: 0}\n")
                .getBytes(StandardCharsets.UTF_8), "application/yaml");
        store.put(RunKeys.plan(runId, 1), "{}".getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /**
     * Shard {@code shard} of attempt 1 of a formatted run: {@code requests} requests of about {@code pad} bytes each
     * (custom_ids as {@link #customIds}), its index and its PLANNED record.
     */
    public static ShardRecord plannedShard(ObjectStore store, RunStore runs, String runId, int shard, int requests,
                                           int pad) {
        formattedRun(store, runId);
        StringBuilder jsonl = new StringBuilder();
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            long line = shard * 1000L + i + 1;
            String cid = "a1-l" + line;
            jsonl.append("{\"custom_id\":\"").append(cid).append("\",\"params\":{\"model\":")
                    .append("\"claude-haiku-4-5-20251001\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",")
                    .append("\"content\":\"hello ").append(i).append(" ").append("x".repeat(pad)).append("\"}]}}\n");
            index.append("{\"custom_id\":\"").append(cid).append("\",\"id\":\"item-").append(line)
                    .append("\",\"line\":").append(line).append(",\"attempts\":1}\n");
        }
        byte[] bytes = jsonl.toString().getBytes(StandardCharsets.UTF_8);
        store.put(RunKeys.shard(runId, 1, shard), bytes, "application/x-ndjson");
        store.put(RunKeys.shardIndex(runId, 1, shard), index.toString().getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
        ShardRecord record = new ShardRecord(runId, 1, shard, RunKeys.shard(runId, 1, shard),
                RunKeys.shardIndex(runId, 1, shard), requests, bytes.length, ShardStatus.PLANNED, null, null, null,
                null, null);
        runs.planShard(record);
        return record;
    }

    /** The custom_ids of {@link #plannedShard}'s requests. */
    public static Set<String> customIds(int shard, int requests) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < requests; i++) ids.add("a1-l" + (shard * 1000L + i + 1));
        return ids;
    }

    /** custom_ids in the raw results the poll stage saved for attempt 1; one saved twice fails the test. */
    public static Set<String> savedCustomIds(ObjectStore store, RunStore runs, String runId) {
        Set<String> ids = new HashSet<>();
        for (ShardRecord s : runs.shards(runId, 1)) {
            if (s.rawKey() == null) continue;
            JsonLines.forEachLine(store.open(s.rawKey()), line -> {
                String cid = Json.tree(line.getBytes(StandardCharsets.UTF_8)).path("custom_id").asText();
                if (!ids.add(cid)) throw new AssertionError("custom_id " + cid + " saved twice");
            });
        }
        return ids;
    }

    /**
     * Calls a stage until it stops throwing TransientStageException (the ASL retries it the same way), 40 retries at
     * the most; every transient failure, and every passing provider failure the stage answered with a wait instead,
     * is added to {@code transients}.
     */
    public static <T> T retried(Supplier<T> stage, List<String> transients) {
        for (int i = 0; ; i++) {
            try {
                T result = stage.get();
                if (result instanceof PollState p && p.throttledCause() != null) transients.add(p.throttledCause());
                return result;
            } catch (TransientStageException e) {
                transients.add(e.getMessage());
                if (i >= 40) throw e;
            }
        }
    }
}
