package io.batchline.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.idempotency.Idempotency;
import io.batchline.json.Json;
import java.util.List;

/**
 * Which prompt a run sent: a hash of every job-spec field that shapes a request's bytes (model, system prompt,
 * templates, few-shot examples, output schema, request parameters, long-input handling, strata, the escalation
 * round's model and prompt), taken over their canonical JSON after loading (keys sorted, defaults filled in), so the
 * YAML's key order, quoting or comments never change it, and a field left at its default hashes like one written out. Fields that only decide what happens to
 * answers or to the run (routing thresholds, budget, sample, canary, shards, name, the label itself) are left out:
 * changing them keeps the prompt version. {@code label} is the job's optional {@code version}.
 *
 * @param hash  {@code sha256:} and the first 16 hex digits of the SHA-256 of the request-shaping fields
 * @param label the job's {@code version}; null when it sets none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PromptVersion(@JsonProperty("hash") String hash, @JsonProperty("label") String label) {

    /** The job-spec keys whose values reach the requests sent (see PromptRenderer and RequestShape). */
    public static final List<String> REQUEST_FIELDS = List.of("model", "system", "user_template", "max_tokens",
            "temperature", "output_schema", "few_shot", "cache_ttl", "long_inputs", "strata", "thinking",
            "thinking_budget_tokens", "effort", "structured_output", "escalation");

    public static PromptVersion of(JobSpec job) {
        return new PromptVersion(hashOf(requestFields(job)), job.version());
    }

    /** Settings whose absence means a value the job could also write out: both hash alike. */
    private static final java.util.Map<String, String> WRITTEN_DEFAULTS =
            java.util.Map.of("structured_output", "auto", "thinking", "auto");

    /** The request-shaping fields of a job, as JSON (absent when null, a default written out as when absent). */
    public static ObjectNode requestFields(JobSpec job) {
        JsonNode all = Json.MAPPER.valueToTree(job);
        ObjectNode fields = Json.MAPPER.createObjectNode();
        for (String f : REQUEST_FIELDS) {
            JsonNode v = all.get(f);
            if (v == null || v.isNull()) continue;
            if (v.isTextual() && v.textValue().equals(WRITTEN_DEFAULTS.get(f))) continue;
            fields.set(f, v);
        }
        return fields;
    }

    static String hashOf(ObjectNode requestFields) {
        return "sha256:" + Idempotency.payloadHash(requestFields).substring(0, 16);
    }

    /** {@code {"hash": ..., "label": ...}} for report.json and compare.json. */
    public ObjectNode toJson() {
        return Json.MAPPER.valueToTree(this);
    }

    /** The prompt version a report.json records; null for a report written before prompt versions. */
    public static PromptVersion fromReport(JsonNode report) {
        JsonNode p = report.path("prompt_version");
        if (!p.hasNonNull("hash")) return null;
        return new PromptVersion(p.get("hash").asText(), p.path("label").asText(null));
    }

    /** "sha256:0123456789abcdef (v2)" or just the hash. */
    public String display() {
        return label == null ? hash : hash + " (" + label + ")";
    }
}
