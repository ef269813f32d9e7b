package io.batchline.job;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job spec as written in {@code jobs/<job>.yaml} (R2.1). Loaded and checked by {@link JobSpecLoader};
 * defaults are filled in there, so every field here is set after loading.
 */
public record JobSpec(
        @JsonProperty("name") String name,
        @JsonProperty("model") String model,
        @JsonProperty("system") String system,
        @JsonProperty("user_template") String userTemplate,
        @JsonProperty("max_tokens") int maxTokens,
        @JsonProperty("temperature") double temperature,
        /** the input field that holds the item id; absent values get a stable hash of the line */
        @JsonProperty("id_field") String idField,
        @JsonProperty("output_schema") JsonNode outputSchema,
        @JsonProperty("confidence") Confidence confidence,
        @JsonProperty("shard") Shard shard,
        @JsonProperty("max_attempts") int maxAttempts,
        /** lines longer than this many bytes are failed as oversize, before any parsing */
        @JsonProperty("max_line_bytes") int maxLineBytes,
        /** R4.5: the input field holding the true label; never sent to the model; null when absent */
        @JsonProperty("ground_truth_field") String groundTruthField,
        /** R6.2: the run stops before spending when its worst case exceeds this; null = no job budget */
        @JsonProperty("budget") Budget budget,
        /** issue 5: run this many items first and stop if they miss the limits; null = no canary */
        @JsonProperty("canary") Canary canary,
        /** R4.4: the spot-check sample written to sample.jsonl; null = defaults (1%, at least 100) */
        @JsonProperty("sample") Sample sample,
        /** R4.2: one targeted repair round for invalid outputs; null = on */
        @JsonProperty("repair") Boolean repair,
        /** R3.5: send one request of each template shape through the synchronous API first; null = off */
        @JsonProperty("preflight") Boolean preflight,
        /** R2.6: the prompt-cache TTL of the shared prefix, "5m" or "1h"; null = the provider's default (5m) */
        @JsonProperty("cache_ttl") String cacheTtl,
        /** few-shot examples, static or per input type, rendered into the cached shared prefix */
        @JsonProperty("few_shot") JsonNode fewShot,
        /** R2.4: token limit per item and what happens above it (truncate, or chunk and merge) */
        @JsonProperty("long_inputs") JsonNode longInputs,
        /** R2.5: other templates/models/max_tokens for a stratum of items (e.g. long ones) */
        @JsonProperty("strata") JsonNode strata,
        /** R4.5: a labelled file whose items are added to every run to measure drift */
        @JsonProperty("golden") JsonNode golden) {

    public record Budget(@JsonProperty("max_usd") java.math.BigDecimal maxUsd) {}

    public record Canary(
            @JsonProperty("items") int items,
            @JsonProperty("min_pass_rate") Double minPassRate,
            @JsonProperty("max_cost_per_item_usd") java.math.BigDecimal maxCostPerItemUsd) {}

    public record Sample(
            @JsonProperty("rate") Double rate,
            @JsonProperty("min") Integer min,
            @JsonProperty("seed") Long seed) {}

    public record Confidence(
            @JsonProperty("field") String field,
            @JsonProperty("accept_at") double acceptAt,
            @JsonProperty("review_at") double reviewAt) {}

    /** Smaller-than-provider shard limits; the provider's own (100,000 requests, 256 MB) always apply too. */
    public record Shard(
            @JsonProperty("max_requests") int maxRequests,
            @JsonProperty("max_bytes") long maxBytes) {}
}
