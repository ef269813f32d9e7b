package io.batchline.aws.dynamodb;

import io.batchline.cache.CachedAnswer;
import io.batchline.cache.ResultCacheStore;
import io.batchline.json.Json;
import io.batchline.pipeline.TransientStageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;

/**
 * The result cache in the project's one table: one item per request hash ({@code CACHE#<sha256>} / {@code RESULT})
 * with the output, its origin, {@code stored_at} and {@code expires_at} (the table's TTL attribute in AWS).
 * Reads are BatchGetItem of at most 100 keys; writes are single-item conditional puts.
 */
public final class DynamoResultCache implements ResultCacheStore {
    private static final int UNPROCESSED_RETRIES = 6;
    private static final String SK = "RESULT";
    private final DynamoDbClient ddb;
    private final String table;

    public DynamoResultCache(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    static Map<String, AttributeValue> keyOf(String hash) {
        return Map.of("pk", AttributeValue.fromS("CACHE#" + hash), "sk", AttributeValue.fromS(SK));
    }

    /** One BatchGetItem (its limit is {@value #MAX_KEYS_PER_LOOKUP} keys), then one more per unprocessed rest. */
    @Override
    public Map<String, CachedAnswer> getAll(List<String> hashes) {
        if (hashes.size() > MAX_KEYS_PER_LOOKUP) {
            throw new IllegalArgumentException("at most " + MAX_KEYS_PER_LOOKUP + " keys per lookup, got " + hashes.size());
        }
        Map<String, CachedAnswer> found = new HashMap<>();
        if (hashes.isEmpty()) return found;
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (String h : new LinkedHashSet<>(hashes)) keys.add(keyOf(h));
        // eventually consistent: half the read cost, and an answer stored a moment ago that is missed is only sent again
        Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys)
                .consistentRead(false).build());
        for (int round = 0; ; round++) {
            Map<String, KeysAndAttributes> ask = request;
            BatchGetItemResponse response = ddb.batchGetItem(b -> b.requestItems(ask));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                String hash = item.get("pk").s().substring("CACHE#".length());
                found.put(hash, new CachedAnswer(Json.tree(item.get("output").s().getBytes(StandardCharsets.UTF_8)),
                        str(item, "run_id"), str(item, "custom_id"), Long.parseLong(item.get("stored_at").n())));
            }
            Map<String, KeysAndAttributes> unprocessed = response.unprocessedKeys();
            if (unprocessed == null || unprocessed.isEmpty()) return found;
            if (round >= UNPROCESSED_RETRIES) {
                throw new TransientStageException("result cache: DynamoDB left " + unprocessed.get(table).keys().size()
                        + " keys unread after " + (round + 1) + " BatchGetItem rounds (throttled)");
            }
            request = unprocessed;
            sleepJittered(round); // throttled: back off before asking for the rest
        }
    }

    @Override
    public boolean put(String hash, CachedAnswer answer, long expiresAt) {
        Map<String, AttributeValue> item = new HashMap<>(keyOf(hash));
        item.put("output", AttributeValue.fromS(Json.string(answer.output())));
        if (answer.runId() != null) item.put("run_id", AttributeValue.fromS(answer.runId()));
        if (answer.customId() != null) item.put("custom_id", AttributeValue.fromS(answer.customId()));
        item.put("stored_at", AttributeValue.fromN(Long.toString(answer.storedAt())));
        item.put("expires_at", AttributeValue.fromN(Long.toString(expiresAt)));
        try {
            ddb.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk) OR stored_at <= :at")
                    .expressionAttributeValues(Map.of(":at", AttributeValue.fromN(Long.toString(answer.storedAt())))));
            return true;
        } catch (ConditionalCheckFailedException newer) {
            return false;
        }
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static void sleepJittered(int round) {
        long cap = Math.min(2_000L, 50L << round);
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientStageException("interrupted while reading the result cache", e);
        }
    }
}
