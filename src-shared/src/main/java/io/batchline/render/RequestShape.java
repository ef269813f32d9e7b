package io.batchline.render;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.catalogue.ModelEntry;
import io.batchline.job.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a job's requests to one model carry besides the prompt, decided once from the job and the model's
 * catalogue entry so that every request is one the model accepts: sampling parameters only where the model and
 * the API version take them, a thinking and effort setting the model accepts (by default the cheapest:
 * thinking off where it can be, the lowest effort), a {@code max_tokens} that leaves the answer its room when
 * thinking is on, and the output schema as native structured outputs where the model supports them.
 * Serialised into plan.json ({@code request_shapes}) so a user sees what was sent and why.
 *
 * @param maxTokens      the {@code max_tokens} sent: the job's answer budget, plus the thinking reserve when
 *                       thinking is on
 * @param thinkingOn     whether the model thinks before answering (its thinking is billed as output)
 * @param thinking       the {@code thinking} object sent; null = the field is left out
 * @param effort         the {@code output_config.effort} sent; null = left out
 * @param temperature    sent only when the job set one and the model and API version take it
 * @param structuredOutput whether the output schema goes out as {@code output_config.format}
 */
@JsonPropertyOrder({"model", "max_tokens", "answer_tokens", "thinking_on", "thinking", "effort", "temperature",
        "structured_output", "stripped_from_schema", "format"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RequestShape(
        @JsonProperty("model") String model,
        @JsonProperty("max_tokens") int maxTokens,
        @JsonProperty("answer_tokens") int answerTokens,
        @JsonProperty("thinking_on") boolean thinkingOn,
        @JsonProperty("thinking") ObjectNode thinking,
        @JsonProperty("effort") String effort,
        @JsonProperty("temperature") Double temperature,
        @JsonProperty("structured_output") boolean structuredOutput,
        @JsonProperty("stripped_from_schema") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> strippedFromSchema,
        @JsonProperty("format") ObjectNode format) {

    /** Tokens kept for thinking on top of the answer when the job does not say (thinking_budget_tokens). */
    public static final int DEFAULT_THINKING_RESERVE = 2048;
    /** The smallest thinking budget the API takes for {@code enabled}. */
    public static final int MIN_THINKING_BUDGET = 1024;

    /** The API version the project's requests are rendered for: {@value #API_VERSION_ENV}, default 2023-06-01. */
    public static final String API_VERSION_ENV = "BATCHLINE_ANTHROPIC_VERSION";

    public static String apiVersion(java.util.Map<String, String> env) {
        String v = env.get(API_VERSION_ENV);
        return v == null || v.isBlank() ? ModelCatalogue.API_VERSION_2023 : v.trim();
    }

    /** Adds these params' non-prompt fields (model, max_tokens, sampling, thinking, output_config) to {@code params}. */
    public void applyTo(ObjectNode params) {
        params.put("model", model);
        params.put("max_tokens", maxTokens);
        if (temperature != null) params.put("temperature", temperature);
        if (thinking != null) params.set("thinking", thinking.deepCopy());
        if (effort != null || format != null) {
            ObjectNode config = params.putObject("output_config");
            if (effort != null) config.put("effort", effort);
            if (format != null) config.set("format", format.deepCopy());
        }
    }

    /**
     * The shape of {@code job}'s requests to {@code modelName} with an answer budget of {@code answerTokens}; every
     * reason the job cannot be sent to it as written is added to {@code problems} (prefixed with {@code where}),
     * and then the returned shape is null.
     */
    public static RequestShape of(JobSpec job, String modelName, int answerTokens, ModelCatalogue catalogue,
                                  String apiVersion, String where, List<String> problems) {
        int before = problems.size();
        ModelEntry model = catalogue.find(modelName).orElse(null);
        if (model == null) return null; // the model check names it
        if (!catalogue.knowsVersion(apiVersion)) {
            problems.add(API_VERSION_ENV + ": '" + apiVersion + "' is not an API version the catalogue knows");
            return null;
        }
        // sampling
        Double temperature = job.temperature();
        if (temperature != null) {
            String refusal = null;
            if (catalogue.versionRefusesSampling(apiVersion)) {
                refusal = "API version " + apiVersion + " refuses temperature on every model";
            } else if (model.sampling() == ModelEntry.Sampling.REFUSED) {
                refusal = modelName + " refuses sampling parameters";
            } else if (model.sampling() == ModelEntry.Sampling.NON_DEFAULT_REFUSED
                    && temperature.doubleValue() != ModelEntry.SAMPLING_DEFAULTS.get("temperature").doubleValue()) {
                refusal = modelName + " refuses a temperature other than its default (1.0)";
            }
            if (refusal != null) {
                problems.add(where + "temperature: " + refusal + "; remove temperature from the job");
            }
        }
        // effort
        String effort = job.effort();
        if (effort != null) {
            if (model.effort() == null) {
                problems.add(where + "effort: " + modelName + " has no effort setting; remove effort");
            } else if (!model.effort().levels().contains(effort)) {
                problems.add(where + "effort: " + modelName + " accepts " + String.join(", ", model.effort().levels())
                        + ", not '" + effort + "'");
            }
        } else if (model.effort() != null) {
            effort = model.effort().lowest(); // the cheapest for batch classification and extraction
        }
        // thinking
        String mode = job.thinking() == null ? "auto" : job.thinking();
        ModelEntry.Thinking t = model.thinking();
        ObjectNode thinking = null;
        boolean on;
        int reserve = job.thinkingBudgetTokens() == null ? DEFAULT_THINKING_RESERVE : job.thinkingBudgetTokens();
        switch (mode) {
            case "auto", "off" -> {
                if (t.canTurnOff(effort)) {
                    on = false;
                    if (t.onByDefault()) thinking = type(t.off());
                } else if ("off".equals(mode)) {
                    on = true;
                    problems.add(where + "thinking: " + modelName + " cannot turn thinking off"
                            + (t.off() == null ? " (it always thinks)" : " at effort " + effort
                            + " (only at " + String.join(", ", t.offEfforts()) + ")") + "; use thinking: auto");
                } else {
                    on = true; // always on: the default (adaptive) is the cheapest it has
                }
            }
            case "adaptive" -> {
                on = true;
                if (!t.accepts("adaptive")) {
                    problems.add(where + "thinking: " + modelName + " does not take adaptive thinking (it takes "
                            + String.join(", ", t.types()) + ")");
                } else if (!"adaptive".equals(t.defaultType())) {
                    thinking = type("adaptive");
                }
            }
            case "enabled" -> {
                on = true;
                if (!t.accepts("enabled")) {
                    problems.add(where + "thinking: " + modelName + " does not take thinking with a token budget"
                            + " (enabled); use thinking: adaptive or auto");
                } else if (reserve < MIN_THINKING_BUDGET) {
                    problems.add(where + "thinking_budget_tokens: at least " + MIN_THINKING_BUDGET + " with thinking: enabled");
                } else {
                    thinking = type("enabled");
                    thinking.put("budget_tokens", reserve);
                }
            }
            default -> {
                on = false;
                problems.add(where + "thinking: must be auto, off, adaptive or enabled, not '" + mode + "'");
            }
        }
        // max_tokens: the answer's room, plus the thinking reserve when the model thinks (thinking counts toward it)
        long maxTokens = answerTokens + (on ? (long) reserve : 0);
        int limit = model.maxOutputTokens(false);
        if (maxTokens > limit) {
            problems.add(where + "max_tokens: " + answerTokens + (on ? " + " + reserve + " reserved for thinking" : "")
                    + " = " + maxTokens + " is above " + modelName + "'s output limit of " + limit);
        }
        // structured outputs
        String so = job.structuredOutput() == null ? "auto" : job.structuredOutput();
        boolean structured = switch (so) {
            case "on" -> {
                if (!model.structuredOutputs()) {
                    problems.add(where + "structured_output: " + modelName + " does not support structured outputs;"
                            + " use auto or off");
                }
                yield true;
            }
            case "off" -> false;
            default -> model.structuredOutputs();
        };
        if (problems.size() > before) return null;
        ObjectNode format = null;
        List<String> stripped = new ArrayList<>();
        if (structured) {
            StructuredOutputSchema sent = StructuredOutputSchema.of(job.outputSchema());
            format = JsonNodeFactory.instance.objectNode();
            format.put("type", "json_schema");
            format.set("schema", sent.schema());
            stripped = sent.stripped();
        }
        return new RequestShape(modelName, (int) maxTokens, answerTokens, on,
                thinking, effort, temperature, structured, List.copyOf(stripped), format);
    }

    /** The key of the job's own shape in {@link #forJob}. */
    public static final String JOB = "";

    /**
     * The shapes of a job's requests: {@link #JOB} for the job's model and max_tokens, then one per stratum that
     * sets its own model or max_tokens (by stratum name). Problems are added with their field's path; then the
     * result is incomplete and must not be used.
     */
    public static java.util.Map<String, RequestShape> forJob(JobSpec job, ModelCatalogue catalogue, String apiVersion,
                                                             List<String> problems) {
        java.util.Map<String, RequestShape> shapes = new java.util.LinkedHashMap<>();
        RequestShape own = of(job, job.model(), job.maxTokens(), catalogue, apiVersion, "$.", problems);
        if (own != null) shapes.put(JOB, own);
        if (job.strata() != null) {
            for (int i = 0; i < job.strata().size(); i++) {
                JobSpec.Stratum s = job.strata().get(i);
                if (s.model() == null && s.maxTokens() == null) continue;
                String model = s.model() == null ? job.model() : s.model();
                int tokens = s.maxTokens() == null ? job.maxTokens() : s.maxTokens();
                RequestShape shape = of(job, model, tokens, catalogue, apiVersion, "$.strata[" + i + "].", problems);
                if (shape != null) shapes.put(s.name(), shape);
            }
        }
        return shapes;
    }

    private static ObjectNode type(String type) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("type", type);
        return n;
    }

    /** A one-line account for the plan command: "thinking off, effort low, max_tokens 300, structured outputs". */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(thinkingOn ? "thinking on (" + (maxTokens - answerTokens) + " tokens reserved)" : "thinking off");
        if (effort != null) sb.append(", effort ").append(effort);
        sb.append(", max_tokens ").append(maxTokens);
        if (temperature != null) sb.append(String.format(Locale.ROOT, ", temperature %s", temperature));
        sb.append(structuredOutput ? ", structured outputs" : ", JSON asked for in the prompt");
        if (!strippedFromSchema.isEmpty()) {
            sb.append(" (").append(strippedFromSchema.size()).append(" schema constraints checked by Batchline only)");
        }
        return sb.toString();
    }

    /** For tests and tools: the output_config.format object sent, or null. */
    public JsonNode formatSent() {
        return format;
    }
}
