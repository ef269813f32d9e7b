package io.batchline.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of a shard's index ({@code RunKeys.shardIndex}): joins a result's custom_id back to its item.
 *
 * @param attempts how many times the item has been sent, this attempt included
 */
@JsonPropertyOrder({"custom_id", "id", "line", "attempts"})
public record ShardIndexLine(
        @JsonProperty("custom_id") String customId,
        @JsonProperty("id") String id,
        @JsonProperty("line") long line,
        @JsonProperty("attempts") int attempts) {}
