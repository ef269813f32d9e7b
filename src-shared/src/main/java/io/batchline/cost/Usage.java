package io.batchline.cost;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Token usage as the provider reports it on each message (and summed per run). */
public record Usage(
        @JsonProperty("input_tokens") long inputTokens,
        @JsonProperty("output_tokens") long outputTokens,
        @JsonProperty("cache_creation_input_tokens") long cacheCreationInputTokens,
        @JsonProperty("cache_read_input_tokens") long cacheReadInputTokens) {

    public static final Usage ZERO = new Usage(0, 0, 0, 0);

    public Usage plus(Usage o) {
        return new Usage(inputTokens + o.inputTokens, outputTokens + o.outputTokens,
                cacheCreationInputTokens + o.cacheCreationInputTokens, cacheReadInputTokens + o.cacheReadInputTokens);
    }
}
