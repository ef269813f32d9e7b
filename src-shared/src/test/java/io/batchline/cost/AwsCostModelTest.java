package io.batchline.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AwsCostModelTest {
    private static final long GB_MS = 1024; // lambda_mb_ms of one millisecond at 1 GB

    /** A run of 1,000 items: a 50-item canary shard, 4 shards of attempt 1 (900 requests), 1 retry shard (20). */
    private static final AwsCostModel.RunShape SHAPE = new AwsCostModel.RunShape(1_000, 6, 1,
            new long[] {900, 20, 0}, 920L * 2_000, 250, 0);

    private static Map<String, Map<String, Long>> usage() {
        Map<String, Map<String, Long>> u = new TreeMap<>();
        u.put("register", Map.of("inv", 1L, "lambda_mb_ms", GB_MS * 1_000, "op:S3.GetObject", 2L,
                "op:DynamoDb.PutItem", 1L, "op:DynamoDb.UpdateItem", 1L));
        // two rounds; 6 shards planned: 12 PUTs and 6 PutItems of them are per shard
        u.put("format", Map.of("inv", 2L, "lambda_mb_ms", GB_MS * 4_000, "op:S3.PutObject", 16L,
                "op:DynamoDb.PutItem", 6L, "op:DynamoDb.UpdateItem", 2L, "op:S3.GetObject", 3L));
        u.put("submit", Map.of("inv", 2L, "lambda_mb_ms", GB_MS * 2_000, "shard_mb_ms", GB_MS * 1_000,
                "op:DynamoDb.UpdateItem", 14L, "shard_op:DynamoDb.UpdateItem", 12L, "op:S3.GetObject", 12L,
                "shard_op:S3.GetObject", 12L, "op:DynamoDb.Query", 2L));
        u.put("poll", Map.of("inv", 10L, "lambda_mb_ms", GB_MS * 5_000, "shard_mb_ms", GB_MS * 1_000,
                "op:DynamoDb.Query", 10L, "op:S3.PutObject", 6L, "shard_op:S3.PutObject", 6L,
                "op:DynamoDb.UpdateItem", 16L, "shard_op:DynamoDb.UpdateItem", 6L));
        u.put("collect", Map.of("inv", 6L, "lambda_mb_ms", GB_MS * 6_000, "op:S3.GetObject", 24L,
                "op:S3.PutObject", 30L, "op:Sqs.SendMessageBatch", 10L, "op:DynamoDb.UpdateItem", 6L));
        u.put("finalize", Map.of("inv", 1L, "lambda_mb_ms", GB_MS * 3_000, "op:S3.ListObjectsV2", 1L,
                "op:S3.GetObject", 30L, "op:S3.PutObject", 6L, "op:S3.DeleteObject", 4L));
        return u;
    }

    @Test
    void pricesEachCountedOperationAndDerivesTransitionsFromTheStateMachinesShape() {
        // GIVEN the usage of a run of two rounds (1 register, 2 formats, 2 submits, 10 polls, 6 collects, 1 finalize)
        // WHEN priced for a run of 1,000 items that cost $0.50 in tokens
        JsonNode b = AwsCostModel.block(usage(), SHAPE, new BigDecimal("0.50"));

        // THEN transitions: 1 + 2x2 + 2 + 3x10 + 6 + 4, + 2 for the retry round (Map, Canary pending?) = 49
        JsonNode ops = b.get("operations");
        assertThat(ops.get("state_transitions").asLong()).isEqualTo(49);
        assertThat(ops.get("lambda_invocations").asLong()).isEqualTo(22);
        assertThat(ops.get("lambda_gb_seconds").doubleValue()).isEqualTo(21.0);
        assertThat(ops.get("s3_put_class_requests").asLong()).isEqualTo(16 + 6 + 30 + 6 + 1);
        assertThat(ops.get("s3_get_class_requests").asLong()).as("DELETE is free").isEqualTo(2 + 3 + 12 + 24 + 30);
        assertThat(ops.get("dynamodb_write_units").asLong()).isEqualTo(2 + 8 + 14 + 16 + 6);
        assertThat(ops.get("dynamodb_read_units").asLong()).isEqualTo(12);
        assertThat(ops.get("sqs_requests").asLong()).isEqualTo(10);
        assertThat(ops.at("/requests_by_operation/S3.GetObject").asLong()).isEqualTo(71);
        assertThat(ops.at("/invocations_by_stage/poll").asLong()).isEqualTo(10);
        double expected = 21 * AwsPrices.LAMBDA_GB_SECOND + 22 * AwsPrices.LAMBDA_REQUEST
                + 49 * AwsPrices.SFN_STATE_TRANSITION + 59 * AwsPrices.S3_PUT_CLASS + 71 * AwsPrices.S3_GET_CLASS
                + 46 * AwsPrices.DYNAMODB_WRITE_UNIT + 12 * AwsPrices.DYNAMODB_READ_UNIT + 10 * AwsPrices.SQS_REQUEST;
        assertThat(b.get("usd").doubleValue()).isCloseTo(expected, offset(1e-8));
        double byService = 0;
        for (JsonNode v : b.get("usd_by_service")) byService += v.doubleValue();
        assertThat(byService).isCloseTo(expected, offset(1e-7));
        assertThat(b.at("/projection/run_share_of_token_cost").doubleValue()).isCloseTo(expected / 0.5, offset(1e-6));
        assertThat(b.get("prices_as_of").asText()).isEqualTo(AwsPrices.AS_OF);
    }

    @Test
    void projectsToAMillionItemsAsFixedPlusPerShardPlusPerItem() {
        // GIVEN the same run
        // WHEN projected
        JsonNode b = AwsCostModel.block(usage(), SHAPE, new BigDecimal("0.50"));

        // THEN fixed: the transitions and Lambda requests of every stage but collect, the Lambda time of register
        // and of submit and poll outside their per-shard sections, every request outside those sections (format's
        // 2 PUTs + 1 PutItem per planned shard taken out)
        double fixed = 43 * AwsPrices.SFN_STATE_TRANSITION + 16 * AwsPrices.LAMBDA_REQUEST
                + 6 * AwsPrices.LAMBDA_GB_SECOND
                + (4 + 6 + 1) * AwsPrices.S3_PUT_CLASS + (2 + 3 + 30) * AwsPrices.S3_GET_CLASS
                + (1 + 1 + 2 + 2 + 10) * AwsPrices.DYNAMODB_WRITE_UNIT + (2 + 10) * AwsPrices.DYNAMODB_READ_UNIT;
        // per shard: every collect (but its SQS), submit's and poll's sections, format's writes of each shard
        double perShard = (6 * AwsPrices.SFN_STATE_TRANSITION + 6 * AwsPrices.LAMBDA_REQUEST
                + (12 + 6 + 30) * AwsPrices.S3_PUT_CLASS + (12 + 24) * AwsPrices.S3_GET_CLASS
                + (6 + 12 + 6 + 6) * AwsPrices.DYNAMODB_WRITE_UNIT) / 6;
        // per item: the Lambda time of format, collect, finalize and of the per-shard sections, and SQS
        double perItem = ((4 + 6 + 3 + 1 + 1) * AwsPrices.LAMBDA_GB_SECOND + 10 * AwsPrices.SQS_REQUEST) / 1_000;
        JsonNode p = b.get("projection");
        assertThat(p.get("fixed_usd").doubleValue()).isCloseTo(fixed, offset(1e-8));
        assertThat(p.get("per_shard_usd").doubleValue()).isCloseTo(perShard, offset(1e-8));
        assertThat(p.get("per_item_usd").doubleValue()).isCloseTo(perItem, offset(1e-12));
        // AND the parts add up to the run's cost
        assertThat(fixed + perShard * 6 + perItem * 1_000).isCloseTo(b.get("usd").doubleValue(), offset(1e-8));
        // AND 1M items fill 250-request shards: the canary's 1 + 900,000 / 250 + 20,000 / 250
        assertThat(p.get("requests_per_shard").asLong()).isEqualTo(250);
        assertThat(p.get("shards_per_million").asLong()).isEqualTo(1 + 3_600 + 80);
        double projected = fixed + perShard * 3_681 + perItem * 1e6;
        assertThat(b.get("per_million_items_usd").doubleValue()).isCloseTo(projected, offset(1e-7));
        assertThat(b.get("share_of_token_cost").doubleValue()).isCloseTo(projected / 500.0, offset(1e-6));
        assertThat(p.get("token_cost_usd").doubleValue()).isEqualTo(500.0);
    }

    @Test
    void shardsPerMillionFollowTheByteLimitWhenItBindsFirst() {
        // GIVEN requests of 2,000 bytes on average and shard.max_bytes of 100,000 (50 requests) under max_requests 250
        var shape = new AwsCostModel.RunShape(1_000, 20, 0, new long[] {1_000}, 2_000_000L, 250, 100_000);
        // WHEN a million items are projected THEN they fill 20,000 shards of 50
        assertThat(shape.requestsPerShard()).isEqualTo(50);
        assertThat(shape.shardsPerMillion()).isEqualTo(20_000);
        // AND without limits in the job the provider's 100,000 requests apply
        var unlimited = new AwsCostModel.RunShape(1_000, 1, 0, new long[] {1_000}, 2_000_000L, 0, 0);
        assertThat(unlimited.shardsPerMillion()).isEqualTo(10);
    }
}
