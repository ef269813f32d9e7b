package io.batchline.testing;

import io.batchline.run.RunRecord;
import io.batchline.run.RunRecord.RunStatus;
import io.batchline.run.RunStore;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link RunStore} in memory with the conditions DynamoRunStore writes with, each method one atomic step (the
 * store is synchronized, as single-item conditional writes are):
 * <ul>
 *   <li>{@link #createRun} keeps the first record (only its job, bucket, input, ETag, status and start, as the
 *       table does) and returns the stored one on a repeat;</li>
 *   <li>{@link #finishRun} is unconditional; {@link #finishRunOfExecution} only while RUNNING and the execution is
 *       the latest; {@link #reopenRun} only from RUNNING or FAILED without a cancel request;</li>
 *   <li>shard transitions return false when their condition fails, including on a missing shard;
 *       {@link #markEnded} and {@link #markCollected} ignore a failed condition silently;</li>
 *   <li>{@link #shards} lists an attempt's shards in shard order.</li>
 * </ul>
 */
public final class InMemoryRunStore implements RunStore {

    private static final class Run {
        RunRecord record;
        String execution;
        String previousError;
        Instant reopenedAt;
    }

    private final Map<String, Run> runs = new HashMap<>();
    /** runId -> attempt -> shard -> record */
    private final Map<String, Map<Integer, TreeMap<Integer, ShardRecord>>> shards = new HashMap<>();

    @Override
    public synchronized RunRecord createRun(RunRecord run) {
        Run existing = runs.get(run.runId());
        if (existing != null) return existing.record;
        Run r = new Run();
        r.record = new RunRecord(run.runId(), run.job(), run.bucket(), run.inputKey(), run.etag(), run.status(),
                run.startedAt(), null, null, null, null);
        runs.put(run.runId(), r);
        return run;
    }

    @Override
    public synchronized Optional<RunRecord> run(String runId) {
        return Optional.ofNullable(runs.get(runId)).map(r -> r.record);
    }

    @Override
    public synchronized void finishRun(String runId, RunStatus status, Instant finishedAt, String error, String cause) {
        // an update without a condition: on a missing run it leaves a record of just these fields, as DynamoDB does
        Run r = runs.computeIfAbsent(runId, id -> {
            Run fresh = new Run();
            fresh.record = new RunRecord(id, null, null, null, null, status, null, null, null, null, null);
            return fresh;
        });
        RunRecord o = r.record;
        r.record = new RunRecord(runId, o.job(), o.bucket(), o.inputKey(), o.etag(), status, o.startedAt(), finishedAt,
                blankToNull(error), blankToNull(cause), o.cancelRequestedAt());
    }

    @Override
    public synchronized boolean reopenRun(String runId, Instant reopenedAt) {
        return reopenRun(runId, reopenedAt, null);
    }

    @Override
    public synchronized boolean reopenRun(String runId, Instant reopenedAt, String execution) {
        Run r = runs.get(runId);
        if (r == null) return false;
        RunRecord o = r.record;
        if ((o.status() != RunStatus.RUNNING && o.status() != RunStatus.FAILED) || o.cancelRequestedAt() != null) {
            return false;
        }
        r.previousError = o.error() == null ? "" : o.error();
        r.reopenedAt = reopenedAt;
        if (execution != null) r.execution = execution;
        r.record = new RunRecord(runId, o.job(), o.bucket(), o.inputKey(), o.etag(), RunStatus.RUNNING, o.startedAt(),
                null, null, null, null);
        return true;
    }

    @Override
    public synchronized Optional<String> latestExecution(String runId) {
        Run r = runs.get(runId);
        if (r == null) return Optional.empty();
        return Optional.of(r.execution == null ? runId : r.execution);
    }

    @Override
    public synchronized boolean finishRunOfExecution(String runId, String execution, RunStatus status,
                                                     Instant finishedAt, String error, String cause) {
        Run r = runs.get(runId);
        if (r == null || r.record.status() != RunStatus.RUNNING) return false;
        String x = execution == null ? "" : execution;
        boolean latest = x.equals(r.execution) || (r.execution == null && runId.equals(execution));
        if (!latest) return false;
        finishRun(runId, status, finishedAt, error, cause);
        return true;
    }

    /** The error a reopened run had before its resume ({@code ""} when it had none); empty if never reopened. */
    public synchronized Optional<String> previousError(String runId) {
        return Optional.ofNullable(runs.get(runId)).map(r -> r.previousError);
    }

    @Override
    public synchronized CancelRequest requestCancel(String runId, Instant requestedAt) {
        Run r = runs.get(runId);
        if (r == null) return CancelRequest.NO_RUN;
        RunRecord o = r.record;
        if (o.status() != RunStatus.RUNNING) return CancelRequest.RUN_ENDED;
        if (o.cancelRequestedAt() != null) return CancelRequest.ALREADY_REQUESTED;
        r.record = new RunRecord(runId, o.job(), o.bucket(), o.inputKey(), o.etag(), o.status(), o.startedAt(),
                o.finishedAt(), o.error(), o.cause(), requestedAt);
        return CancelRequest.REQUESTED;
    }

    @Override
    public synchronized boolean markCanceled(String runId, int attempt, int shard) {
        ShardRecord s = shard(runId, attempt, shard);
        if (s == null || !(s.status() == ShardStatus.PLANNED || s.status() == ShardStatus.SUBMITTING
                || s.status() == ShardStatus.CANCELED)) return false;
        put(s.with(ShardStatus.CANCELED));
        return true;
    }

    @Override
    public synchronized void planShard(ShardRecord shard) {
        ShardRecord s = shard(shard.runId(), shard.attempt(), shard.shard());
        if (s != null && s.status() != ShardStatus.PLANNED) return; // never reset a shard that was sent
        put(new ShardRecord(shard.runId(), shard.attempt(), shard.shard(), shard.requestsKey(), shard.indexKey(),
                shard.requests(), shard.bytes(), ShardStatus.PLANNED, null, null, null, null, null));
    }

    @Override
    public synchronized List<ShardRecord> shards(String runId, int attempt) {
        TreeMap<Integer, ShardRecord> of = shards.getOrDefault(runId, Map.of()).get(attempt);
        return of == null ? List.of() : new ArrayList<>(of.values());
    }

    @Override
    public synchronized boolean markSubmitting(String runId, int attempt, int shard, Instant previousIntent,
                                               Instant intentAt) {
        ShardRecord s = shard(runId, attempt, shard);
        if (s == null) return false;
        boolean ok = previousIntent == null ? s.status() == ShardStatus.PLANNED
                : s.status() == ShardStatus.SUBMITTING && previousIntent.equals(s.intentAt());
        if (!ok) return false;
        put(new ShardRecord(runId, attempt, shard, s.requestsKey(), s.indexKey(), s.requests(), s.bytes(),
                ShardStatus.SUBMITTING, s.batchId(), intentAt, s.submittedAt(), s.endedAt(), s.rawKey()));
        return true;
    }

    @Override
    public synchronized boolean markSubmitted(String runId, int attempt, int shard, String batchId, Instant submittedAt) {
        ShardRecord s = shard(runId, attempt, shard);
        if (s == null || s.status() != ShardStatus.SUBMITTING || s.batchId() != null) return false;
        put(new ShardRecord(runId, attempt, shard, s.requestsKey(), s.indexKey(), s.requests(), s.bytes(),
                ShardStatus.SUBMITTED, batchId, s.intentAt(), submittedAt, s.endedAt(), s.rawKey()));
        return true;
    }

    @Override
    public synchronized boolean markReplaced(String runId, int attempt, int shard, Instant intentAt) {
        ShardRecord s = shard(runId, attempt, shard);
        if (s == null) return false;
        boolean ok = s.status() == ShardStatus.REPLACED
                || (s.status() == ShardStatus.SUBMITTING && Objects.equals(intentAt, s.intentAt()));
        if (!ok) return false;
        put(s.with(ShardStatus.REPLACED));
        return true;
    }

    @Override
    public synchronized void markEnded(String runId, int attempt, int shard, Instant endedAt, String rawKey) {
        ShardRecord s = shard(runId, attempt, shard);
        if (s == null || !(s.status() == ShardStatus.SUBMITTED || s.status() == ShardStatus.ENDED)) return;
        put(new ShardRecord(runId, attempt, shard, s.requestsKey(), s.indexKey(), s.requests(), s.bytes(),
                ShardStatus.ENDED, s.batchId(), s.intentAt(), s.submittedAt(), endedAt, rawKey));
    }

    @Override
    public synchronized void markCollected(String runId, int attempt, int shard) {
        ShardRecord s = shard(runId, attempt, shard);
        if (s == null || s.batchId() == null) return;
        put(s.with(ShardStatus.COLLECTED));
    }

    private ShardRecord shard(String runId, int attempt, int shard) {
        TreeMap<Integer, ShardRecord> of = shards.getOrDefault(runId, Map.of()).get(attempt);
        return of == null ? null : of.get(shard);
    }

    private void put(ShardRecord s) {
        shards.computeIfAbsent(s.runId(), id -> new HashMap<>()).computeIfAbsent(s.attempt(), a -> new TreeMap<>())
                .put(s.shard(), s);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
