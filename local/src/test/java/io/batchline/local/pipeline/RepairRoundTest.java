package io.batchline.local.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.testing.TicketTriage;
import io.batchline.validate.InvalidOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The repair round on the real stages and the simulator's invalid_json and schema_violation faults: an item whose
 * answer is not JSON or breaks the schema is sent once more, alone, with its answer and the errors; what is still
 * invalid then is rejected with the reason; report.json counts repaired and rejected_invalid.
 */
class RepairRoundTest {
    @Test
    void invalidAnswersGetOneRepairAndWhatIsStillInvalidIsRejectedWithTheReason() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(11).nonJsonRate(0.1).schemaViolationRate(0.1))) {
            RunDriver driver = new RunDriver(f);
            String runId = driver.run("repair-0000000001", TicketTriage.job("").getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(200));

            List<JsonNode> all = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) all.addAll(driver.outcomes(runId, kind));
            assertThat(all).hasSize(200);
            List<JsonNode> repaired = all.stream().filter(n -> n.path("repaired").asBoolean(false)).toList();
            List<JsonNode> stillInvalid = all.stream()
                    .filter(n -> n.path("reason").asText().startsWith(InvalidOutput.AFTER_REPAIR)).toList();
            assertThat(repaired).as("items repaired").hasSizeGreaterThan(10);
            assertThat(repaired).allSatisfy(n -> {
                assertThat(n.get("attempts").asInt()).isEqualTo(2);
                assertThat(n.get("outcome").asText()).isIn("accepted", "review", "rejected");
                assertThat(n.path("output").path("primary_category").asText()).isNotEmpty();
                assertThat(n.get("custom_id").asText()).startsWith("a2-");
            });
            // one repair only: what failed again is rejected in attempt 2, never sent a third time
            assertThat(stillInvalid).isNotEmpty().allSatisfy(n -> {
                assertThat(n.get("outcome").asText()).isEqualTo("rejected");
                assertThat(n.get("attempts").asInt()).isEqualTo(2);
            });
            assertThat(f.store.list(RunKeys.retryPrefix(runId, 3)).stream()
                    .flatMap(k -> driver.lines(k).stream()).toList()).isEmpty();
            // no invalid answer is rejected without its repair round
            assertThat(all).filteredOn(n -> InvalidOutput.isInvalidOutputReason(n.path("reason").asText()))
                    .allSatisfy(n -> assertThat(n.get("reason").asText()).startsWith(InvalidOutput.AFTER_REPAIR));

            // the repair request: the original turn, the invalid answer, the errors and the schema
            List<JsonNode> repairs = driver.lines(RunKeys.shard(runId, 2, 0));
            assertThat(repairs).isNotEmpty().allSatisfy(r -> {
                JsonNode messages = r.at("/params/messages");
                assertThat(messages).hasSize(3);
                assertThat(messages.get(0).get("content").asText()).startsWith("Subject: ");
                assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
                assertThat(messages.get(1).get("content").asText()).isNotBlank();
                assertThat(messages.get(2).get("content").asText()).startsWith("Your answer was invalid: ")
                        .contains("\"primary_category\"")
                        .contains("Reply with only a JSON object that conforms to the schema");
            });
            assertThat(driver.lines(RunKeys.shardIndex(runId, 2, 0)))
                    .allSatisfy(i -> assertThat(i.path("repair").asBoolean()).isTrue());

            JsonNode report = driver.report(runId);
            assertThat(report.get("repaired").asLong()).isEqualTo(repaired.size());
            assertThat(report.get("rejected_invalid").asLong()).isEqualTo(stillInvalid.size());
        }
    }

    @Test
    void withStructuredOutputsInvalidAnswersComeOnlyFromRefusalsCutsAndStrippedConstraints() throws Exception {
        // GIVEN the simulator's prose faults (non-JSON, fenced) and its schema violations, refusals, and a budget so
        // small that some answers are cut at max_tokens
        try (StageFixture f = new StageFixture(b -> b.seed(13).nonJsonRate(0.1).fencedJsonRate(0.1)
                .schemaViolationRate(0.15).refusalRate(0.05))) {
            RunDriver driver = new RunDriver(f);
            String runId = driver.run("repair-0000000003", TicketTriage.job("structured_output: on\n")
                    .replace("max_tokens: 300", "max_tokens: 32").getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(200));

            List<JsonNode> all = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) all.addAll(driver.outcomes(runId, kind));
            assertThat(all).hasSize(200);
            JsonNode report = driver.report(runId);
            JsonNode causes = report.get("invalid_output_causes");
            // THEN the API's decoding keeps every answer JSON of the schema's shape: no prose, no fence, no enum miss
            assertThat(causes.fieldNames()).toIterable().isSubsetOf("refusal", "max_tokens", "no_text", "schema");
            assertThat(causes.path("refusal").asLong()).isPositive();
            assertThat(causes.path("max_tokens").asLong()).isPositive();
            assertThat(causes.path("schema").asLong()).isPositive();
            // schema errors are only the constraints the API does not enforce (maximum, maxLength), sent as text
            assertThat(all).filteredOn(n -> "schema".equals(InvalidOutput.cause(n.path("reason").asText())))
                    .allSatisfy(n -> assertThat(n.get("reason").asText()).containsAnyOf("maximum", "maxLength", "minimum"));
            assertThat(all).filteredOn(n -> "refusal".equals(InvalidOutput.cause(n.path("reason").asText())))
                    .allSatisfy(n -> assertThat(n.get("reason").asText()).contains("declined to answer"));
            // and every invalid answer had its repair round (no prefill: the repair ends with a user turn)
            assertThat(driver.lines(RunKeys.shard(runId, 2, 0))).isNotEmpty().allSatisfy(r ->
                    assertThat(r.at("/params/messages").get(r.at("/params/messages").size() - 1).path("role").asText())
                            .isEqualTo("user"));
        }
    }

    @Test
    void withRepairOffAnInvalidAnswerIsRejectedAtOnce() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(11).nonJsonRate(0.1).schemaViolationRate(0.1))) {
            RunDriver driver = new RunDriver(f);
            String runId = driver.run("repair-0000000002", TicketTriage.job("repair: false\n").getBytes(StandardCharsets.UTF_8),
                    TicketTriage.tickets(100));

            List<JsonNode> rejected = driver.outcomes(runId, OutcomeKind.REJECTED);
            List<JsonNode> invalid = rejected.stream()
                    .filter(n -> InvalidOutput.isInvalidOutputReason(n.path("reason").asText())).toList();
            assertThat(invalid).isNotEmpty().allSatisfy(n -> {
                assertThat(n.get("attempts").asInt()).isEqualTo(1);
                assertThat(n.get("reason").asText()).doesNotStartWith(InvalidOutput.AFTER_REPAIR);
            });
            assertThat(invalid).anySatisfy(n -> assertThat(n.get("reason").asText()).startsWith(InvalidOutput.NOT_JSON));
            assertThat(invalid).anySatisfy(n -> assertThat(n.get("reason").asText()).startsWith(InvalidOutput.SCHEMA)
                    .containsPattern("/[a-z_]*: .*\\(\\w+\\)"));
            assertThat(f.store.list(RunKeys.retryPrefix(runId, 2)).stream()
                    .flatMap(k -> driver.lines(k).stream()).toList()).isEmpty();
            JsonNode report = driver.report(runId);
            assertThat(report.get("repaired").asLong()).isZero();
            assertThat(report.get("rejected_invalid").asLong()).isEqualTo(invalid.size());
        }
    }
}
