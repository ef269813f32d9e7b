package io.batchline.plan;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.batchline.run.ShardRecord;
import java.util.List;

/**
 * What planning one attempt of a run produced, stored at {@code RunKeys.plan(runId, attempt)}. State
 * payloads carry its key and counts, not the plan itself. Cost is not here: the caller prices
 * {@code estimated_input_tokens} and {@code max_output_tokens} with the price table (worst case, for the budget guard).
 *
 * @param lines                  physical lines read, blank ones included
 * @param items                  non-blank lines (CSV: records after the header) = valid + invalid
 * @param valid                  items written to a shard as a request
 * @param invalid                items failed before submission, in {@code failed_key}
 * @param maxOutputTokens        the sum of max_tokens over the requests: the output side of the worst case
 * @param firstInvalid           the first 20 invalid items, for a quick look
 */
@JsonPropertyOrder({"run_id", "attempt", "input", "lines", "items", "valid", "invalid", "shards",
        "estimated_input_tokens", "max_output_tokens", "failed_key", "first_invalid", "golden", "canary_shards", "request_shapes", "largest_request_tokens", "golden_skipped"})
public record Plan(
        @JsonProperty("run_id") String runId,
        @JsonProperty("attempt") int attempt,
        @JsonProperty("input") String input,
        @JsonProperty("lines") long lines,
        @JsonProperty("items") long items,
        @JsonProperty("valid") long valid,
        @JsonProperty("invalid") long invalid,
        @JsonProperty("shards") List<ShardPlan> shards,
        @JsonProperty("estimated_input_tokens") long estimatedInputTokens,
        @JsonProperty("max_output_tokens") long maxOutputTokens,
        @JsonProperty("failed_key") String failedKey,
        @JsonProperty("first_invalid") List<Invalid> firstInvalid,
        /** golden requests in the shards besides the valid items; never outcome lines */
        @JsonProperty("golden") long golden,
        /** with a canary: shards 0..canary_shards-1 hold the canary's items alone, and go first */
        @JsonProperty("canary_shards") int canaryShards,
        /** what the requests carry per model besides the prompt (thinking, effort, max_tokens, structured outputs
         * and what was stripped from the schema sent), by stratum ("" = the job's own); empty for a retry round */
        @JsonProperty("request_shapes") @com.fasterxml.jackson.annotation.JsonInclude(
                com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
        java.util.Map<String, io.batchline.render.RequestShape> requestShapes,
        /** the largest request's estimated input tokens: the budget guard prices the run at a prompt tier above it */
        @JsonProperty("largest_request_tokens") long largestRequestTokens,
        /** why the job's golden items were not added (the input had no valid item); absent when they were */
        @JsonProperty("golden_skipped") @com.fasterxml.jackson.annotation.JsonInclude(
                com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL) String goldenSkipped) {

    /** At most this many invalid items are listed in {@code first_invalid}. */
    public static final int FIRST_INVALID_LIMIT = 20;

    /**
     * One shard: one Message Batch.
     *
     * @param bytes     size of the stored JSONL file (one request per line)
     * @param bodyBytes size of the create-batch body it becomes ({@code {"requests":[...]}}, comma-separated),
     *                  the number the provider's 256 MB limit and {@code shard.max_bytes} apply to
     */
    @JsonPropertyOrder({"shard", "key", "index_key", "requests", "bytes", "body_bytes", "estimated_input_tokens"})
    public record ShardPlan(
            @JsonProperty("shard") int shard,
            @JsonProperty("key") String key,
            @JsonProperty("index_key") String indexKey,
            @JsonProperty("requests") int requests,
            @JsonProperty("bytes") long bytes,
            @JsonProperty("body_bytes") long bodyBytes,
            @JsonProperty("estimated_input_tokens") long estimatedInputTokens) {

        /** This shard as the run's record of it, planned for this attempt and not yet sent. */
        public ShardRecord planned(String runId, int attempt) {
            return new ShardRecord(runId, attempt, shard, key, indexKey, requests, bytes,
                    ShardRecord.ShardStatus.PLANNED, null, null, null, null, null);
        }
    }

    public record Invalid(
            @JsonProperty("line") long line,
            @JsonProperty("reason") String reason) {}

    public int requests() {
        return shards.stream().mapToInt(ShardPlan::requests).sum();
    }
}
