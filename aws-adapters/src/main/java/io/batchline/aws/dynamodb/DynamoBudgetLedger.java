package io.batchline.aws.dynamodb;

import io.batchline.budget.BudgetLedger;
import io.batchline.budget.MonthTotals;
import io.batchline.budget.RunBudget;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Budget records on the project's one table, with single-item conditional writes only (no transactions: the
 * local DynamoDB has none, and one item per write keeps concurrent runs honest without them).
 *
 * <p>DynamoDB conditions cannot add, so "reserved + x <= limit" is written as "reserved <= limit - x" with
 * the subtraction done here. Amounts are DynamoDB numbers written from BigDecimal text: exact to 38 digits.
 */
public final class DynamoBudgetLedger implements BudgetLedger {
    private static final String MONTH_SK = "MONTH";
    private static final String RUN_SK = "BUDGET";
    private final DynamoDbClient ddb;
    private final String table;

    public DynamoBudgetLedger(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    static Map<String, AttributeValue> monthKey(String month) {
        return Map.of("pk", s("BUDGET#" + month), "sk", s(MONTH_SK));
    }

    static Map<String, AttributeValue> runKey(String runId) {
        return Map.of("pk", s("RUN#" + runId), "sk", s(RUN_SK));
    }

    /**
     * Adds {@code amount} to the month's reservations under {@code tag}, unless the tag is already there (a
     * repeated call) or, with a limit, the month would then hold more than {@code limit}.
     */
    @Override
    public Reservation reserveInMonth(String month, String tag, BigDecimal amount, BigDecimal limit) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":x", n(amount));
        values.put(":tag", AttributeValue.fromSs(List.of(tag)));
        values.put(":t", s(tag));
        String condition = "(attribute_not_exists(#open) OR NOT contains(#open, :t))";
        if (limit != null) {
            BigDecimal room = limit.subtract(amount);
            if (room.signum() < 0) return overLimitUnlessDone(month, tag);
            values.put(":room", n(room));
            condition += " AND (attribute_not_exists(reserved) OR reserved <= :room)";
        }
        try {
            String cond = condition;
            ddb.updateItem(b -> b.tableName(table).key(monthKey(month))
                    .updateExpression("ADD reserved :x, #open :tag")
                    .conditionExpression(cond)
                    .expressionAttributeNames(Map.of("#open", "open"))
                    .expressionAttributeValues(values));
            return Reservation.RESERVED;
        } catch (ConditionalCheckFailedException refused) {
            return overLimitUnlessDone(month, tag);
        }
    }

    private Reservation overLimitUnlessDone(String month, String tag) {
        return openTags(month).contains(tag) ? Reservation.ALREADY_RESERVED : Reservation.OVER_LIMIT;
    }

    private List<String> openTags(String month) {
        var item = ddb.getItem(b -> b.tableName(table).consistentRead(true).key(monthKey(month))).item();
        AttributeValue open = item == null ? null : item.get("open");
        return open == null || !open.hasSs() ? List.of() : open.ss();
    }

    @Override
    public MonthTotals month(String month) {
        var item = ddb.getItem(b -> b.tableName(table).consistentRead(true).key(monthKey(month))).item();
        if (item == null || item.isEmpty()) return MonthTotals.empty(month);
        return new MonthTotals(month, dec(item, "reserved"), dec(item, "spent"), dec(item, "runs").longValue());
    }

    /**
     * Releases a run's reservation and books its actual spend, once: the write is conditional on the run's
     * first tag still being open, and removes the tags in the same write, so a repeat changes nothing.
     * Returns false when it was already settled.
     */
    @Override
    public boolean settleInMonth(String month, List<String> tags, BigDecimal reserved, BigDecimal spent) {
        if (tags.isEmpty()) return false;
        try {
            ddb.updateItem(b -> b.tableName(table).key(monthKey(month))
                    .updateExpression("ADD reserved :minus, spent :spent, runs :one DELETE #open :tags")
                    .conditionExpression("contains(#open, :first)")
                    .expressionAttributeNames(Map.of("#open", "open"))
                    .expressionAttributeValues(Map.of(":minus", n(reserved.negate()), ":spent", n(spent),
                            ":one", AttributeValue.fromN("1"), ":tags", AttributeValue.fromSs(tags),
                            ":first", s(tags.get(0)))));
            return true;
        } catch (ConditionalCheckFailedException alreadySettled) {
            return false;
        }
    }

    @Override
    public Optional<RunBudget> run(String runId) {
        var item = ddb.getItem(b -> b.tableName(table).consistentRead(true).key(runKey(runId))).item();
        if (item == null || item.isEmpty()) return Optional.empty();
        Map<Integer, BigDecimal> attempts = new TreeMap<>();
        item.forEach((name, value) -> {
            if (name.matches("a\\d+")) attempts.put(Integer.parseInt(name.substring(1)), new BigDecimal(value.n()));
        });
        AttributeValue tags = item.get("tags");
        AttributeValue settled = item.get("settled");
        AttributeValue held = item.get("held");
        return Optional.of(new RunBudget(runId, item.get("month").s(), dec(item, "reserved"), dec(item, "committed"),
                attempts, tags == null || !tags.hasSs() ? List.of() : new ArrayList<>(tags.ss()),
                settled == null ? null : new BigDecimal(settled.n()), held != null && held.bool()));
    }

    /**
     * Records one attempt's worst case and the run's new totals; conditional on the attempt not being recorded
     * yet. Returns false when a repeat already recorded it.
     */
    @Override
    public boolean recordAttempt(String runId, int attempt, String month, BigDecimal worst, BigDecimal committed,
                                 BigDecimal reserved, String newTag) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":m", s(month));
        values.put(":w", n(worst));
        values.put(":c", n(committed));
        values.put(":r", n(reserved));
        String update = "SET #m = :m, #a = :w, committed = :c, reserved = :r";
        if (newTag != null) {
            values.put(":tag", AttributeValue.fromSs(List.of(newTag)));
            update += " ADD tags :tag";
        }
        String expression = update;
        try {
            ddb.updateItem(b -> b.tableName(table).key(runKey(runId)).updateExpression(expression)
                    .conditionExpression("attribute_not_exists(#a)")
                    .expressionAttributeNames(Map.of("#m", "month", "#a", "a" + attempt))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException repeated) {
            return false;
        }
    }

    @Override
    public void markSettled(String runId, BigDecimal spent) {
        ddb.updateItem(b -> b.tableName(table).key(runKey(runId))
                .updateExpression("SET settled = :s REMOVE held")
                .expressionAttributeValues(Map.of(":s", n(spent))));
    }

    @Override
    public void markHeld(String runId) {
        ddb.updateItem(b -> b.tableName(table).key(runKey(runId))
                .updateExpression("SET held = :h").expressionAttributeValues(Map.of(":h", AttributeValue.fromBool(true))));
    }

    private static BigDecimal dec(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? BigDecimal.ZERO : new BigDecimal(v.n());
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(BigDecimal v) {
        return AttributeValue.fromN(v.toPlainString());
    }
}
