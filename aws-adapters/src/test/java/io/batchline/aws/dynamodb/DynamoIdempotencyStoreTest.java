package io.batchline.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.aws.dynamodb.DynamoIdempotencyStore;
import io.batchline.idempotency.Idempotency;
import io.batchline.idempotency.IdempotencyRecord.Status;
import io.batchline.idempotency.IdempotencyRecord;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Pins the exact requests the store sends (as Powertools' DynamoDB persistence tests do): the one conditional
 * write is what makes a call run at most once, so a change to it must be deliberate. Behaviour against a real
 * DynamoDB (dynalite) is tested in the offline-stack module.
 */
class DynamoIdempotencyStoreTest {
    private final List<Object> requests = new ArrayList<>();

    private DynamoDbClient recordingClient() {
        InvocationHandler h = (proxy, method, args) -> {
            // the Consumer<Builder> overloads build the request and call the request overload on this proxy
            if (args != null && args.length == 1 && args[0] instanceof java.util.function.Consumer) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (args != null && args.length == 1) requests.add(args[0]);
            return switch (method.getName()) {
                case "putItem" -> PutItemResponse.builder().build();
                case "updateItem" -> UpdateItemResponse.builder().build();
                case "serviceName" -> "dynamodb";
                default -> null;
            };
        };
        return (DynamoDbClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DynamoDbClient.class}, h);
    }

    @Test
    void claimIsOneConditionalPutThatOnlyAFreeExpiredOrAbandonedKeyPasses() {
        // GIVEN
        DynamoIdempotencyStore store = new DynamoIdempotencyStore(recordingClient(), "batchline");
        IdempotencyRecord r = new IdempotencyRecord("run-1", "collect#a1#0003", Status.INPROGRESS, 2_000, 1_500_000,
                "abc", null);

        // WHEN
        boolean claimed = store.claim(r, 1_000, 1_000_000);

        // THEN
        assertThat(claimed).isTrue();
        PutItemRequest put = (PutItemRequest) requests.get(0);
        assertThat(put.tableName()).isEqualTo("batchline");
        assertThat(put.conditionExpression()).isEqualTo(
                "attribute_not_exists(pk) OR expires_at < :now OR (#status = :inprogress AND in_progress_expires_at < :now_ms)");
        assertThat(put.expressionAttributeNames()).containsEntry("#status", "status");
        assertThat(put.expressionAttributeValues().get(":now").n()).isEqualTo("1000");
        assertThat(put.expressionAttributeValues().get(":now_ms").n()).isEqualTo("1000000");
        assertThat(put.expressionAttributeValues().get(":inprogress").s()).isEqualTo("INPROGRESS");
        assertThat(put.item().get("pk").s()).isEqualTo("RUN#run-1");
        assertThat(put.item().get("sk").s()).isEqualTo("IDEMPOTENCY#collect#a1#0003");
        assertThat(put.item().get("status").s()).isEqualTo("INPROGRESS");
        assertThat(put.item().get("expires_at").n()).isEqualTo("2000");
        assertThat(put.item().get("in_progress_expires_at").n()).isEqualTo("1500000");
        assertThat(put.item().get("payload_hash").s()).isEqualTo("abc");
    }

    @Test
    void completeStoresTheResultAndTheCompletedExpiry() {
        // GIVEN
        DynamoIdempotencyStore store = new DynamoIdempotencyStore(recordingClient(), "batchline");

        // WHEN
        store.complete(new IdempotencyRecord("run-1", "finalize", Status.COMPLETED, 9_999, 0, "abc", "{\"ok\":true}"));

        // THEN
        UpdateItemRequest update = (UpdateItemRequest) requests.get(0);
        assertThat(update.key().get("sk").s()).isEqualTo("IDEMPOTENCY#finalize");
        assertThat(update.updateExpression()).isEqualTo("SET #status = :completed, #result = :result, expires_at = :exp");
        assertThat(update.conditionExpression()).isNull();
        assertThat(update.expressionAttributeValues().get(":result").s()).isEqualTo("{\"ok\":true}");
        assertThat(update.expressionAttributeValues().get(":exp").n()).isEqualTo("9999");
    }

    @Test
    void thePayloadHashIgnoresFieldOrder() {
        assertThat(Idempotency.payloadHash(java.util.Map.of("a", 1, "b", java.util.List.of(1, 2))))
                .isEqualTo(Idempotency.payloadHash(new java.util.TreeMap<>(java.util.Map.of("b", java.util.List.of(1, 2), "a", 1))))
                .isNotEqualTo(Idempotency.payloadHash(java.util.Map.of("a", 1, "b", java.util.List.of(2, 1))))
                .hasSize(64);
    }
}
