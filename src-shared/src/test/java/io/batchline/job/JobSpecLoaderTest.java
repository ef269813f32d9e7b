package io.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.catalogue.ModelCatalogue;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JobSpecLoaderTest {

    static final String MINIMAL = """
            name: t
            model: claude-haiku-4-5-20251001
            user_template: "Classify: {{text}}"
            max_tokens: 100
            output_schema:
              type: object
              required: [label, confidence]
              properties:
                label: {type: string}
                confidence: {type: number, minimum: 0, maximum: 1}
            """;

    static JobSpec load(String yaml) {
        return JobSpecLoader.load(yaml.getBytes(StandardCharsets.UTF_8),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    static JobSpecException failure(String yaml) {
        try {
            load(yaml);
        } catch (JobSpecException e) {
            return e;
        }
        throw new AssertionError("expected the job spec to be refused:\n" + yaml);
    }

    @Test
    void fillsDefaults() {
        JobSpec job = load(MINIMAL);
        assertThat(job.name()).isEqualTo("t");
        assertThat(job.model()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(job.system()).isEmpty();
        assertThat(job.temperature()).isNull(); // not sent: the model's default
        assertThat(job.idField()).isEqualTo("id");
        assertThat(job.confidence()).isEqualTo(new JobSpec.Confidence("confidence", 0.9, 0.7));
        assertThat(job.shard()).isEqualTo(new JobSpec.Shard(10_000, 104_857_600L));
        assertThat(job.maxAttempts()).isEqualTo(3);
        assertThat(job.maxLineBytes()).isEqualTo(1_048_576);
        assertThat(job.outputSchema().path("properties").has("label")).isTrue();
    }

    @Test
    void keepsGivenValuesAndFillsPartialSections() {
        JobSpec job = load(MINIMAL + """
                temperature: 0.5
                confidence: {accept_at: 0.95}
                shard: {max_bytes: 5000}
                """);
        assertThat(job.temperature()).isEqualTo(0.5);
        assertThat(job.confidence()).isEqualTo(new JobSpec.Confidence("confidence", 0.95, 0.7));
        assertThat(job.shard()).isEqualTo(new JobSpec.Shard(10_000, 5000));
    }

    @Test
    void reportsEveryProblemAtOnceWithItsPath() {
        JobSpecException e = failure("""
                name: t
                model: claude-haiku-4-5
                user_template: "Subject: {{subject"
                max_tokens: 0
                confidence: {accept_at: 1.5, review_at: 0.2}
                shard: {max_requests: 200000}
                output_schema:
                  type: object
                  properties:
                    label: {type: string}
                """);
        assertThat(e.getMessage()).startsWith("job spec invalid: ");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("$.max_tokens: ").contains("1"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("$.confidence.accept_at: ").contains("1"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("$.shard.max_requests: ").contains("100000"));
        assertThat(e.problems()).contains("$.user_template: unclosed placeholder at column 10");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("$.model: 'claude-haiku-4-5' is an alias").contains("allow_unpinned_model"));
        assertThat(e.problems()).contains(
                "$.confidence.field: 'confidence' is not a property of output_schema (its properties: label)");
        assertThat(e.problems()).hasSize(6);
    }

    @Test
    void theSeedsModelIsAPinnedIdThoughItCarriesNoDate() {
        JobSpec job = load(MINIMAL.replace("claude-haiku-4-5-20251001", "claude-opus-4-6"));
        assertThat(job.model()).isEqualTo("claude-opus-4-6");
    }

    @Test
    void temperatureOnAModelThatRefusesItIsRefusedNamingFieldAndModel() {
        String sonnet = MINIMAL.replace("claude-haiku-4-5-20251001", "claude-sonnet-5-5");
        assertThat(failure(sonnet + "temperature: 0\n").problems()).singleElement().asString()
                .startsWith("$.temperature: ").contains("claude-sonnet-5-5").contains("remove temperature");
        // its default value is what the model takes; a model that allows sampling takes 0
        assertThat(load(sonnet + "temperature: 1\n").temperature()).isEqualTo(1.0);
        assertThat(load(MINIMAL.replace("claude-haiku-4-5-20251001", "claude-opus-4-6") + "temperature: 0\n").temperature())
                .isZero();
        assertThat(failure(MINIMAL.replace("claude-haiku-4-5-20251001", "claude-fable-5-2") + "temperature: 1\n")
                .problems()).singleElement().asString().contains("refuses sampling parameters");
    }

    @Test
    void retiredAndUnknownModelsAreRefusedBeforeAnythingIsSpent() {
        String retired = MINIMAL.replace("claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929");
        JobSpecException e = assertThrows(JobSpecException.class, () -> JobSpecLoader.load(
                retired.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.time.LocalDate.parse("2026-12-06"),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023));
        assertThat(e.problems()).singleElement().asString().startsWith("$.model: ")
                .contains("retired on 2026-11-30").contains("claude-sonnet-4-6");
        // a run already under way keeps reading its snapshot
        assertThat(load(retired).model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(failure(MINIMAL.replace("claude-haiku-4-5-20251001", "claude-opus-9")).problems()).singleElement()
                .asString().contains("'claude-opus-9' is not a model").contains("claude-haiku-5-5")
                .contains("BATCHLINE_MODELS_FILE");
    }

    @Test
    void thinkingEffortAndMaxTokensFollowTheModel() {
        String opus55 = MINIMAL.replace("claude-haiku-4-5-20251001", "claude-opus-5-5");
        // Opus 5.5 always thinks: off is refused, auto keeps the answer's room on top of a thinking reserve
        assertThat(failure(opus55 + "thinking: off\n").problems()).singleElement().asString()
                .startsWith("$.thinking: ").contains("always thinks");
        assertThat(failure(MINIMAL.replace("claude-haiku-4-5-20251001", "claude-opus-4-6") + "effort: xhigh\n")
                .problems()).singleElement().asString().startsWith("$.effort: ").contains("low, medium, high, max");
        assertThat(failure(MINIMAL + "effort: low\n").problems()).singleElement().asString()
                .contains("has no effort setting");
        assertThat(failure(MINIMAL.replace("max_tokens: 100", "max_tokens: 64000") + "thinking: enabled\n")
                .problems()).singleElement().asString().startsWith("$.max_tokens: ").contains("64000 + 2048");
        assertThat(failure(MINIMAL.replace("claude-haiku-4-5-20251001", "claude-sonnet-5-5") + "thinking: enabled\n")
                .problems()).singleElement().asString().contains("does not take thinking with a token budget");
    }

    @Test
    void yamlsOnAndOffAreTheWords() {
        assertThat(load(MINIMAL + "structured_output: off\nthinking: off\n").structuredOutput()).isEqualTo("off");
        assertThat(load(MINIMAL + "structured_output: on\n").structuredOutput()).isEqualTo("on");
        assertThat(failure(MINIMAL.replace("claude-haiku-4-5-20251001", "claude-opus-4-20250514")
                + "allow_unpinned_model: true\nstructured_output: on\n").problems())
                .anySatisfy(p -> assertThat(p).startsWith("$.structured_output: "));
    }

    @Test
    void typosAreCaughtAsUnknownKeys() {
        JobSpecException e = failure(MINIMAL + "max_token: 200\nshard: {max_request: 5}\n");
        assertThat(e.getMessage()).contains("max_token").contains("max_request");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("$: ").contains("max_token"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("$.shard: ").contains("max_request"));
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        JobSpecException e = failure("name: t\n");
        assertThat(e.getMessage()).contains("model").contains("user_template").contains("max_tokens").contains("output_schema");
    }

    @Test
    void reviewAboveAcceptIsRefused() {
        JobSpecException e = failure(MINIMAL + "confidence: {accept_at: 0.6, review_at: 0.8}\n");
        assertThat(e.problems()).containsExactly("$.confidence.review_at: 0.8 must be <= accept_at (0.6)");
    }

    @Test
    void unpinnedModelNeedsExplicitConsent() {
        String unpinned = MINIMAL.replace("claude-haiku-4-5-20251001", "claude-haiku-4-5");
        assertThat(failure(unpinned).problems()).singleElement().asString().startsWith("$.model: ");
        assertThat(load(unpinned + "allow_unpinned_model: true\n").model()).isEqualTo("claude-haiku-4-5");
    }

    @Test
    void outputSchemaMustBeAValidSchema() {
        JobSpecException e = failure(MINIMAL.replace("label: {type: string}", "label: {type: strng}"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .startsWith("$.output_schema.properties.label.type").endsWith("(not a valid JSON Schema)"));
    }

    @Test
    void confidenceFieldMustBeNumeric() {
        JobSpecException e = failure(MINIMAL.replace("confidence: {type: number, minimum: 0, maximum: 1}",
                "confidence: {type: string}"));
        assertThat(e.problems()).singleElement().asString()
                .startsWith("$.output_schema.properties.confidence: the confidence field must be a number");
    }

    @Test
    void templateProblemsGivePositions() {
        JobSpecException e = failure(MINIMAL.replace("\"Classify: {{text}}\"", "\"A {{}} B {{ x y }}\\nC {{ok}} {{bad\""));
        assertThat(e.problems()).containsExactly(
                "$.user_template: empty placeholder '{{}}' at column 3",
                "$.user_template: invalid placeholder '{{ x y }}' at column 10: expected a field name like {{subject}} or {{customer.name}}",
                "$.user_template: unclosed placeholder at line 2, column 10");
    }

    @Test
    void yamlSyntaxAndShapeErrors() {
        assertThat(failure("name: [unclosed\n").getMessage()).startsWith("job spec invalid: not valid YAML: ").contains("line");
        assertThat(failure("").getMessage()).isEqualTo("job spec invalid: $: the job spec is empty");
        assertThat(failure("- a\n- b\n").getMessage()).contains("expected a mapping");
        assertThat(failure(MINIMAL + "max_tokens: 5\n").getMessage()).contains("Duplicate field 'max_tokens'");
    }

    @Test
    void wrongTypesAreReportedNotThrownAsBindingErrors() {
        JobSpecException e = failure(MINIMAL + "confidence: high\nshard: 5\n");
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("$.confidence: "));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("$.shard: "));
    }

    @Test
    void everySchemaPropertyIsDocumented() {
        assertThat(JobSpecLoader.schema().path("$schema").asText()).contains("2020-12");
        assertThat(JobSpecLoader.schema().path("properties").properties()).hasSizeGreaterThan(10);
        for (var p : JobSpecLoader.schema().path("properties").properties()) {
            assertThat(p.getValue().path("description").asText()).as(p.getKey()).isNotBlank();
            for (var q : p.getValue().path("properties").properties()) {
                assertThat(q.getValue().path("description").asText()).as(p.getKey() + "." + q.getKey()).isNotBlank();
            }
        }
    }

    @Test
    void theSampleJobLoads() throws Exception {
        try (InputStream in = Files.newInputStream(Path.of("../samples/ticket-triage/job.yaml"))) {
            JobSpec job = JobSpecLoader.load(in, ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
            assertThat(job.name()).isEqualTo("ticket-triage");
            assertThat(job.model()).isEqualTo("claude-haiku-5-5");
            assertThat(job.maxTokens()).isEqualTo(300);
            assertThat(job.shard().maxRequests()).isEqualTo(250);
            assertThat(job.userTemplate()).contains("{{subject}}").contains("{{body}}").doesNotContain("label");
            assertThat(job.outputSchema().path("properties").path("primary_category").path("enum"))
                    .hasSize(5);
            assertThat(job.outputSchema().path("required")).hasSize(3);
        }
    }
}
