package io.batchline.provider;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.OffsetDateTime;

/**
 * A Message Batch as the provider returns it. Timestamps are kept as the RFC 3339 strings the API sends
 * (null until they apply). All counts but {@code processing} stay 0 until the batch has ended.
 */
public record MessageBatch(
        @JsonProperty("id") String id,
        @JsonProperty("type") String type,
        @JsonProperty("processing_status") String processingStatus,
        @JsonProperty("request_counts") RequestCounts requestCounts,
        @JsonProperty("created_at") String createdAt,
        @JsonProperty("ended_at") String endedAt,
        @JsonProperty("expires_at") String expiresAt,
        @JsonProperty("cancel_initiated_at") String cancelInitiatedAt,
        @JsonProperty("archived_at") String archivedAt,
        @JsonProperty("results_url") String resultsUrl) {

    public static final String IN_PROGRESS = "in_progress";
    public static final String CANCELING = "canceling";
    public static final String ENDED = "ended";

    public record RequestCounts(
            @JsonProperty("processing") long processing,
            @JsonProperty("succeeded") long succeeded,
            @JsonProperty("errored") long errored,
            @JsonProperty("canceled") long canceled,
            @JsonProperty("expired") long expired) {

        public static final RequestCounts ZERO = new RequestCounts(0, 0, 0, 0, 0);

        @JsonIgnore
        public long total() {
            return processing + succeeded + errored + canceled + expired;
        }
    }

    /** Requests in the batch: {@code processing} while it runs, the sum of the outcomes once it has ended. */
    @JsonIgnore
    public long totalRequests() {
        return requestCounts == null ? 0 : requestCounts.total();
    }

    /** {@code created_at} as an instant; null when absent. */
    @JsonIgnore
    public Instant createdInstant() {
        return instant(createdAt);
    }

    @JsonIgnore
    public Instant endedInstant() {
        return instant(endedAt);
    }

    @JsonIgnore
    public Instant expiresInstant() {
        return instant(expiresAt);
    }

    private static Instant instant(String rfc3339) {
        return rfc3339 == null ? null : OffsetDateTime.parse(rfc3339).toInstant();
    }

    /** Processing is over: results can be downloaded (until the batch is archived). */
    @JsonIgnore
    public boolean ended() {
        return ENDED.equals(processingStatus);
    }
}
