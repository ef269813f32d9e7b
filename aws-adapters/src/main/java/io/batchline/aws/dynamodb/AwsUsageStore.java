package io.batchline.aws.dynamodb;

import io.batchline.cost.UsageStore;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A run's counted AWS usage: one item per run and stage ({@code RUN#<id>} / {@code AWS_USAGE#<stage>}) of plain
 * counters, added to with a single atomic UpdateItem ADD per stage invocation (one write unit: each item stays far
 * below 1 KB, which one item for all stages would not). Attribute names: {@code inv}, {@code lambda_ms},
 * {@code lambda_mb_ms}, {@code op:<Service>.<Operation>}, and the part of them spent in per-shard sections
 * ({@link StageMeter#perShard}): {@code shard_mb_ms}, {@code shard_op:<Service>.<Operation>}.
 */
public final class AwsUsageStore implements UsageStore {
    static final String SK_PREFIX = "AWS_USAGE#";
    private final DynamoDbClient ddb;
    private final String table;

    public AwsUsageStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    /** One UpdateItem ADD of every counter (see the class comment for their names). */
    @Override
    public void add(String runId, String stage, Map<String, Long> counters) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder expr = new StringBuilder("ADD ");
        int i = 0;
        for (var c : new TreeMap<>(counters).entrySet()) {
            if (i > 0) expr.append(", ");
            names.put("#a" + i, c.getKey());
            values.put(":v" + i, AttributeValue.fromN(Long.toString(c.getValue())));
            expr.append("#a").append(i).append(" :v").append(i);
            i++;
        }
        ddb.updateItem(b -> b.tableName(table)
                .key(Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS(SK_PREFIX + stage)))
                .updateExpression(expr.toString()).expressionAttributeNames(names).expressionAttributeValues(values));
    }

    /** One Query. */
    @Override
    public Map<String, Map<String, Long>> load(String runId) {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        var pages = ddb.queryPaginator(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :sk)")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("RUN#" + runId),
                        ":sk", AttributeValue.fromS(SK_PREFIX))));
        for (var item : pages.items()) {
            Map<String, Long> counters = new TreeMap<>();
            item.forEach((k, v) -> {
                if (v.n() != null) counters.put(k, Long.parseLong(v.n()));
            });
            out.put(item.get("sk").s().substring(SK_PREFIX.length()), counters);
        }
        return out;
    }
}
