package io.batchline.cost;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AwsCostModelTest {

    @Test
    void pricesEachCountedOperationAndDerivesTransitionsFromTheStateMachinesShape() {
        // GIVEN a run of one round: 1 register, 1 format, 1 submit, 10 polls, 5 collects, 1 finalize
        Map<String, Long> counters = new TreeMap<>(Map.of(
                "inv:register", 1L, "inv:format", 1L, "inv:submit", 1L, "inv:poll", 10L, "inv:collect", 5L,
                "inv:finalize", 1L, "lambda_mb_ms", 1024L * 20_000, // 20 s at 1 GB
                "op:S3.PutObject", 100L, "op:S3.GetObject", 1_000L, "op:S3.DeleteObject", 7L));
        counters.put("op:DynamoDb.UpdateItem", 40L);
        counters.put("op:DynamoDb.Query", 20L);
        counters.put("op:Sqs.SendMessageBatch", 3L);

        // WHEN priced for a run of 1,000 items that cost $0.50 in tokens
        JsonNode b = AwsCostModel.block(counters, 1_000, new BigDecimal("0.50"));

        // THEN transitions: 1 + 2 + 1 + 3x10 + 5 + 4 + 2 for the round (Map, Canary pending?) = 45
        JsonNode ops = b.get("operations");
        assertThat(ops.get("state_transitions").asLong()).isEqualTo(45);
        assertThat(ops.get("lambda_invocations").asLong()).isEqualTo(19);
        assertThat(ops.get("lambda_gb_seconds").doubleValue()).isEqualTo(20.0);
        assertThat(ops.get("s3_put_class_requests").asLong()).isEqualTo(100);
        assertThat(ops.get("s3_get_class_requests").asLong()).as("DELETE is free").isEqualTo(1_000);
        assertThat(ops.get("dynamodb_write_units").asLong()).isEqualTo(40);
        assertThat(ops.get("dynamodb_read_units").asLong()).isEqualTo(20);
        assertThat(ops.get("sqs_requests").asLong()).isEqualTo(3);
        double expected = 20 * AwsPrices.LAMBDA_GB_SECOND + 19 * AwsPrices.LAMBDA_REQUEST
                + 45 * AwsPrices.SFN_STATE_TRANSITION + 100 * AwsPrices.S3_PUT_CLASS + 1_000 * AwsPrices.S3_GET_CLASS
                + 40 * AwsPrices.DYNAMODB_WRITE_UNIT + 20 * AwsPrices.DYNAMODB_READ_UNIT + 3 * AwsPrices.SQS_REQUEST;
        assertThat(b.get("usd").doubleValue()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-8));
        double byService = 0;
        for (JsonNode v : b.get("usd_by_service")) byService += v.doubleValue();
        assertThat(byService).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(b.get("per_million_items_usd").doubleValue())
                .isCloseTo(expected * 1_000, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(b.get("share_of_token_cost").doubleValue())
                .isCloseTo(expected / 0.5, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(b.get("prices_as_of").asText()).isEqualTo(AwsPrices.AS_OF);
    }
}
