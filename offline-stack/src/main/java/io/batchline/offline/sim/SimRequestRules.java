package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.catalogue.ModelEntry;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The per-model request rules of the Messages API, as the simulator enforces them: which well-formed params the
 * real API refuses for the named model, API version and batch beta flags. Every rule reads the model catalogue;
 * none names a model. A refusal carries the API's kind of message: the parameter first ({@code "temperature: ..."}).
 *
 * <p>Guarantees: {@link #problem} is null exactly when no rule below refuses the params. Synchronous calls answer a
 * refusal with its {@link Refusal#httpStatus()}; in a Message Batch the request comes back errored
 * {@code invalid_request_error} with the same message when the batch ends.
 */
final class SimRequestRules {

    /** The thinking type that turns thinking off on models that allow it (the catalogue's {@code off} may differ). */
    static final String DISABLED = "disabled";
    /** The thinking type that takes {@code budget_tokens}. */
    static final String ENABLED = "enabled";
    /** The smallest {@code budget_tokens} the API accepts. */
    static final int MIN_BUDGET_TOKENS = 1024;

    /**
     * A refused request: the HTTP status and error type a synchronous call answers, and the message.
     * An unknown model is {@code 404 not_found_error} there; every other rule is {@code 400 invalid_request_error}.
     */
    record Refusal(int httpStatus, String errorType, String message) {}

    private SimRequestRules() {}

    /**
     * Why the real API would refuse these params, or null when it would accept them.
     *
     * @param apiVersion the {@code anthropic-version} header of the call (of the batch's create, in a batch)
     * @param betas      the {@code anthropic-beta} flags of the batch's create; empty for synchronous calls
     * @param today      the day the request is processed (the simulator clock's date)
     */
    static String problem(ModelCatalogue catalogue, JsonNode params, String apiVersion, Set<String> betas,
                          LocalDate today) {
        Refusal r = refusal(catalogue, params, apiVersion, betas, today);
        return r == null ? null : r.message();
    }

    /** As {@link #problem}, with the status and error type a synchronous call answers. */
    static Refusal refusal(ModelCatalogue catalogue, JsonNode params, String apiVersion, Set<String> betas,
                           LocalDate today) {
        String name = params.path("model").asText();
        Optional<ModelEntry> found = catalogue.find(name);
        if (found.isEmpty()) return new Refusal(404, "not_found_error", "model: " + name + " not found");
        ModelEntry model = found.get();
        String message = firstProblem(catalogue, model, name, params, apiVersion, betas == null ? Set.of() : betas,
                today);
        return message == null ? null : new Refusal(400, "invalid_request_error", message);
    }

    private static String firstProblem(ModelCatalogue catalogue, ModelEntry model, String name, JsonNode params, String apiVersion,
                                       Set<String> betas, LocalDate today) {
        String p;
        if ((p = retired(model, name, today)) != null) return p;
        if ((p = betasField(params)) != null) return p;
        if ((p = sampling(catalogue, model, name, params, apiVersion)) != null) return p;
        if ((p = maxTokens(model, name, params, betas)) != null) return p;
        if ((p = prefill(model, name, params)) != null) return p;
        if ((p = thinking(model, name, params)) != null) return p;
        if ((p = effort(model, name, params)) != null) return p;
        if ((p = format(model, name, params)) != null) return p;
        return forcedToolUse(model, name, params);
    }

    static String retired(ModelEntry model, String name, LocalDate today) {
        if (!model.retiredOn(today)) return null;
        return "model: " + name + " was retired on " + (model.retires() == null ? "an earlier date" : model.retires())
                + " and no longer accepts requests" + (model.successor() == null ? "" : "; use " + model.successor());
    }

    static String betasField(JsonNode params) {
        if (!params.has("betas")) return null;
        return "betas: Extra inputs are not permitted; beta flags go in the batch-level anthropic-beta header";
    }

    /**
     * temperature, top_p, top_k: refused on every model, even at their defaults, under an API version that says
     * so; otherwise as the model's {@code sampling} rule and {@code sampling_exclusive} say.
     */
    static String sampling(ModelCatalogue catalogue, ModelEntry model, String name, JsonNode params, String apiVersion) {
        List<String> sent = samplingSent(params);
        if (sent.isEmpty()) return null;
        if (apiVersion != null && catalogue.versionRefusesSampling(apiVersion)) {
            return sent.get(0) + ": is not supported with anthropic-version " + apiVersion
                    + " (temperature, top_p and top_k are refused on every model, even at their defaults); remove it";
        }
        switch (model.sampling()) {
            case REFUSED:
                return sent.get(0) + ": is not supported on " + name + "; remove it";
            case NON_DEFAULT_REFUSED:
                for (String s : sent) {
                    Double def = ModelEntry.SAMPLING_DEFAULTS.get(s);
                    if (def == null) return s + ": is not supported on " + name + "; remove it";
                    if (!params.get(s).isNumber() || params.get(s).asDouble() != def) {
                        return s + ": only the default value " + def + " is supported on " + name + ", found "
                                + params.get(s) + "; remove it";
                    }
                }
                break;
            default:
                break;
        }
        List<String> exclusive = model.samplingExclusive();
        if (exclusive.size() > 1 && sent.containsAll(exclusive)) {
            return exclusive.get(0) + ": " + String.join(" and ", exclusive)
                    + " cannot both be specified for " + name + "; use only one";
        }
        return null;
    }

    static String maxTokens(ModelEntry model, String name, JsonNode params, Set<String> betas) {
        if (!params.has("max_tokens")) return null; // count_tokens: refused there as an extra input
        long maxTokens = params.path("max_tokens").asLong();
        boolean withBeta = model.batchOutputBeta() != null && betas.contains(model.batchOutputBeta().header());
        int limit = model.maxOutputTokens(withBeta);
        if (maxTokens <= limit) return null;
        String hint = !withBeta && model.batchOutputBeta() != null
                ? " (" + model.batchOutputBeta().maxOutputTokens() + " in a Message Batch with anthropic-beta: "
                        + model.batchOutputBeta().header() + ")"
                : "";
        return "max_tokens: " + maxTokens + " > " + limit + ", which is the maximum allowed number of output tokens for "
                + name + hint;
    }

    static String prefill(ModelEntry model, String name, JsonNode params) {
        JsonNode messages = params.path("messages");
        if (model.prefill() || !messages.isArray() || messages.isEmpty()) return null;
        if (!"assistant".equals(messages.get(messages.size() - 1).path("role").asText())) return null;
        return "messages: assistant message prefill is not supported on " + name
                + "; the conversation must end with a user message";
    }

    /** The effort the request runs at: {@code output_config.effort}, else the model's default (null: none). */
    static String effectiveEffort(ModelEntry model, JsonNode params) {
        JsonNode e = params.path("output_config").path("effort");
        if (e.isTextual()) return e.asText();
        return model.effort() == null ? null : model.effort().defaultLevel();
    }

    static String thinking(ModelEntry model, String name, JsonNode params) {
        JsonNode t = params.get("thinking");
        if (t == null || t.isNull()) return null;
        ModelEntry.Thinking rules = model.thinking();
        String type = t.path("type").asText("");
        if (!rules.accepts(type)) {
            String hint = rules.refusals().get(type);
            if (hint != null) return hint;
            return "thinking.type: '" + type + "' is not supported on " + name + "; supported: "
                    + String.join(", ", rules.types());
        }
        if (type.equals(rules.off())) {
            String effort = effectiveEffort(model, params);
            if (!rules.canTurnOff(effort)) {
                return "thinking.type: '" + type + "' is not supported at effort '" + effort + "' on " + name
                        + "; thinking can be turned off at effort " + String.join(", ", rules.offEfforts());
            }
        }
        JsonNode budget = t.get("budget_tokens");
        if (ENABLED.equals(type) && budget == null) return "thinking.budget_tokens: Field required";
        if (budget != null) {
            if (!ENABLED.equals(type)) {
                return "thinking.budget_tokens: only accepted with thinking.type 'enabled', not '" + type + "'";
            }
            if (!budget.canConvertToLong() || budget.asLong() < MIN_BUDGET_TOKENS) {
                return "thinking.budget_tokens: Input should be greater than or equal to " + MIN_BUDGET_TOKENS;
            }
            if (params.has("max_tokens") && budget.asLong() >= params.path("max_tokens").asLong()) {
                return "thinking.budget_tokens: must be less than max_tokens (" + params.path("max_tokens").asLong() + ")";
            }
        }
        return null;
    }

    static String effort(ModelEntry model, String name, JsonNode params) {
        JsonNode e = params.path("output_config").get("effort");
        if (e == null) return null;
        if (model.effort() == null) return "output_config.effort: is not supported on " + name;
        if (!e.isTextual() || !model.effort().levels().contains(e.asText())) {
            return "output_config.effort: '" + e.asText() + "' is not supported on " + name + "; supported: "
                    + String.join(", ", model.effort().levels());
        }
        return null;
    }

    static String format(ModelEntry model, String name, JsonNode params) {
        JsonNode f = params.path("output_config").get("format");
        if (f == null) return null;
        if (!model.structuredOutputs()) return "output_config.format: structured outputs are not supported on " + name;
        if (!"json_schema".equals(f.path("type").asText()) || !f.path("schema").isObject()) {
            return "output_config.format: must be {\"type\": \"json_schema\", \"schema\": {...}}";
        }
        return null;
    }

    static String forcedToolUse(ModelEntry model, String name, JsonNode params) {
        String type = params.path("tool_choice").path("type").asText("");
        if (model.forcedToolUse() || !(type.equals("any") || type.equals("tool"))) return null;
        return "tool_choice: forced tool use (type '" + type + "') is not supported on " + name
                + "; use {\"type\": \"auto\"}";
    }

    /** The sampling parameters present in the params, in the API's order. */
    static List<String> samplingSent(JsonNode params) {
        List<String> sent = new ArrayList<>();
        for (String s : ModelEntry.SAMPLING_PARAMETERS) if (params.has(s) && !params.get(s).isNull()) sent.add(s);
        return sent;
    }
}
