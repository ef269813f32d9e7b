package io.batchline.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What the provider's Models API says about one model, reduced to what a pre-flight check needs: the id an
 * alias resolves to, the output and input limits, and which structured-output, effort and thinking settings the
 * model takes. Built only from a complete answer: a missing id or limit is refused, not defaulted.
 *
 * @param maxTokens      the largest {@code max_tokens} a request may ask for
 * @param maxInputTokens the context window
 * @param effortLevels   the supported {@code output_config.effort} levels, lowest first; empty = no effort parameter
 * @param thinkingTypes  the accepted {@code thinking.type} values, in the API's order
 */
public record ProviderModelInfo(
        String id,
        int maxTokens,
        long maxInputTokens,
        boolean structuredOutputs,
        List<String> effortLevels,
        List<String> thinkingTypes) {

    private static final List<String> EFFORT_LEVELS = List.of("low", "medium", "high", "xhigh", "max");

    public ProviderModelInfo {
        effortLevels = List.copyOf(effortLevels);
        thinkingTypes = List.copyOf(thinkingTypes);
    }

    /**
     * Reads a {@code ModelInfo} object.
     *
     * @throws IllegalArgumentException when the id or either limit is missing
     */
    public static ProviderModelInfo of(JsonNode model) {
        String id = model.path("id").asText("");
        if (id.isEmpty() || !model.path("max_tokens").canConvertToInt()
                || !model.path("max_input_tokens").canConvertToLong()) {
            throw new IllegalArgumentException("a model object needs id, max_tokens and max_input_tokens");
        }
        JsonNode caps = model.path("capabilities");
        List<String> effort = new ArrayList<>();
        if (caps.path("effort").path("supported").asBoolean(false)) {
            for (String level : EFFORT_LEVELS) {
                if (caps.path("effort").path(level).path("supported").asBoolean(false)) effort.add(level);
            }
        }
        List<String> thinking = new ArrayList<>();
        JsonNode types = caps.path("thinking").path("types");
        for (var it = types.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getValue().path("supported").asBoolean(false)) thinking.add(e.getKey());
        }
        return new ProviderModelInfo(id, model.get("max_tokens").asInt(), model.get("max_input_tokens").asLong(),
                caps.path("structured_outputs").path("supported").asBoolean(false), effort, thinking);
    }
}
