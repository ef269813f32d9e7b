package io.batchline.run;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Run and shard records with single-item conditional writes only (the local DynamoDB has no transactions).
 * Every write that guards against paying twice is conditional; a lost race surfaces as {@code false}.
 */
public interface RunStore {

    /** Creates the run record unless one exists; returns the record now stored (the existing one on a repeat). */
    RunRecord createRun(RunRecord run);

    Optional<RunRecord> run(String runId);

    void finishRun(String runId, RunRecord.RunStatus status, Instant finishedAt, String error, String cause);

    /**
     * Resume: a FAILED run (or one left RUNNING by a stopped or crashed execution) is RUNNING again, its
     * error kept as {@code previous_error} for the record; false when the run ended otherwise (succeeded,
     * canceled) or does not exist. One conditional write.
     */
    default boolean reopenRun(String runId, Instant reopenedAt) {
        throw new UnsupportedOperationException("this run store cannot reopen runs");
    }

    /**
     * {@link #reopenRun(String, Instant)} by the execution {@code execution} (a resume,
     * {@code <run>-resume-<n>}), which the record keeps as the run's latest execution in the same write; null
     * leaves the one recorded.
     */
    default boolean reopenRun(String runId, Instant reopenedAt, String execution) {
        return reopenRun(runId, reopenedAt);
    }

    /**
     * The name of the run's latest execution: the one the last resume recorded, else the first one
     * (named after the run). Empty when there is no such run.
     */
    default Optional<String> latestExecution(String runId) {
        return run(runId).map(RunRecord::runId);
    }

    /**
     * {@link #finishRun} only while the run is RUNNING and {@code execution} is its latest execution
     * (one conditional write: a resume that starts meanwhile wins); false when it is not, or the run ended.
     */
    default boolean finishRunOfExecution(String runId, String execution, RunRecord.RunStatus status,
                                         Instant finishedAt, String error, String cause) {
        RunRecord run = run(runId).orElse(null);
        if (run == null || run.status() != RunRecord.RunStatus.RUNNING
                || !latestExecution(runId).orElse("").equals(execution)) return false;
        finishRun(runId, status, finishedAt, error, cause);
        return true;
    }

    /** Records a planned shard unless the shard is already past PLANNED (a repeated format must not reset it). */
    void planShard(ShardRecord shard);

    List<ShardRecord> shards(String runId, int attempt);

    /** PLANNED (or a stale SUBMITTING with the same intent) -> SUBMITTING; false if another caller won. */
    boolean markSubmitting(String runId, int attempt, int shard, Instant previousIntent, Instant intentAt);

    /** SUBMITTING -> SUBMITTED with the batch id; false if the shard already has a batch. */
    boolean markSubmitted(String runId, int attempt, int shard, String batchId, Instant submittedAt);

    /** SUBMITTING (with this intent) -> REPLACED: the shard was split; false if the record moved on. */
    boolean markReplaced(String runId, int attempt, int shard, Instant intentAt);

    void markEnded(String runId, int attempt, int shard, Instant endedAt, String rawKey);

    void markCollected(String runId, int attempt, int shard);

    /** What a cancel request found on the run record. */
    enum CancelRequest {
        /** this call recorded the request */
        REQUESTED,
        /** an earlier call did: cancelling twice is fine */
        ALREADY_REQUESTED,
        /** the run had already ended (succeeded, failed or canceled): nothing to cancel */
        RUN_ENDED,
        /** no such run */
        NO_RUN
    }

    /** True once an operator asked to cancel the run; every stage that would start new work asks this. */
    default boolean cancelRequested(String runId) {
        return run(runId).map(RunRecord::cancelRequested).orElse(false);
    }

    /** Records the cancel request on a RUNNING run (one conditional write); never touches an ended run. */
    CancelRequest requestCancel(String runId, Instant requestedAt);

    /** PLANNED or SUBMITTING -> CANCELED: the shard is never sent because its run was canceled; false if it moved on. */
    boolean markCanceled(String runId, int attempt, int shard);
}
