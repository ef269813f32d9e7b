package io.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.json.Json;
import io.batchline.render.PromptRenderer;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The prompt version: every field that shapes a request changes its hash, no other field does, and neither does
 * how the YAML is written. The split is checked against the renderer: a change to a field left out of the hash
 * must leave the rendered request's bytes as they were.
 */
class PromptVersionTest {
    private static final Path SAMPLE = Path.of("..", "samples", "ticket-triage", "job.yaml");

    /** Job-spec keys that do not reach a request: what happens to answers, the run, or the label itself. */
    private static final List<String> NOT_REQUEST = List.of("name", "id_field", "confidence", "shard", "max_attempts",
            "max_line_bytes", "ground_truth_field", "budget", "canary", "sample", "repair", "preflight", "golden",
            "calibration", "result_cache", "version");

    private static JobSpec sample() throws Exception {
        return JobSpecLoader.load(Files.readAllBytes(SAMPLE),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    private static JobSpec with(JobSpec job, Consumer<ObjectNode> change) {
        ObjectNode tree = Json.MAPPER.valueToTree(job);
        change.accept(tree);
        return Json.convert(tree, JobSpec.class);
    }

    /** One change per request-shaping field, each to a value the job does not have. */
    private static Map<String, Consumer<ObjectNode>> requestChanges() {
        Map<String, Consumer<ObjectNode>> m = new LinkedHashMap<>();
        m.put("model", t -> t.put("model", "claude-sonnet-5-5"));
        m.put("system", t -> t.put("system", t.get("system").asText() + " Be brief."));
        m.put("user_template", t -> t.put("user_template", t.get("user_template").asText() + "!"));
        m.put("max_tokens", t -> t.put("max_tokens", 301));
        m.put("temperature", t -> t.put("temperature", 0.5));
        m.put("output_schema", t -> ((ObjectNode) t.at("/output_schema/properties/reasoning")).put("maxLength", 400));
        m.put("few_shot", t -> ((ObjectNode) t.at("/few_shot/examples/0/output")).put("confidence", 0.9));
        m.put("cache_ttl", t -> t.put("cache_ttl", "1h"));
        m.put("long_inputs", t -> ((ObjectNode) t.get("long_inputs")).put("chunk_tokens", 2000));
        m.put("strata", t -> ((ObjectNode) t.at("/strata/0")).put("max_tokens", 500));
        m.put("thinking", t -> t.put("thinking", "adaptive"));
        m.put("thinking_budget_tokens", t -> t.put("thinking_budget_tokens", 4096));
        m.put("effort", t -> t.put("effort", "medium"));
        m.put("structured_output", t -> t.put("structured_output", "off"));
        m.put("escalation", t -> t.putObject("escalation").put("model", "claude-opus-4-6"));
        return m;
    }

    private static Map<String, Consumer<ObjectNode>> otherChanges() {
        Map<String, Consumer<ObjectNode>> m = new LinkedHashMap<>();
        m.put("name", t -> t.put("name", "ticket-triage-v2"));
        m.put("id_field", t -> t.put("id_field", "ticket_id"));
        m.put("confidence", t -> ((ObjectNode) t.get("confidence")).put("accept_at", 0.95));
        m.put("shard", t -> ((ObjectNode) t.get("shard")).put("max_requests", 100));
        m.put("max_attempts", t -> t.put("max_attempts", 5));
        m.put("max_line_bytes", t -> t.put("max_line_bytes", 1000));
        m.put("ground_truth_field", t -> t.put("ground_truth_field", "team"));
        m.put("budget", t -> t.putObject("budget").put("max_usd", 3));
        m.put("canary", t -> ((ObjectNode) t.get("canary")).put("items", 10));
        m.put("sample", t -> ((ObjectNode) t.get("sample")).put("rate", 0.05));
        m.put("repair", t -> t.put("repair", false));
        m.put("preflight", t -> t.put("preflight", true));
        m.put("golden", t -> t.remove("golden"));
        m.put("calibration", t -> t.putObject("calibration").put("sample", 5));
        m.put("result_cache", t -> t.putObject("result_cache").put("window", "7d"));
        m.put("version", t -> t.put("version", "v2"));
        return m;
    }

    @Test
    void everyJobSpecFieldIsEitherRequestShapingOrNamedAsNot() {
        TreeSet<String> components = Arrays.stream(JobSpec.class.getRecordComponents())
                .map(c -> c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class) != null
                        ? c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class).value()
                        : jsonName(c))
                .collect(Collectors.toCollection(TreeSet::new));
        TreeSet<String> classified = new TreeSet<>(PromptVersion.REQUEST_FIELDS);
        classified.addAll(NOT_REQUEST);
        assertThat(classified).as("a new job-spec field must be classified as request-shaping or not")
                .isEqualTo(components);
        assertThat(requestChanges().keySet()).containsExactlyInAnyOrderElementsOf(PromptVersion.REQUEST_FIELDS);
        assertThat(otherChanges().keySet()).containsExactlyInAnyOrderElementsOf(NOT_REQUEST);
    }

    private static String jsonName(RecordComponent c) {
        var p = c.getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        return p != null ? p.value() : c.getName();
    }

    @Test
    void changingAnyRequestShapingFieldChangesTheHash() throws Exception {
        JobSpec job = sample();
        String base = PromptVersion.of(job).hash();
        assertThat(base).matches("sha256:[0-9a-f]{16}");
        TreeSet<String> seen = new TreeSet<>();
        requestChanges().forEach((field, change) -> {
            String changed = PromptVersion.of(with(job, change)).hash();
            assertThat(changed).as(field).isNotEqualTo(base);
            assertThat(seen.add(changed)).as(field + " hashes like another change").isTrue();
        });
    }

    @Test
    void otherFieldsLeaveTheHashAndTheRenderedRequestsAsTheyWere() throws Exception {
        JobSpec job = sample();
        String base = PromptVersion.of(job).hash();
        JsonNode item = Json.tree("{\"id\":\"T-1\",\"subject\":\"Refund\",\"body\":\"Charged twice\",\"label\":\"billing\"}"
                .getBytes());
        String request = Json.string(new PromptRenderer(job,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(item, null));
        String longRequest = Json.string(new PromptRenderer(job,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(item, job.strata().get(0)));
        otherChanges().forEach((field, change) -> {
            JobSpec other = with(job, change);
            assertThat(PromptVersion.of(other).hash()).as(field).isEqualTo(base);
            assertThat(Json.string(new PromptRenderer(other,
                    ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(item, null))).as(field).isEqualTo(request);
            assertThat(Json.string(new PromptRenderer(other,
                    ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(item, other.strata().get(0)))).as(field)
                    .isEqualTo(longRequest);
        });
        assertThat(PromptVersion.of(with(job, t -> t.put("version", "v2"))).label()).isEqualTo("v2");
        assertThat(PromptVersion.of(job).label()).isNull();
    }

    @Test
    void howTheYamlIsWrittenDoesNotChangeTheHash() {
        String a = """
                name: t
                model: claude-haiku-4-5-20251001
                user_template: "Classify: {{text}}"
                max_tokens: 100
                output_schema:
                  type: object
                  required: [label, confidence]
                  properties:
                    label: {type: string, enum: [a, b]}
                    confidence: {type: number}
                """;
        String b = """
                # the same job, keys in another order, other quoting and block styles, a default written out
                output_schema: {properties: {label: {enum: ['a', 'b'], type: string}, confidence: {type: number}}, required: ['label', confidence], type: object}
                max_tokens: 100
                structured_output: auto
                thinking: auto
                user_template: 'Classify: {{text}}'
                model: "claude-haiku-4-5-20251001"
                name: other-name
                version: "v1"
                """;
        PromptVersion va = PromptVersion.of(JobSpecLoader.load(a.getBytes(),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023));
        PromptVersion vb = PromptVersion.of(JobSpecLoader.load(b.getBytes(),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023));
        assertThat(vb.hash()).isEqualTo(va.hash());
        assertThat(vb.label()).isEqualTo("v1");
        assertThat(va.label()).isNull();
        String c = a.replace("max_tokens: 100", "max_tokens: 101");
        assertThat(PromptVersion.of(JobSpecLoader.load(c.getBytes(),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023)).hash()).isNotEqualTo(va.hash());
    }
}
