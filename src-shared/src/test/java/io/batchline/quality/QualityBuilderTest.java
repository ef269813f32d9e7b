package io.batchline.quality;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeLine;
import io.batchline.validate.RepairPrompt;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QualityBuilderTest {

    private static OutcomeLine line(String truth, String predicted) {
        JsonNode output = predicted == null ? null : Json.MAPPER.createObjectNode().put("category", predicted);
        return OutcomeLine.of("x", 1, predicted == null ? "failed" : "accepted").reason(predicted == null ? "no" : null)
                .output(output).attempts(1).groundTruth(truth).build();
    }

    @Test
    void precisionRecallF1AndConfusionOfAHandCountedExample() {
        QualityBuilder q = new QualityBuilder("category");
        // truth a: a, a, b ; truth b: b, (no answer) ; unlabelled lines do not count
        q.accept(line("a", "a"));
        q.accept(line("a", "a"));
        q.accept(line("a", "b"));
        q.accept(line("b", "b"));
        q.accept(line("b", null));
        q.accept(line(null, "a"));
        JsonNode j = q.toJson();
        assertThat(j.get("labelled").asLong()).isEqualTo(5);
        assertThat(j.get("accuracy").decimalValue()).isEqualByComparingTo("0.6");
        assertThat(j.at("/per_class/a/precision").decimalValue()).isEqualByComparingTo("1");
        assertThat(j.at("/per_class/a/recall").decimalValue()).isEqualByComparingTo("0.6667");
        assertThat(j.at("/per_class/a/f1").decimalValue()).isEqualByComparingTo("0.8");
        assertThat(j.at("/per_class/b/precision").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(j.at("/per_class/b/recall").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(j.at("/per_class/b/support").asLong()).isEqualTo(2);
        assertThat(j.at("/confusion/a/b").asLong()).isEqualTo(1);
        assertThat(j.at("/confusion/b/" + QualityBuilder.NO_ANSWER.replace("/", "~1")).asLong()).isEqualTo(1);
    }

    @Test
    void theComparedFieldIsTheLabelsNamesakeElseTheFirstStringEnum() {
        JsonNode schema = Json.tree("""
                {"properties":{"confidence":{"type":"number"},"primary_category":{"enum":["x","y"]},
                 "label":{"type":"string"}}}""".getBytes(StandardCharsets.UTF_8));
        assertThat(QualityBuilder.outputFieldOf(schema, "label")).isEqualTo("label");
        assertThat(QualityBuilder.outputFieldOf(schema, "truth")).isEqualTo("primary_category");
    }

    @Test
    void theRepairPromptAppendsTheAnswerAndTheErrorsAndKeepsTheCachedSystem() {
        JsonNode params = Json.tree("""
                {"model":"m","system":[{"type":"text","text":"S","cache_control":{"type":"ephemeral"}}],
                 "messages":[{"role":"user","content":"ticket"}]}""".getBytes(StandardCharsets.UTF_8));
        JsonNode schema = Json.tree("{\"type\":\"object\"}".getBytes(StandardCharsets.UTF_8));
        JsonNode repaired = RepairPrompt.params(params, "Sure! {bad  \n", "/x: missing (required)", schema);
        assertThat(repaired.get("system")).isEqualTo(params.get("system"));
        assertThat(repaired.at("/messages/1/content").asText()).isEqualTo("Sure! {bad");
        assertThat(repaired.at("/messages/2/content").asText())
                .startsWith("Your answer was invalid: /x: missing (required). Reply with only a JSON object")
                .contains("{\"type\":\"object\"}");
        assertThat(params.get("messages")).hasSize(1); // the original is not changed
        assertThat(RepairPrompt.params(params, "  ", "e", schema).at("/messages/1/content").asText()).isNotBlank();
    }
}
