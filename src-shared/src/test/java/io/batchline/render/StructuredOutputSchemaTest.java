package io.batchline.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StructuredOutputSchemaTest {

    private static JsonNode json(String text) {
        return Json.tree(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void whatTheApiCannotEnforceMovesToTheDescriptionAndIsListed() {
        StructuredOutputSchema sent = StructuredOutputSchema.of(json("""
                {"type":"object","additionalProperties":false,"required":["category","confidence","reasoning"],
                 "properties":{"category":{"type":"string","enum":["a","b"]},
                  "confidence":{"type":"number","minimum":0,"maximum":1,"description":"How sure."},
                  "reasoning":{"type":"string","maxLength":500},
                  "when":{"type":["string","null"],"format":"date","pattern":"^\\\\d{4}-\\\\d{2}-\\\\d{2}$"},
                  "tags":{"type":"array","items":{"type":"string"},"minItems":1,"maxItems":5,"uniqueItems":true}}}"""));

        JsonNode props = sent.schema().get("properties");
        assertThat(props.get("category")).isEqualTo(json("{\"type\":\"string\",\"enum\":[\"a\",\"b\"]}"));
        assertThat(props.get("confidence").has("minimum")).isFalse();
        assertThat(props.get("confidence").get("description").asText())
                .isEqualTo("How sure.\n\nConstraints: {\"minimum\":0,\"maximum\":1}");
        assertThat(props.get("reasoning").get("description").asText()).endsWith("Constraints: {\"maxLength\":500}");
        // supported formats and simple patterns stay; minItems 1 stays, the rest of the array bounds move
        assertThat(props.get("when").get("format").asText()).isEqualTo("date");
        assertThat(props.get("when").has("pattern")).isTrue();
        assertThat(props.get("tags").get("minItems").asInt()).isEqualTo(1);
        assertThat(props.get("tags").get("description").asText()).endsWith("Constraints: {\"maxItems\":5,\"uniqueItems\":true}");
        assertThat(sent.stripped()).containsExactly("$.confidence: minimum", "$.confidence: maximum",
                "$.reasoning: maxLength", "$.tags: maxItems", "$.tags: uniqueItems");
    }

    @Test
    void everyObjectGetsAdditionalPropertiesFalseAndOneOfIsSentAsAnyOf() {
        StructuredOutputSchema sent = StructuredOutputSchema.of(json("""
                {"type":"object","properties":{"party":{"type":"object","properties":{"name":{"type":"string"}},
                  "additionalProperties":true},
                 "kind":{"oneOf":[{"const":"x"},{"const":"y"}]},
                 "items":{"type":"array","items":{"$ref":"#/$defs/line"}}},
                 "$defs":{"line":{"type":"object","properties":{"n":{"type":"integer","multipleOf":2}}}}}"""));

        JsonNode s = sent.schema();
        assertThat(s.get("additionalProperties").asBoolean(true)).isFalse();
        assertThat(s.at("/properties/party/additionalProperties").asBoolean(true)).isFalse();
        assertThat(s.at("/properties/party/description").asText()).endsWith("Constraints: {\"additionalProperties\":true}");
        assertThat(s.at("/properties/kind").has("oneOf")).isFalse();
        assertThat(s.at("/properties/kind/anyOf")).hasSize(2);
        assertThat(s.at("/$defs/line/additionalProperties").asBoolean(true)).isFalse();
        assertThat(s.at("/$defs/line/properties/n").has("multipleOf")).isFalse();
        assertThat(sent.stripped()).contains("$.party: additionalProperties", "$.kind: oneOf (sent as anyOf)",
                "$.line.n: multipleOf");
    }
}
