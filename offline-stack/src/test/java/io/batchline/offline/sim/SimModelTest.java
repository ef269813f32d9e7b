package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SimModelTest {
    private final SimModel model = new SimModel(1);

    private static JsonNode json(String s) {
        return Json.tree(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void schemaIsTheLastJsonFenceOfTheSystemText() {
        String system = "Example:\n```json\n{\"type\":\"string\"}\n```\nRespond with a single JSON object that conforms "
                + "to this JSON Schema:\n```json\n{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}}}\n```";
        assertThat(SimModel.schemaIn(system).path("type").asText()).isEqualTo("object");
        assertThat(SimModel.schemaIn("no schema here")).isNull();
        assertThat(SimModel.schemaIn("```json\nnot json\n```")).isNull();
    }

    @Test
    void generatedValuesRespectRefsRangesArraysAndLengths() {
        JsonNode schema = json("{\"type\":\"object\",\"$defs\":{\"level\":{\"type\":\"string\",\"enum\":[\"low\",\"high\"]}},"
                + "\"properties\":{\"level\":{\"$ref\":\"#/$defs/level\"},"
                + "\"count\":{\"type\":\"integer\",\"minimum\":3,\"maximum\":5},"
                + "\"score\":{\"type\":[\"number\",\"null\"],\"exclusiveMinimum\":10,\"maximum\":11},"
                + "\"labels\":{\"type\":\"array\",\"minItems\":2,\"maxItems\":2,\"uniqueItems\":true,"
                + "\"items\":{\"type\":\"string\",\"enum\":[\"x\",\"y\",\"z\"]}},"
                + "\"code\":{\"type\":\"string\",\"minLength\":5,\"maxLength\":6},\"ok\":{\"type\":\"boolean\"}},"
                + "\"required\":[\"level\",\"count\",\"score\",\"labels\",\"code\",\"ok\"]}");
        for (int i = 0; i < 50; i++) {
            JsonNode v = model.generate(schema, schema, "", "id-" + i, "nothing relevant");
            assertThat(v.path("level").asText()).isIn("low", "high");
            assertThat(v.path("count").isIntegralNumber()).isTrue();
            assertThat(v.path("count").asInt()).isBetween(3, 5);
            if (!v.path("score").isNull()) { // ["number","null"]: now and then nothing was found
                assertThat(v.path("score").asDouble()).isGreaterThan(10).isLessThanOrEqualTo(11);
            }
            assertThat(v.path("labels")).hasSize(2);
            assertThat(v.path("labels").get(0)).isNotEqualTo(v.path("labels").get(1));
            assertThat(v.path("code").asText().length()).isBetween(5, 6);
            assertThat(v.path("ok").isBoolean()).isTrue();
        }
    }

    @Test
    void enumPrefersWordsAndSynonymsFromTheUserMessage() {
        JsonNode schema = json("{\"type\":\"string\",\"enum\":[\"billing\",\"bug\",\"feature_request\",\"other\"]}");
        assertThat(model.generate(schema, schema, "category", "a", "My INVOICE is wrong").asText()).isEqualTo("billing");
        assertThat(model.generate(schema, schema, "category", "a", "it crashes").asText()).isEqualTo("bug");
        assertThat(model.generate(schema, schema, "category", "a", "a new feature please").asText())
                .isEqualTo("feature_request");
    }

    @Test
    void confidenceSpreadsOverTiers() {
        JsonNode schema = json("{\"type\":\"number\",\"minimum\":0,\"maximum\":1}");
        int high = 0, mid = 0, low = 0;
        for (int i = 0; i < 1000; i++) {
            double c = model.generate(schema, schema, "/confidence", "id-" + i, "").asDouble();
            assertThat(c).isBetween(0.0, 1.0);
            if (c >= 0.9) high++; else if (c >= 0.7) mid++; else low++;
        }
        assertThat(high).isGreaterThan(mid);
        assertThat(mid).isGreaterThan(low);
        assertThat(low).isPositive();
    }

    @Test
    void plainTextWithoutSchemaToolUseWhenForcedAndTruncationAtMaxTokens() {
        ObjectNode p = (ObjectNode) json("{\"model\":\"m\",\"max_tokens\":100,\"system\":\"Be brief.\","
                + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello there\"}]}]}");
        JsonNode plain = model.respond("c1", p, SimModel.Cache.NONE, false);
        assertThat(plain.path("content").get(0).path("text").asText()).contains("Hello there");
        assertThat(plain.path("usage").path("cache_read_input_tokens").asLong()).isZero();

        ObjectNode tools = p.deepCopy();
        tools.set("tools", json("[{\"name\":\"classify\",\"input_schema\":{\"type\":\"object\","
                + "\"properties\":{\"label\":{\"type\":\"string\",\"enum\":[\"greeting\",\"other\"]}},\"required\":[\"label\"]}}]"));
        tools.set("tool_choice", json("{\"type\":\"tool\",\"name\":\"classify\"}"));
        JsonNode used = model.respond("c1", tools, SimModel.Cache.NONE, false);
        assertThat(used.path("stop_reason").asText()).isEqualTo("tool_use");
        assertThat(used.path("content").get(0).path("input").path("label").asText()).isIn("greeting", "other");

        ObjectNode tiny = p.deepCopy();
        tiny.put("max_tokens", 2);
        JsonNode cut = model.respond("c1", tiny, SimModel.Cache.NONE, false);
        assertThat(cut.path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(cut.path("content").get(0).path("text").asText()).hasSizeLessThanOrEqualTo(8);
    }
}
