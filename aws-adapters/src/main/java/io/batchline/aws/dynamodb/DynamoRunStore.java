package io.batchline.aws.dynamodb;

import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord.RunStatus;
import io.batchline.run.RunRecord;
import io.batchline.run.RunStore;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.run.ShardRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

/** {@link RunStore} on the project's one DynamoDB table (generic {@code pk}/{@code sk}). */
public final class DynamoRunStore implements RunStore {
    private final DynamoDbClient ddb;
    private final String table;

    public DynamoRunStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    static String runPk(String runId) {
        return "RUN#" + runId;
    }

    static String shardSk(int attempt, int shard) {
        return "SHARD#a" + attempt + "#" + RunKeys.pad(shard);
    }

    @Override
    public RunRecord createRun(RunRecord run) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(runPk(run.runId())));
        item.put("sk", s("META"));
        item.put("job", s(run.job()));
        item.put("bucket", s(run.bucket()));
        item.put("input_key", s(run.inputKey()));
        item.put("etag", s(run.etag()));
        item.put("status", s(run.status().name()));
        item.put("started_at", s(run.startedAt().toString()));
        try {
            ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return run;
        } catch (ConditionalCheckFailedException exists) {
            return run(run.runId()).orElseThrow(() -> new IllegalStateException(
                    "run " + run.runId() + " exists and vanished"));
        }
    }

    @Override
    public Optional<RunRecord> run(String runId) {
        var item = ddb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("pk", s(runPk(runId)), "sk", s("META")))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        return Optional.of(new RunRecord(runId, str(item, "job"), str(item, "bucket"), str(item, "input_key"),
                str(item, "etag"), RunStatus.valueOf(str(item, "status")), instant(item, "started_at"),
                instant(item, "finished_at"), str(item, "error"), str(item, "cause"),
                instant(item, "cancel_requested_at")));
    }

    @Override
    public void finishRun(String runId, RunStatus status, Instant finishedAt, String error, String cause) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":s", s(status.name()));
        values.put(":f", s(finishedAt.toString()));
        values.put(":e", s(error == null ? "" : error));
        values.put(":c", s(cause == null ? "" : cause));
        ddb.updateItem(b -> b.tableName(table).key(Map.of("pk", s(runPk(runId)), "sk", s("META")))
                .updateExpression("SET #st = :s, finished_at = :f, #err = :e, cause = :c")
                .expressionAttributeNames(Map.of("#st", "status", "#err", "error"))
                .expressionAttributeValues(values));
    }

    @Override
    public boolean reopenRun(String runId, Instant reopenedAt) {
        return reopenRun(runId, reopenedAt, null);
    }

    @Override
    public boolean reopenRun(String runId, Instant reopenedAt, String execution) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":running", s(RunStatus.RUNNING.name()),
                ":failed", s(RunStatus.FAILED.name()), ":t", s(reopenedAt.toString()), ":none", s("")));
        if (execution != null) values.put(":x", s(execution));
        String set = "SET #st = :running, reopened_at = :t, previous_error = if_not_exists(#err, :none)"
                + (execution == null ? "" : ", #ex = :x");
        Map<String, String> names = execution == null ? Map.of("#st", "status", "#err", "error")
                : Map.of("#st", "status", "#err", "error", "#ex", "execution");
        try {
            ddb.updateItem(b -> b.tableName(table).key(Map.of("pk", s(runPk(runId)), "sk", s("META")))
                    .updateExpression(set + " REMOVE finished_at, cause")
                    .conditionExpression("attribute_exists(pk) AND (#st = :running OR #st = :failed)"
                            + " AND attribute_not_exists(cancel_requested_at)")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException endedOtherwise) {
            return false;
        }
        // the error stays readable as previous_error; the run's own error is cleared for its new end
        ddb.updateItem(b -> b.tableName(table).key(Map.of("pk", s(runPk(runId)), "sk", s("META")))
                .updateExpression("REMOVE #err").expressionAttributeNames(Map.of("#err", "error")));
        return true;
    }

    @Override
    public Optional<String> latestExecution(String runId) {
        var item = ddb.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("pk", s(runPk(runId)), "sk", s("META")))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        String recorded = str(item, "execution");
        return Optional.of(recorded == null ? runId : recorded); // the first execution is named after the run
    }

    @Override
    public boolean finishRunOfExecution(String runId, String execution, RunStatus status, Instant finishedAt,
                                        String error, String cause) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":s", s(status.name()));
        values.put(":f", s(finishedAt.toString()));
        values.put(":e", s(error == null ? "" : error));
        values.put(":c", s(cause == null ? "" : cause));
        values.put(":running", s(RunStatus.RUNNING.name()));
        values.put(":x", s(execution == null ? "" : execution));
        // a record without `execution` was never resumed: its one execution is named after the run
        String latest = runId.equals(execution) ? "(#ex = :x OR attribute_not_exists(#ex))" : "#ex = :x";
        try {
            ddb.updateItem(b -> b.tableName(table).key(Map.of("pk", s(runPk(runId)), "sk", s("META")))
                    .updateExpression("SET #st = :s, finished_at = :f, #err = :e, cause = :c")
                    .conditionExpression("attribute_exists(pk) AND #st = :running AND " + latest)
                    .expressionAttributeNames(Map.of("#st", "status", "#err", "error", "#ex", "execution"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException notTheLatestOrEnded) {
            return false;
        }
    }

    @Override
    public CancelRequest requestCancel(String runId, Instant requestedAt) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(Map.of("pk", s(runPk(runId)), "sk", s("META")))
                    .updateExpression("SET cancel_requested_at = :t")
                    .conditionExpression("#st = :running AND attribute_not_exists(cancel_requested_at)")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(Map.of(":t", s(requestedAt.toString()),
                            ":running", s(RunStatus.RUNNING.name()))));
            return CancelRequest.REQUESTED;
        } catch (ConditionalCheckFailedException notRunningOrAlready) {
            Optional<RunRecord> run = run(runId);
            if (run.isEmpty()) return CancelRequest.NO_RUN;
            if (run.get().status() != RunStatus.RUNNING) return CancelRequest.RUN_ENDED;
            return CancelRequest.ALREADY_REQUESTED;
        }
    }

    @Override
    public boolean markCanceled(String runId, int attempt, int shard) {
        return conditional(runId, attempt, shard, "SET #st = :canceled",
                "#st = :planned OR #st = :submitting OR #st = :canceled",
                Map.of(":canceled", s(ShardStatus.CANCELED.name()), ":planned", s(ShardStatus.PLANNED.name()),
                        ":submitting", s(ShardStatus.SUBMITTING.name())));
    }

    @Override
    public void planShard(ShardRecord shard) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(runPk(shard.runId())));
        item.put("sk", s(shardSk(shard.attempt(), shard.shard())));
        item.put("attempt", n(shard.attempt()));
        item.put("shard", n(shard.shard()));
        item.put("requests_key", s(shard.requestsKey()));
        item.put("index_key", s(shard.indexKey()));
        item.put("requests", n(shard.requests()));
        item.put("bytes", n(shard.bytes()));
        item.put("status", s(ShardStatus.PLANNED.name()));
        try {
            ddb.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR #st = :planned")
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(Map.of(":planned", s(ShardStatus.PLANNED.name()))));
        } catch (ConditionalCheckFailedException alreadySent) {
            // a repeated format after submission keeps the shard's batch: never reset it to PLANNED
        }
    }

    @Override
    public List<ShardRecord> shards(String runId, int attempt) {
        List<ShardRecord> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            var req = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("pk = :pk AND begins_with(sk, :sk)")
                    .expressionAttributeValues(Map.of(":pk", s(runPk(runId)), ":sk", s("SHARD#a" + attempt + "#")))
                    .exclusiveStartKey(start).build();
            QueryResponse resp = ddb.query(req);
            for (var item : resp.items()) out.add(shardOf(runId, item));
            start = resp.hasLastEvaluatedKey() && !resp.lastEvaluatedKey().isEmpty() ? resp.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    @Override
    public boolean markSubmitting(String runId, int attempt, int shard, Instant previousIntent, Instant intentAt) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":submitting", s(ShardStatus.SUBMITTING.name()));
        values.put(":i", s(intentAt.toString()));
        String condition;
        if (previousIntent == null) {
            values.put(":planned", s(ShardStatus.PLANNED.name()));
            condition = "#st = :planned";
        } else {
            values.put(":prev", s(previousIntent.toString()));
            condition = "#st = :submitting AND intent_at = :prev";
        }
        return conditional(runId, attempt, shard, "SET #st = :submitting, intent_at = :i", condition, values);
    }

    @Override
    public boolean markSubmitted(String runId, int attempt, int shard, String batchId, Instant submittedAt) {
        return conditional(runId, attempt, shard, "SET #st = :submitted, batch_id = :b, submitted_at = :t",
                "#st = :submitting AND attribute_not_exists(batch_id)",
                Map.of(":submitted", s(ShardStatus.SUBMITTED.name()), ":submitting", s(ShardStatus.SUBMITTING.name()),
                        ":b", s(batchId), ":t", s(submittedAt.toString())));
    }

    @Override
    public boolean markReplaced(String runId, int attempt, int shard, Instant intentAt) {
        return conditional(runId, attempt, shard, "SET #st = :replaced",
                "(#st = :submitting AND intent_at = :i) OR #st = :replaced",
                Map.of(":replaced", s(ShardStatus.REPLACED.name()), ":submitting", s(ShardStatus.SUBMITTING.name()),
                        ":i", s(intentAt.toString())));
    }

    @Override
    public void markEnded(String runId, int attempt, int shard, Instant endedAt, String rawKey) {
        conditional(runId, attempt, shard, "SET #st = :ended, ended_at = :t, raw_key = :r",
                "#st = :submitted OR #st = :ended",
                Map.of(":ended", s(ShardStatus.ENDED.name()), ":submitted", s(ShardStatus.SUBMITTED.name()),
                        ":t", s(endedAt.toString()), ":r", s(rawKey)));
    }

    @Override
    public void markCollected(String runId, int attempt, int shard) {
        conditional(runId, attempt, shard, "SET #st = :collected", "attribute_exists(batch_id)",
                Map.of(":collected", s(ShardStatus.COLLECTED.name())));
    }

    private boolean conditional(String runId, int attempt, int shard, String update, String condition,
                                Map<String, AttributeValue> values) {
        try {
            ddb.updateItem(b -> b.tableName(table)
                    .key(Map.of("pk", s(runPk(runId)), "sk", s(shardSk(attempt, shard))))
                    .updateExpression(update).conditionExpression(condition)
                    .expressionAttributeNames(Map.of("#st", "status"))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException lost) {
            return false;
        }
    }

    private static ShardRecord shardOf(String runId, Map<String, AttributeValue> item) {
        return new ShardRecord(runId, Integer.parseInt(item.get("attempt").n()), Integer.parseInt(item.get("shard").n()),
                str(item, "requests_key"), str(item, "index_key"), Long.parseLong(item.get("requests").n()),
                Long.parseLong(item.get("bytes").n()), ShardStatus.valueOf(str(item, "status")), str(item, "batch_id"),
                instant(item, "intent_at"), instant(item, "submitted_at"), instant(item, "ended_at"),
                str(item, "raw_key"));
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.s() == null || v.s().isEmpty() ? null : v.s();
    }

    private static Instant instant(Map<String, AttributeValue> item, String name) {
        String v = str(item, name);
        return v == null ? null : Instant.parse(v);
    }
}
