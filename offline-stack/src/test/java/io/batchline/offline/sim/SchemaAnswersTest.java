package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.validate.OutputValidator;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Answers for a varied set of job schemas (answer-schemas.json) are valid under the product's validator. */
class SchemaAnswersTest {
    private static final int IDS_PER_SCHEMA = 60;
    private static final String USER = "Subject: contract renewal\n\nMessage:\nPlease check the attached agreement.\n";

    private final SimModel model = new SimModel(11);

    private static JsonNode schemas() throws IOException {
        try (InputStream in = SchemaAnswersTest.class.getResourceAsStream("answer-schemas.json")) {
            return Json.tree(in.readAllBytes());
        }
    }

    /** The answer as the pipeline sees it: written as JSON text and read back. */
    private JsonNode answer(JsonNode schema, String customId) {
        return Json.tree(Json.bytes(model.generate(schema, schema, "", customId, USER)));
    }

    @Test
    void everyAnswerIsValidUnderItsSchema() throws IOException {
        JsonNode schemas = schemas();
        assertThat(schemas.size()).isGreaterThanOrEqualTo(25);
        List<String> failures = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = schemas.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            OutputValidator validator = new OutputValidator(e.getValue());
            for (int i = 0; i < IDS_PER_SCHEMA; i++) {
                String customId = "c-" + i;
                JsonNode answer = answer(e.getValue(), customId);
                List<String> errors = validator.validate(answer);
                if (!errors.isEmpty()) {
                    failures.add("schema " + e.getKey() + ", custom_id " + customId + ": " + errors + " in " + answer);
                }
            }
        }
        assertThat(failures).as(String.join("\n", failures)).isEmpty();
    }

    @Test
    void answersAreTheSameOnEveryRun() throws IOException {
        JsonNode schemas = schemas();
        SimModel again = new SimModel(11);
        for (Iterator<Map.Entry<String, JsonNode>> it = schemas.fields(); it.hasNext(); ) {
            JsonNode schema = it.next().getValue();
            for (int i = 0; i < 5; i++) {
                assertThat(again.generate(schema, schema, "", "c-" + i, USER))
                        .isEqualTo(model.generate(schema, schema, "", "c-" + i, USER));
            }
        }
    }

    @Test
    void nullableFieldsAreMostlyFilledAndSometimesNull() throws IOException {
        JsonNode schema = schemas().get("nullable-unions");
        int nulls = 0;
        for (int i = 0; i < 200; i++) if (answer(schema, "c-" + i).get("a").isNull()) nulls++;
        assertThat(nulls).isBetween(10, 60);
    }

    @Test
    void everyOneOfBranchIsUsed() throws IOException {
        JsonNode schema = schemas().get("oneof-discriminated");
        Set<String> kinds = new HashSet<>();
        for (int i = 0; i < 60; i++) kinds.add(answer(schema, "c-" + i).path("event").path("kind").asText());
        assertThat(kinds).containsExactlyInAnyOrder("payment", "refund", "note");
    }

    @Test
    void datesUnderADatePatternAreRealDates() throws IOException {
        JsonNode schema = schemas().get("contract-extraction");
        for (int i = 0; i < 20; i++) {
            String date = answer(schema, "c-" + i).get("effective_date").asText();
            assertThat(java.time.LocalDate.parse(date)).isNotNull();
        }
    }
}
