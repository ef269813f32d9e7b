package io.batchline.aws.dynamodb;

import io.batchline.idempotency.IdempotencyRecord.Status;
import io.batchline.idempotency.IdempotencyRecord;
import io.batchline.idempotency.IdempotencyStore;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Idempotency records in the project's one table, next to the run they belong to
 * ({@code RUN#<id>} / {@code IDEMPOTENCY#<key>}). Single-item conditional writes only.
 */
public final class DynamoIdempotencyStore implements IdempotencyStore {
    /** A new call may take the key if nobody has it, it expired, or its holder ran out of time. */
    static final String CLAIM_CONDITION =
            "attribute_not_exists(pk) OR expires_at < :now OR (#status = :inprogress AND in_progress_expires_at < :now_ms)";

    private final DynamoDbClient ddb;
    private final String table;

    public DynamoIdempotencyStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    static Map<String, AttributeValue> keyOf(String runId, String key) {
        return Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("IDEMPOTENCY#" + key));
    }

    @Override
    public boolean claim(IdempotencyRecord r, long nowEpochSeconds, long nowMillis) {
        Map<String, AttributeValue> item = new HashMap<>(keyOf(r.runId(), r.key()));
        item.put("status", AttributeValue.fromS(Status.INPROGRESS.name()));
        item.put("expires_at", AttributeValue.fromN(Long.toString(r.expiresAt())));
        item.put("in_progress_expires_at", AttributeValue.fromN(Long.toString(r.inProgressExpiresAtMillis())));
        item.put("payload_hash", AttributeValue.fromS(r.payloadHash()));
        try {
            ddb.putItem(b -> b.tableName(table).item(item).conditionExpression(CLAIM_CONDITION)
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(
                            ":now", AttributeValue.fromN(Long.toString(nowEpochSeconds)),
                            ":now_ms", AttributeValue.fromN(Long.toString(nowMillis)),
                            ":inprogress", AttributeValue.fromS(Status.INPROGRESS.name()))));
            return true;
        } catch (ConditionalCheckFailedException held) {
            return false;
        }
    }

    @Override
    public Optional<IdempotencyRecord> get(String runId, String key) {
        var item = ddb.getItem(b -> b.tableName(table).consistentRead(true).key(keyOf(runId, key))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        AttributeValue result = item.get("result");
        return Optional.of(new IdempotencyRecord(runId, key, Status.valueOf(item.get("status").s()),
                Long.parseLong(item.get("expires_at").n()), Long.parseLong(item.get("in_progress_expires_at").n()),
                item.get("payload_hash").s(), result == null ? null : result.s()));
    }

    @Override
    public void complete(IdempotencyRecord r) {
        ddb.updateItem(b -> b.tableName(table).key(keyOf(r.runId(), r.key()))
                .updateExpression("SET #status = :completed, #result = :result, expires_at = :exp")
                .expressionAttributeNames(Map.of("#status", "status", "#result", "result"))
                .expressionAttributeValues(Map.of(
                        ":completed", AttributeValue.fromS(Status.COMPLETED.name()),
                        ":result", AttributeValue.fromS(r.result()),
                        ":exp", AttributeValue.fromN(Long.toString(r.expiresAt())))));
    }

    @Override
    public void release(String runId, String key) {
        ddb.deleteItem(b -> b.tableName(table).key(keyOf(runId, key)));
    }
}
