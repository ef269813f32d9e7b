package io.batchline.escalate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import io.batchline.render.PromptRenderer;
import io.batchline.validate.RepairPrompt;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The escalation request: the first request's user message, the escalation's model, max_tokens and system. */
class EscalationRoundTest {
    private static JobSpec job(String escalation) {
        return JobSpecLoader.load(("""
                name: j
                model: claude-haiku-5-5
                system: Sort the ticket.
                user_template: "Ticket: {{subject}}"
                max_tokens: 300
                output_schema: {type: object, required: [team, confidence], properties: {team: {type: string},
                  confidence: {type: number}}}
                """ + escalation).getBytes(StandardCharsets.UTF_8),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    private static EscalationRound escalation(JobSpec job) {
        return EscalationRound.of(job, ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    private static ObjectNode first(JobSpec job) {
        return new PromptRenderer(job,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(Json.tree("{\"subject\":\"refund please\"}".getBytes(StandardCharsets.UTF_8)),
                null);
    }

    @Test
    void theEscalationRequestKeepsTheUserMessageAndTakesTheEscalationsSettings() {
        JobSpec job = job("escalation: {model: claude-opus-4-6, max_tokens: 500, system: Be careful.}\n");
        ObjectNode first = first(job);
        // a repaired first request: the repair turns are not carried into the escalation
        ObjectNode repaired = RepairPrompt.params(first, "{oops", "not JSON", job.outputSchema());
        JsonNode params = escalation(job).params(repaired);
        assertThat(params.get("model").asText()).isEqualTo("claude-opus-4-6");
        assertThat(params.get("max_tokens").asInt()).isEqualTo(500);
        assertThat(params.get("messages")).hasSize(1);
        assertThat(params.at("/messages/0/content").asText()).isEqualTo("Ticket: refund please");
        assertThat(params.at("/system/0/text").asText()).startsWith("Be careful.");
        assertThat(params.at("/system/0/cache_control/type").asText()).isEqualTo("ephemeral");
        assertThat(params.at("/output_config/format/type").asText()).isEqualTo("json_schema");
        assertThat(first.get("model").asText()).isEqualTo("claude-haiku-5-5"); // the first request is left as it was
    }

    @Test
    void theWorstCaseGrowsEachRequestByHowMuchLongerTheEscalationsSystemPromptIs() {
        // one dollar per million tokens in and out, flat: the worst case counts tokens
        io.batchline.cost.Price flat = new io.batchline.cost.Price("m", "2026-12-06", java.math.BigDecimal.ONE,
                java.math.BigDecimal.ONE, java.math.BigDecimal.ONE, java.math.BigDecimal.ONE, java.math.BigDecimal.ONE);
        String longer = "Be careful. ".repeat(200);
        JobSpec sameSystem = job("escalation: {model: claude-opus-4-6, max_tokens: 500}\n");
        JobSpec longerSystem = job("escalation: {model: claude-opus-4-6, max_tokens: 500, system: \"" + longer + "\"}\n");
        long extra = io.batchline.render.TokenEstimator.tokensForBytes(io.batchline.render.TokenEstimator.utf8Length(
                PromptRenderer.systemText(EscalationRound.jobOf(longerSystem), false)))
                - io.batchline.render.TokenEstimator.tokensForBytes(io.batchline.render.TokenEstimator.utf8Length(
                PromptRenderer.systemText(longerSystem, false)));
        assertThat(extra).isGreaterThan(300);

        java.math.BigDecimal same = escalation(sameSystem).worstCase(flat, 10, 1_000, 200);
        java.math.BigDecimal grown = escalation(longerSystem).worstCase(flat, 10, 1_000, 200);
        assertThat(same).isEqualByComparingTo(flat.worstCase(1_000, 10 * 500L, 220));
        assertThat(grown).isEqualByComparingTo(flat.worstCase(1_000 + 10 * extra, 10 * 500L, (200 + extra) * 11 / 10));
    }

    @Test
    void unsetSettingsAreTheJobs() {
        JobSpec job = job("escalation: {model: claude-opus-4-6, structured_output: off}\n");
        JsonNode params = escalation(job).params(first(job));
        assertThat(params.get("max_tokens").asInt()).isEqualTo(300);
        assertThat(params.at("/system/0/text").asText()).startsWith("Sort the ticket.").contains("```json");
        assertThat(params.has("output_config") && params.get("output_config").has("format")).isFalse();
    }

    @Test
    void theEscalatedFromEntryIsFoundInAHistory() {
        JsonNode history = Json.tree(("[{\"attempt\":1,\"result\":\"escalated\",\"tier\":\"rejected\"},"
                + "{\"attempt\":2,\"result\":\"succeeded\"}]").getBytes(StandardCharsets.UTF_8));
        assertThat(EscalationRound.escalatedFrom(history).get("tier").asText()).isEqualTo("rejected");
        assertThat(EscalationRound.escalatedFrom(null)).isNull();
        assertThat(EscalationRound.escalatedFrom(Json.tree("[{\"result\":\"errored\"}]".getBytes(StandardCharsets.UTF_8))))
                .isNull();
    }
}
