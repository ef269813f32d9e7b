package io.batchline.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.batchline.idempotency.Invocation;
import io.batchline.idempotency.InvocationScoped;
import java.math.BigDecimal;
import java.util.List;

/**
 * What the state machine passes between states (statemachine/batchline-run.asl.json): run ids, S3 pointers
 * and counts, never item data, so the console stays readable. Field names are the ASL's JSONPaths: change both
 * together.
 */
public final class StagePayloads {
    private StagePayloads() {}

    /** The execution input the intake writes, and the register stage's input. */
    public record RunStart(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("key") String key,
            @JsonProperty("etag") String etag,
            @JsonProperty("job") String job,
            /** true when `batchline resume` started this execution to continue the run from its records */
            @JsonProperty("resume") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean resume,
            /**
             * the name of the execution that runs this state ($$.Execution.Name; "Resume run" passes it):
             * the run record keeps its latest execution, so a late end event of an older one changes nothing
             */
            @JsonProperty("execution") @JsonInclude(JsonInclude.Include.NON_NULL) String execution) {
        public RunStart(String runId, String bucket, String key, String etag, String job) {
            this(runId, bucket, key, etag, job, null, null);
        }

        public RunStart(String runId, String bucket, String key, String etag, String job, Boolean resume) {
            this(runId, bucket, key, etag, job, resume, null);
        }

        public boolean resuming() {
            return Boolean.TRUE.equals(resume);
        }
    }

    /**
     * "Resume run": where the records say the run stands. {@code next}: {@code format} (attempt 1 was
     * not planned or nothing of it was sent: plan it again, a repeat resets nothing), {@code retry} (the last
     * retry round was planned but nothing of it sent: plan it again after {@code plan.attempt}) or {@code poll}
     * (check the batches of attempt {@code plan.attempt}: created ones are polled and collected, never created
     * again; unsent ones are sent, SUBMITTING ones reconciled first).
     */
    public record Resumed(
            @JsonProperty("run") Registered run,
            @JsonProperty("next") String next,
            @JsonProperty("plan") Formatted plan,
            @JsonProperty("poll") PollState poll) {}

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
            @JsonProperty("retry_of") Integer retryOf,
            @JsonProperty("invocation") @JsonInclude(JsonInclude.Include.NON_NULL) Invocation invocation)
            implements InvocationScoped {
        public FormatRequest(String runId, String bucket, Integer attempt, Integer retryOf) {
            this(runId, bucket, attempt, retryOf, null);
        }
    }

    /**
     * {@code shards}: the shards to submit now. With {@code canary} true only the canary's are recorded; the rest
     * wait for "Check canary" (see {@link CanaryStage}).
     */
    public record Formatted(
            @JsonProperty("attempt") int attempt,
            @JsonProperty("shards") int shards,
            @JsonProperty("requests") long requests,
            @JsonProperty("items") long items,
            @JsonProperty("invalid") long invalid,
            @JsonProperty("plan_key") String planKey,
            @JsonProperty("canary") boolean canary) {
        public Formatted(int attempt, int shards, long requests, long items, long invalid, String planKey) {
            this(attempt, shards, requests, items, invalid, planKey, false);
        }
    }

    /** "Check canary": its verdict, at {@code $.canary}; {@code shards} = the rest, recorded on a pass. */
    public record CanaryChecked(
            @JsonProperty("passed") boolean passed,
            @JsonProperty("shards") int shards,
            @JsonProperty("items") long items,
            @JsonProperty("pass_rate") BigDecimal passRate,
            @JsonProperty("cost_per_item_usd") BigDecimal costPerItemUsd,
            @JsonProperty("cause") String cause) {}

    public record SubmitRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("attempt") int attempt,
            @JsonProperty("invocation") @JsonInclude(JsonInclude.Include.NON_NULL) Invocation invocation)
            implements InvocationScoped {
        public SubmitRequest(String runId, String bucket, int attempt) {
            this(runId, bucket, attempt, null);
        }
    }

    /**
     * {@code last}: the previous check's (or the submit's) {@code $.poll}, whole: the provider-weather
     * streak it left, if any. Absent in older executions and in tests that build the request by hand.
     */
    public record PollRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("attempt") int attempt,
            @JsonProperty("polls") int polls,
            @JsonProperty("last") @JsonInclude(JsonInclude.Include.NON_NULL) LastCheck last) {
        public PollRequest(String runId, String bucket, int attempt, int polls) {
            this(runId, bucket, attempt, polls, null);
        }

        public int throttledCount() {
            return last == null || last.throttled() == null ? 0 : last.throttled();
        }

        public long throttledSinceEpoch() {
            return last == null || last.throttledSince() == null ? 0 : last.throttledSince();
        }
    }

    /** What "Check batches" reads of the previous {@link PollState}: the streak of put-off provider calls. */
    @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
    public record LastCheck(
            @JsonProperty("throttled") Integer throttled,
            @JsonProperty("throttled_since") Long throttledSince) {}

    /** Written by submit and by every poll at {@code $.poll}; drives the Wait state and the Map. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PollState(
            @JsonProperty("all_ended") boolean allEnded,
            @JsonProperty("wait_seconds") int waitSeconds,
            @JsonProperty("polls") int polls,
            @JsonProperty("open_batches") int openBatches,
            @JsonProperty("ended_shards") List<Integer> endedShards,
            /** what "Collect results" iterates over: the ended shards in groups, one "Collect shard" each */
            @JsonProperty("collect_groups") List<CollectGroup> collectGroups,
            /**
             * provider calls that failed for a passing reason (429, 529, 5xx, timeouts) in a row, and when
             * the streak began (epoch seconds, 0: none). The state machine waits {@code wait_seconds} and checks
             * again instead of failing the run; the stage gives up only past the outage horizon.
             */
            @JsonProperty("throttled") int throttled,
            @JsonProperty("throttled_since") long throttledSince,
            /** why the last check or submit was put off (the provider's error), null when it went through */
            @JsonProperty("throttled_cause") String throttledCause) {
        public PollState(boolean allEnded, int waitSeconds, int polls, int openBatches, List<Integer> endedShards,
                         List<CollectGroup> collectGroups) {
            this(allEnded, waitSeconds, polls, openBatches, endedShards, collectGroups, 0, 0L, null);
        }

        /** Each ended shard collected alone. */
        public PollState(boolean allEnded, int waitSeconds, int polls, int openBatches, List<Integer> endedShards) {
            this(allEnded, waitSeconds, polls, openBatches, endedShards,
                    endedShards.stream().map(s -> new CollectGroup(s, List.of(s))).toList());
        }
    }

    /**
     * Shards collected by one invocation, in order (a Map iteration is a state transition and a Lambda
     * invocation, dearer than the collect of a small shard); {@code shard} is the first, naming the group.
     */
    public record CollectGroup(
            @JsonProperty("shard") int shard,
            @JsonProperty("shards") List<Integer> shards) {}

    public record CollectRequest(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("attempt") int attempt,
            @JsonProperty("shard") int shard,
            /** the group's shards, {@code shard} first; absent: {@code shard} alone */
            @JsonProperty("shards") @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> shards,
            @JsonProperty("invocation") @JsonInclude(JsonInclude.Include.NON_NULL) Invocation invocation)
            implements InvocationScoped {
        public CollectRequest(String runId, String bucket, int attempt, int shard) {
            this(runId, bucket, attempt, shard, null, null);
        }

        public CollectRequest(String runId, String bucket, int attempt, int shard, Invocation invocation) {
            this(runId, bucket, attempt, shard, null, invocation);
        }

        /** The shards to collect, in order. */
        public List<Integer> group() {
            return shards == null || shards.isEmpty() ? List.of(shard) : shards;
        }

        /** The Map collects shards side by side in one state attempt. */
        @Override
        public String scope() {
            return "a" + attempt + "#" + shard;
        }
    }

    public record Collected(
            @JsonProperty("shard") int shard,
            @JsonProperty("accepted") long accepted,
            @JsonProperty("review") long review,
            @JsonProperty("rejected") long rejected,
            @JsonProperty("failed") long failed,
            @JsonProperty("retry") long retry) {}

    public record RunRef(
            @JsonProperty("run_id") String runId,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("invocation") @JsonInclude(JsonInclude.Include.NON_NULL) Invocation invocation)
            implements InvocationScoped {
        public RunRef(String runId, String bucket) {
            this(runId, bucket, null);
        }
    }

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
            @JsonProperty("outcomes_prefix") String outcomesPrefix,
            /** set when the run finalized but did not succeed (a failed canary): read by the Fail state */
            @JsonProperty("error") String error,
            @JsonProperty("cause") String cause) {
        public Finalized(String runId, String status, long items, long accepted, long review, long rejected,
                         long failed, BigDecimal costUsd, String reportKey, String outcomesPrefix) {
            this(runId, status, items, accepted, review, rejected, failed, costUsd, reportKey, outcomesPrefix, null,
                    null);
        }
    }

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
