package io.batchline.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.util.List;

/**
 * What the state machine passes between states (statemachine/batchline-run.asl.json): run ids, S3 pointers
 * and counts, never item data (R7.5). Field names are the ASL's JSONPaths: change both together.
 */
public final class StagePayloads {
    private StagePayloads() {}

    /** The execution input the intake writes, and the register stage's input. */
    public record RunStart(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("key") String key,
            @JsonProperty("etag") String etag,
            @JsonProperty("job") String job) {}

    public record Registered(
            @JsonProperty("run_id") String runId,
            @JsonProperty("job") String job,
            @JsonProperty("input_key") String inputKey,
            @JsonProperty("started_at") String startedAt) {}

    /** Plan the first attempt ({@code attempt} = 1) or a retry round after attempt {@code retry_of}. */
    public record FormatRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("attempt") Integer attempt,
            @JsonProperty("retry_of") Integer retryOf) {}

    public record Formatted(
            @JsonProperty("attempt") int attempt,
            @JsonProperty("shards") int shards,
            @JsonProperty("requests") long requests,
            @JsonProperty("items") long items,
            @JsonProperty("invalid") long invalid,
            @JsonProperty("plan_key") String planKey) {}

    public record SubmitRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("attempt") int attempt) {}

    public record PollRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("attempt") int attempt,
            @JsonProperty("polls") int polls) {}

    /** Written by submit and by every poll at {@code $.poll}; drives the Wait state and the Map. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PollState(
            @JsonProperty("all_ended") boolean allEnded,
            @JsonProperty("wait_seconds") int waitSeconds,
            @JsonProperty("polls") int polls,
            @JsonProperty("open_batches") int openBatches,
            @JsonProperty("ended_shards") List<Integer> endedShards) {}

    public record CollectRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("attempt") int attempt,
            @JsonProperty("shard") int shard) {}

    public record Collected(
            @JsonProperty("shard") int shard,
            @JsonProperty("accepted") long accepted,
            @JsonProperty("review") long review,
            @JsonProperty("rejected") long rejected,
            @JsonProperty("failed") long failed,
            @JsonProperty("retry") long retry) {}

    public record RunRef(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket) {}

    public record Finalized(
            @JsonProperty("run_id") String runId,
            @JsonProperty("status") String status,
            @JsonProperty("items") long items,
            @JsonProperty("accepted") long accepted,
            @JsonProperty("review") long review,
            @JsonProperty("rejected") long rejected,
            @JsonProperty("failed") long failed,
            @JsonProperty("cost_usd") BigDecimal costUsd,
            @JsonProperty("report_key") String reportKey,
            @JsonProperty("outcomes_prefix") String outcomesPrefix) {}

    /** The Catch output: Step Functions writes {"Error": ..., "Cause": ...}. */
    public record CaughtError(
            @JsonProperty("Error") String error,
            @JsonProperty("Cause") String cause) {}

    public record MarkFailedRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("error") CaughtError error) {}

    /** Read by the Fail state's ErrorPath/CausePath: what an operator sees in the console. */
    public record RunFailure(
            @JsonProperty("error") String error,
            @JsonProperty("cause") String cause) {}
}
