package io.batchline.cost;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Token usage as the provider reports it on each message (and summed per run). {@code output_tokens} includes
 * any thinking, which is billed as output; {@code output_tokens_details.thinking_tokens} shows how much of it was
 * thinking (absent when the model did not think).
 */
public record Usage(
        @JsonProperty("input_tokens") long inputTokens,
        @JsonProperty("output_tokens") long outputTokens,
        @JsonProperty("cache_creation_input_tokens") long cacheCreationInputTokens,
        @JsonProperty("cache_read_input_tokens") long cacheReadInputTokens,
        @JsonProperty("output_tokens_details") @JsonInclude(JsonInclude.Include.NON_NULL) OutputDetails outputTokensDetails) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    /** How the output tokens divide: {@code thinking_tokens} of them were thinking. */
    public record OutputDetails(@JsonProperty("thinking_tokens") long thinkingTokens) {}

    public Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens, long cacheReadInputTokens) {
        this(inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens, null);
    }

    /** Thinking tokens among the output tokens (0 when none were reported). */
    public long thinkingTokens() {
        return outputTokensDetails == null ? 0 : outputTokensDetails.thinkingTokens();
    }

    public Usage plus(Usage o) {
        OutputDetails details = outputTokensDetails == null && o.outputTokensDetails == null ? null
                : new OutputDetails(thinkingTokens() + o.thinkingTokens());
        return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens,
                cacheCreationInputTokens + o.cacheCreationInputTokens, cacheReadInputTokens + o.cacheReadInputTokens,
                details);
    }
}
