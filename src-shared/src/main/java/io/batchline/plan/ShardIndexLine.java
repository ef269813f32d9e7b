package io.batchline.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of a shard's index ({@code RunKeys.shardIndex}): joins a result's custom_id back to its item.
 * The optional fields travel with the item to the collector, so it needs nothing but the index to judge it.
 *
 * @param attempts  how many times the item has been sent, this attempt included
 * @param repair    true when this request is the item's repair round (R4.2): a second invalid answer rejects it
 * @param truncated true when the item's input was cut to long_inputs.max_input_tokens (R2.4)
 * @param label     the item's ground-truth label (R4.5), read from the input, never sent to the model
 * @param golden    true for a golden item (R4.5): reported as golden_quality, never in the outcome files
 */
@JsonPropertyOrder({"custom_id", "id", "line", "attempts", "repair", "truncated", "label", "golden"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardIndexLine(
        @JsonProperty("custom_id") String customId,
        @JsonProperty("id") String id,
        @JsonProperty("line") long line,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("repair") Boolean repair,
        @JsonProperty("truncated") Boolean truncated,
        @JsonProperty("label") String label,
        @JsonProperty("golden") Boolean golden) {

    public ShardIndexLine(String customId, String id, long line, int attempts) {
        this(customId, id, line, attempts, null, null, null, null);
    }
}
