package io.batchline.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One provider batch of a run, as listed under {@code batches} in report.json (a public contract). */
@JsonPropertyOrder({"id", "attempt", "shard", "requests", "status"})
public record BatchSummary(
        @JsonProperty("id") String id,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("shard") int shard,
        @JsonProperty("requests") long requests,
        /** the provider's processing_status at the end (normally "ended"), or our shard status */
        @JsonProperty("status") String status) {}
