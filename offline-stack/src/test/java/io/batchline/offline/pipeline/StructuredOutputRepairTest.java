package io.batchline.offline.pipeline;

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
 * The repair round with structured outputs, on the real stages, the emulators and the simulator, whose constrained
 * decoding is what is checked: with the API shaping every answer to the schema, the simulator's prose and fence
 * faults cannot happen, and what is still invalid comes only from refusals, answers cut at max_tokens and the
 * constraints the API strips from the schema (maximum, maxLength, minimum); those get their repair round, which ends
 * with a user turn. The repair round itself is tested on the in-memory ports by RepairRoundTest.
 */
class StructuredOutputRepairTest {

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
}
