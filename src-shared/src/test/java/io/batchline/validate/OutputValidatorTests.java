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

    @Test
    void givenANumberBeyondDoubleWhenValidatedThenTheOutputIsInvalidNotACrash() {
        // 1e400 reads as Infinity; the library turns numbers into decimals of their text and throws on it
        assertThat(validator.validate(json("{\"primary_category\": 1e400, \"confidence\": 0.9}")))
                .singleElement().satisfies(e -> assertThat(e).startsWith("/: a number in the output is out of range")
                        .endsWith("(number)"));
    }

    @Test
    void givenFlatSchemasWhenManyOutputsAreCheckedThenTheShortcutAgreesWithTheLibrary() {
        List<JsonNode> schemas = List.of(
                json("""
                        {"type":"object","additionalProperties":false,"required":["primary_category","confidence","reasoning"],
                         "properties":{"primary_category":{"type":"string","enum":["billing","technical","account","feature_request","other"]},
                         "confidence":{"type":"number","minimum":0,"maximum":1},"reasoning":{"type":"string","maxLength":12}}}"""),
                json("""
                        {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","required":["a"],
                         "properties":{"a":{"enum":["x","\u00e9\ud83d\ude4f"]},"b":{"type":"boolean"},
                         "c":{"type":"string","minLength":2,"maxLength":3},"d":{"type":"number","minimum":-2.5,"maximum":100}}}"""),
                // bounds no double holds exactly, and keywords outside the shortcut: the library alone judges
                json("""
                        {"type":"object","properties":{"n":{"type":"number","minimum":0.1,"maximum":0.30000000000000001}}}"""),
                json("""
                        {"type":"object","properties":{"n":{"type":"integer"},"s":{"type":"string","pattern":"^a"}}}"""));
        String[] texts = {"billing", "other", "x", "\u00e9\ud83d\ude4f", "ab", "abc", "abcd", "\ud83d\ude4f\ud83d\ude4f",
                "a\ud83d\ude4f", "", "The reasoning.", "refund"};
        String[] numbers = {"0", "1", "0.0", "-0.0", "1.0", "0.9", "1.0000000000000002", "-1e-300", "0.1", "0.3",
                "0.30000000000000004", "100", "100.5", "-2.5", "-2.6", "9007199254740993", "123456789012345678901234567890",
                "\"0.5\"", "true", "null"}; // not 1e400: it reads as Infinity, on which the library throws
        String[] names = {"primary_category", "confidence", "reasoning", "a", "b", "c", "d", "n", "s", "x"};
        java.util.Random random = new java.util.Random(11);
        int shortcutTaken = 0;
        for (JsonNode schema : schemas) {
            OutputValidator validator = new OutputValidator(schema);
            for (int i = 0; i < 3000; i++) {
                StringBuilder output = new StringBuilder("{");
                java.util.Set<String> used = new java.util.HashSet<>();
                for (int f = random.nextInt(5); f > 0; f--) {
                    String name = names[random.nextInt(names.length)];
                    if (!used.add(name)) continue;
                    if (output.length() > 1) output.append(',');
                    output.append('"').append(name).append("\":");
                    switch (random.nextInt(3)) {
                        case 0 -> output.append('"').append(texts[random.nextInt(texts.length)]).append('"');
                        case 1 -> output.append(numbers[random.nextInt(numbers.length)]);
                        default -> output.append(random.nextBoolean() ? "true" : "[1]");
                    }
                }
                JsonNode node = json(output.append('}').toString());
                List<String> library = validator.validateByLibrary(node);
                assertThat(validator.validate(node)).as("%s against %s", node, schema).isEqualTo(library);
                if (validator.hasShortcut() && library.isEmpty()) shortcutTaken++;
            }
        }
        assertThat(new OutputValidator(schemas.get(0)).hasShortcut()).isTrue();
        assertThat(new OutputValidator(schemas.get(3)).hasShortcut()).isFalse();
        assertThat(shortcutTaken).isGreaterThan(10);
        OutputValidator.FlatSchema sample = OutputValidator.FlatSchema.of(schemas.get(0));
        assertThat(sample.provesValid(json("{\"primary_category\":\"other\",\"confidence\":0.9,\"reasoning\":\"\u00e9\"}")))
                .isTrue();
        assertThat(sample.provesValid(json("{\"primary_category\":\"other\",\"confidence\":1,\"reasoning\":\"\"}"))).isTrue();
        assertThat(sample.provesValid(json("{\"primary_category\":\"other\",\"confidence\":1.01,\"reasoning\":\"\"}")))
                .isFalse();
    }
}
