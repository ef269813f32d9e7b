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
        @JsonProperty("max_line_bytes") int maxLineBytes) {

    public record Confidence(
            @JsonProperty("field") String field,
            @JsonProperty("accept_at") double acceptAt,
            @JsonProperty("review_at") double reviewAt) {}

    /** Smaller-than-provider shard limits; the provider's own (100,000 requests, 256 MB) always apply too. */
    public record Shard(
            @JsonProperty("max_requests") int maxRequests,
            @JsonProperty("max_bytes") long maxBytes) {}
}
