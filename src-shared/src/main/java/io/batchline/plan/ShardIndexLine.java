package io.batchline.plan;

/**
 * One line of a shard's index ({@code RunKeys.shardIndex}): joins a result's custom_id back to its item and what
 * the item carries, so the collector needs nothing but the index to judge it. Written and read by
 * {@link ItemCarryCodec}.
 */
public record ShardIndexLine(String customId, ItemCarry carry) {}
