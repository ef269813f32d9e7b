package io.batchline.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class OutputValidatorTests {

    private static final JsonNode TICKET_SCHEMA = json("""
            {"type": "object",
             "required": ["primary_category", "confidence"],
             "additionalProperties": false,
             "properties": {
               "primary_category": {"enum": ["billing", "technical", "account", "feature_request", "other"]},
               "confidence": {"type": "number", "minimum": 0, "maximum": 1},
               "tags": {"type": "array", "items": {"type": "string"}}
             }}""");

    private final OutputValidator validator = new OutputValidator(TICKET_SCHEMA);

    @Test
    void validOutputHasNoErrors() {
        assertThat(validator.validate(json("{\"primary_category\": \"billing\", \"confidence\": 0.9}"))).isEmpty();
    }

    @Test
    void enumErrorNamesThePointerTheAllowedValuesAndTheRule() {
        List<String> errors = validator.validate(json("{\"primary_category\": \"refund\", \"confidence\": 0.9}"));

        assertThat(errors).containsExactly("/primary_category: does not have a value in the enumeration "
                + "[\"billing\", \"technical\", \"account\", \"feature_request\", \"other\"] (enum)");
    }

    @Test
    void errorsAreSortedAndPointIntoArrays() {
        List<String> errors = validator.validate(
                json("{\"primary_category\": \"billing\", \"confidence\": 1.5, \"tags\": [\"a\", 7], \"x\": 1}"));

        assertThat(errors).hasSize(3).isSorted();
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("/confidence: ").endsWith("(maximum)"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("/tags/1: ").endsWith("(type)"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("/: ").contains("'x'")
                .endsWith("(additionalProperties)"));
    }

    @Test
    void missingRequiredPropertyIsReportedAtTheRoot() {
        assertThat(validator.validate(json("{\"primary_category\": \"other\"}")))
                .containsExactly("/: required property 'confidence' not found (required)");
    }

    @Test
    void formatIsAsserted() {
        OutputValidator dates = new OutputValidator(
                json("{\"properties\": {\"due\": {\"type\": \"string\", \"format\": \"date\"}}}"));

        assertThat(dates.validate(json("{\"due\": \"2026-02-30x\"}")))
                .singleElement().satisfies(e -> assertThat(e).startsWith("/due: ").endsWith("(format)"));
        assertThat(dates.validate(json("{\"due\": \"2026-02-03\"}"))).isEmpty();
    }

    @Test
    void declaredDraftIsHonoured() {
        // draft-07 reads "items": [...] as a tuple; 2020-12 would reject that form (it is prefixItems there).
        OutputValidator draft7 = new OutputValidator(json("""
                {"$schema": "http://json-schema.org/draft-07/schema#",
                 "type": "object", "properties": {"pair": {"items": [{"type": "string"}, {"type": "integer"}]}}}"""));

        assertThat(draft7.validate(json("{\"pair\": [\"a\", 1]}"))).isEmpty();
        assertThat(draft7.validate(json("{\"pair\": [\"a\", \"b\"]}")))
                .singleElement().satisfies(e -> assertThat(e).startsWith("/pair/1: ").endsWith("(type)"));
    }

    @Test
    void sharedValidatorGivesTheSameAnswersFromManyThreads() throws Exception {
        JsonNode bad = json("{\"primary_category\": \"refund\", \"confidence\": 2}");
        List<String> expected = validator.validate(bad);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                results.add(pool.submit(() -> validator.validate(bad)));
            }
            for (Future<List<String>> result : results) {
                assertThat(result.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(expected).hasSize(2);
    }

    @Test
    void invalidSchemaIsRejectedWithTheOffendingKeyword() {
        assertThatThrownBy(() -> OutputValidator.checkSchema(json("{\"type\": \"strin\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("output_schema is not a valid JSON Schema (https://json-schema.org/draft/2020-12/schema): ")
                .hasMessageContaining("/type");
        assertThatThrownBy(() -> new OutputValidator(json("{\"properties\": {\"a\": {\"minimum\": \"zero\"}}}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("/properties/a/minimum");
    }

    @Test
    void schemaThatIsNotAnObjectOrHasAnUnknownDraftIsRejected() {
        assertThatThrownBy(() -> OutputValidator.checkSchema(null)).hasMessage("output_schema is missing");
        assertThatThrownBy(() -> OutputValidator.checkSchema(json("[1]")))
                .hasMessage("output_schema must be a JSON object, found array");
        assertThatThrownBy(() -> OutputValidator.checkSchema(json("{\"$schema\": \"https://example.com/my-draft\"}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("output_schema $schema 'https://example.com/my-draft' is not a supported JSON Schema draft");
    }

    @Test
    void danglingReferenceFailsAtConstruction() {
        assertThatThrownBy(() -> new OutputValidator(json("{\"properties\": {\"a\": {\"$ref\": \"#/$defs/nope\"}}}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("output_schema cannot be compiled: ");
    }

    private static JsonNode json(String text) {
        return Json.tree(text.getBytes(StandardCharsets.UTF_8));
    }
}
