package io.batchline.cost;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A run's counted AWS usage: one item per run ({@code RUN#<id>} / {@code AWS_USAGE}) of plain counters, added to
 * with a single atomic UpdateItem ADD per stage invocation (one write unit: the item stays far below 1 KB).
 * Attribute names: {@code op:<Service>.<Operation>}, {@code inv:<stage>}, {@code lambda_ms}, {@code lambda_mb_ms}.
 */
public final class AwsUsageStore {
    private final DynamoDbClient ddb;
    private final String table;

    public AwsUsageStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    private static Map<String, AttributeValue> key(String runId) {
        return Map.of("pk", AttributeValue.fromS("RUN#" + runId), "sk", AttributeValue.fromS("AWS_USAGE"));
    }

    /** Adds one stage invocation: its billed milliseconds, its memory and the AWS requests it sent. */
    public void add(String runId, String stage, long millis, int memoryMb, Map<String, Long> operations) {
        Map<String, Long> counters = new TreeMap<>();
        counters.put("inv:" + stage, 1L);
        counters.put("lambda_ms", millis);
        counters.put("lambda_mb_ms", millis * memoryMb);
        operations.forEach((op, n) -> counters.put("op:" + op, n));
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder expr = new StringBuilder("ADD ");
        int i = 0;
        for (var c : counters.entrySet()) {
            if (i > 0) expr.append(", ");
            names.put("#a" + i, c.getKey());
            values.put(":v" + i, AttributeValue.fromN(Long.toString(c.getValue())));
            expr.append("#a").append(i).append(" :v").append(i);
            i++;
        }
        ddb.updateItem(b -> b.tableName(table).key(key(runId)).updateExpression(expr.toString())
                .expressionAttributeNames(names).expressionAttributeValues(values));
    }

    /** Every counter of the run (empty when nothing was recorded). */
    public Map<String, Long> load(String runId) {
        Map<String, Long> out = new TreeMap<>();
        var item = ddb.getItem(b -> b.tableName(table).key(key(runId)).consistentRead(true)).item();
        if (item == null) return out;
        item.forEach((k, v) -> {
            if (v.n() != null) out.put(k, Long.parseLong(v.n()));
        });
        return out;
    }
}
