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
 * @param chunk     0-based chunk of a chunked item (R2.4), with {@code chunks} chunks in all; absent otherwise
 * @param stratum   the item's stratum (R2.5); absent for the job's default settings
 * @param history   the item's earlier attempts (R5.2), carried from the retry part; absent on a first attempt
 */
@JsonPropertyOrder({"custom_id", "id", "line", "attempts", "repair", "truncated", "label", "golden", "history", "chunk", "chunks",
        "stratum"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardIndexLine(
        @JsonProperty("custom_id") String customId,
        @JsonProperty("id") String id,
        @JsonProperty("line") long line,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("repair") Boolean repair,
        @JsonProperty("truncated") Boolean truncated,
        @JsonProperty("label") String label,
        @JsonProperty("golden") Boolean golden,
        @JsonProperty("history") com.fasterxml.jackson.databind.JsonNode history,
        @JsonProperty("chunk") Integer chunk,
        @JsonProperty("chunks") Integer chunks,
        @JsonProperty("stratum") String stratum) {

    public ShardIndexLine(String customId, String id, long line, int attempts, Boolean repair, Boolean truncated,
                          String label, Boolean golden, com.fasterxml.jackson.databind.JsonNode history) {
        this(customId, id, line, attempts, repair, truncated, label, golden, history, null, null, null);
    }

    public ShardIndexLine(String customId, String id, long line, int attempts) {
        this(customId, id, line, attempts, null, null, null, null, null);
    }

    public ShardIndexLine(String customId, String id, long line, int attempts, Boolean repair, Boolean truncated,
                          String label, Boolean golden) {
        this(customId, id, line, attempts, repair, truncated, label, golden, null);
    }
}
