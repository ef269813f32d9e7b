package io.batchline.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One provider batch of a run, as listed under {@code batches} in report.json (a public contract). */
@JsonPropertyOrder({"id", "attempt", "shard", "requests", "status", "submitted_at", "ended_at"})
public record BatchSummary(
        @JsonProperty("id") String id,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("shard") int shard,
        @JsonProperty("requests") long requests,
        /** the provider's processing_status at the end (normally "ended"), or our shard status */
        @JsonProperty("status") String status,
        /** when the provider accepted the batch and when it ended (null if it never did): the report's timeline */
        @JsonProperty("submitted_at") String submittedAt,
        @JsonProperty("ended_at") String endedAt) {

    public BatchSummary(String id, int attempt, int shard, long requests, String status) {
        this(id, attempt, shard, requests, status, (String) null, (String) null);
    }

    public BatchSummary(String id, int attempt, int shard, long requests, String status, java.time.Instant submittedAt,
                        java.time.Instant endedAt) {
        this(id, attempt, shard, requests, status, submittedAt == null ? null : submittedAt.toString(),
                endedAt == null ? null : endedAt.toString());
    }
}
