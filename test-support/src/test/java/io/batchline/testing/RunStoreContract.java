package io.batchline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.run.RunRecord;
import io.batchline.run.RunRecord.RunStatus;
import io.batchline.run.RunStore;
import io.batchline.run.RunStore.CancelRequest;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link RunStore} promises: the conditional writes that keep a shard from being paid for twice. */
abstract class RunStoreContract {
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String RUN = "run-0001";
    protected RunStore store;

    protected abstract RunStore newStore();

    @BeforeEach
    void fresh() {
        store = newStore();
    }

    private static RunRecord running(String runId) {
        return new RunRecord(runId, "job", "bucket", "inbox/job/x.jsonl", "\"etag\"", RunStatus.RUNNING, T0, null,
                null, null);
    }

    private static ShardRecord planned(int attempt, int shard) {
        return new ShardRecord(RUN, attempt, shard, "req-" + shard, "idx-" + shard, 10, 1000, ShardStatus.PLANNED,
                null, null, null, null, null);
    }

    private ShardRecord shard(int attempt, int shard) {
        return store.shards(RUN, attempt).stream().filter(s -> s.shard() == shard).findFirst().orElseThrow();
    }

    @Test
    void aRunIsCreatedOnceAndARepeatReturnsTheStoredRecord() {
        assertThat(store.createRun(running(RUN))).isEqualTo(running(RUN));
        RunRecord other = new RunRecord(RUN, "other-job", "b2", "k2", "e2", RunStatus.RUNNING, T0.plusSeconds(5),
                null, null, null);
        assertThat(store.createRun(other)).isEqualTo(running(RUN));
        assertThat(store.run(RUN)).contains(running(RUN));
        assertThat(store.run("nope")).isEmpty();
        assertThat(store.latestExecution(RUN)).contains(RUN);
        assertThat(store.latestExecution("nope")).isEmpty();
    }

    @Test
    void finishRecordsStatusTimeErrorAndCause() {
        store.createRun(running(RUN));
        store.finishRun(RUN, RunStatus.FAILED, T0.plusSeconds(60), "Boom", "it broke");
        assertThat(store.run(RUN)).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.FAILED);
            assertThat(r.finishedAt()).isEqualTo(T0.plusSeconds(60));
            assertThat(r.error()).isEqualTo("Boom");
            assertThat(r.cause()).isEqualTo("it broke");
            assertThat(r.job()).isEqualTo("job");
        });
    }

    @Test
    void reopenOnlyFromFailedOrRunningAndTheLatestExecutionFinishes() {
        store.createRun(running(RUN));
        store.finishRun(RUN, RunStatus.FAILED, T0.plusSeconds(60), "Boom", "it broke");
        assertThat(store.reopenRun(RUN, T0.plusSeconds(120), RUN + "-resume-1")).isTrue();
        assertThat(store.run(RUN)).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(RunStatus.RUNNING);
            assertThat(r.finishedAt()).isNull();
            assertThat(r.error()).isNull();
            assertThat(r.cause()).isNull();
        });
        assertThat(store.latestExecution(RUN)).contains(RUN + "-resume-1");
        // the first execution lost: only the resume may end the run
        assertThat(store.finishRunOfExecution(RUN, RUN, RunStatus.SUCCEEDED, T0.plusSeconds(130), null, null)).isFalse();
        assertThat(store.finishRunOfExecution(RUN, RUN + "-resume-1", RunStatus.SUCCEEDED, T0.plusSeconds(130), null,
                null)).isTrue();
        assertThat(store.run(RUN).orElseThrow().status()).isEqualTo(RunStatus.SUCCEEDED);
        // an ended run is neither finished again nor reopened
        assertThat(store.finishRunOfExecution(RUN, RUN + "-resume-1", RunStatus.FAILED, T0.plusSeconds(140), "x",
                null)).isFalse();
        assertThat(store.reopenRun(RUN, T0.plusSeconds(150), null)).isFalse();
        assertThat(store.reopenRun("nope", T0, null)).isFalse();
    }

    @Test
    void aRunNeverResumedIsFinishedByTheExecutionNamedAfterIt() {
        store.createRun(running(RUN));
        assertThat(store.finishRunOfExecution(RUN, "someone-else", RunStatus.SUCCEEDED, T0, null, null)).isFalse();
        assertThat(store.finishRunOfExecution(RUN, RUN, RunStatus.SUCCEEDED, T0, null, null)).isTrue();
        assertThat(store.finishRunOfExecution("nope", "nope", RunStatus.SUCCEEDED, T0, null, null)).isFalse();
    }

    @Test
    void cancelIsRequestedOnceOnARunningRunAndNeverOnAnEndedOne() {
        store.createRun(running(RUN));
        assertThat(store.requestCancel(RUN, T0.plusSeconds(1))).isEqualTo(CancelRequest.REQUESTED);
        assertThat(store.requestCancel(RUN, T0.plusSeconds(2))).isEqualTo(CancelRequest.ALREADY_REQUESTED);
        assertThat(store.run(RUN).orElseThrow().cancelRequestedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(store.requestCancel("nope", T0)).isEqualTo(CancelRequest.NO_RUN);
        store.createRun(running("run-0002"));
        store.finishRun("run-0002", RunStatus.SUCCEEDED, T0, null, null);
        assertThat(store.requestCancel("run-0002", T0)).isEqualTo(CancelRequest.RUN_ENDED);
        assertThat(store.run("run-0002").orElseThrow().cancelRequestedAt()).isNull();
        // a run whose cancel was asked for is not reopened
        store.finishRun(RUN, RunStatus.FAILED, T0.plusSeconds(3), "e", null);
        assertThat(store.reopenRun(RUN, T0.plusSeconds(4), null)).isFalse();
    }

    @Test
    void shardsAreListedPerAttemptInShardOrder() {
        for (int s : new int[] {10, 2, 0, 1}) store.planShard(planned(1, s));
        store.planShard(planned(2, 0));
        store.planShard(planned(11, 0));
        assertThat(store.shards(RUN, 1)).extracting(ShardRecord::shard).containsExactly(0, 1, 2, 10);
        assertThat(store.shards(RUN, 1)).allSatisfy(s -> assertThat(s.status()).isEqualTo(ShardStatus.PLANNED));
        assertThat(store.shards(RUN, 2)).hasSize(1);
        assertThat(store.shards(RUN, 3)).isEmpty();
        assertThat(store.shards("nope", 1)).isEmpty();
        assertThat(shard(1, 2)).satisfies(s -> {
            assertThat(s.requestsKey()).isEqualTo("req-2");
            assertThat(s.indexKey()).isEqualTo("idx-2");
            assertThat(s.requests()).isEqualTo(10);
            assertThat(s.bytes()).isEqualTo(1000);
        });
    }

    @Test
    void onlyOneCallerMovesAShardToSubmittingAndOnlyOneBatchIsRecorded() {
        store.planShard(planned(1, 0));
        assertThat(store.markSubmitting(RUN, 1, 0, null, T0)).isTrue();
        assertThat(store.markSubmitting(RUN, 1, 0, null, T0.plusSeconds(1))).isFalse();
        // a stale intent is taken over only by naming it
        assertThat(store.markSubmitting(RUN, 1, 0, T0.plusSeconds(9), T0.plusSeconds(10))).isFalse();
        assertThat(store.markSubmitting(RUN, 1, 0, T0, T0.plusSeconds(10))).isTrue();
        assertThat(shard(1, 0).intentAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(store.markSubmitted(RUN, 1, 0, "msgbatch_1", T0.plusSeconds(11))).isTrue();
        assertThat(store.markSubmitted(RUN, 1, 0, "msgbatch_2", T0.plusSeconds(12))).isFalse();
        assertThat(shard(1, 0)).satisfies(s -> {
            assertThat(s.status()).isEqualTo(ShardStatus.SUBMITTED);
            assertThat(s.batchId()).isEqualTo("msgbatch_1");
            assertThat(s.submittedAt()).isEqualTo(T0.plusSeconds(11));
        });
        // a repeated format does not reset a sent shard
        store.planShard(planned(1, 0));
        assertThat(shard(1, 0).status()).isEqualTo(ShardStatus.SUBMITTED);
        assertThat(store.markSubmitting(RUN, 1, 0, null, T0.plusSeconds(20))).isFalse();
    }

    @Test
    void missingShardsRefuseEveryTransition() {
        assertThat(store.markSubmitting(RUN, 1, 7, null, T0)).isFalse();
        assertThat(store.markSubmitted(RUN, 1, 7, "b", T0)).isFalse();
        assertThat(store.markReplaced(RUN, 1, 7, T0)).isFalse();
        assertThat(store.markCanceled(RUN, 1, 7)).isFalse();
        store.markEnded(RUN, 1, 7, T0, "raw");
        store.markCollected(RUN, 1, 7);
        assertThat(store.shards(RUN, 1)).isEmpty();
    }

    @Test
    void aSubmittedShardEndsIsCollectedAndCannotBeCanceledOrReplaced() {
        store.planShard(planned(1, 0));
        store.markSubmitting(RUN, 1, 0, null, T0);
        // collected needs a batch; ended needs SUBMITTED: both ignored on a shard still SUBMITTING
        store.markEnded(RUN, 1, 0, T0, "raw");
        store.markCollected(RUN, 1, 0);
        assertThat(shard(1, 0).status()).isEqualTo(ShardStatus.SUBMITTING);
        store.markSubmitted(RUN, 1, 0, "b1", T0);
        assertThat(store.markCanceled(RUN, 1, 0)).isFalse();
        assertThat(store.markReplaced(RUN, 1, 0, T0)).isFalse();
        store.markEnded(RUN, 1, 0, T0.plusSeconds(5), "runs/x/raw/a1/shard-0000.jsonl");
        store.markEnded(RUN, 1, 0, T0.plusSeconds(6), "runs/x/raw/a1/shard-0000.jsonl");
        assertThat(shard(1, 0)).satisfies(s -> {
            assertThat(s.status()).isEqualTo(ShardStatus.ENDED);
            assertThat(s.endedAt()).isEqualTo(T0.plusSeconds(6));
            assertThat(s.rawKey()).isEqualTo("runs/x/raw/a1/shard-0000.jsonl");
            assertThat(s.batchId()).isEqualTo("b1");
        });
        store.markCollected(RUN, 1, 0);
        assertThat(shard(1, 0).status()).isEqualTo(ShardStatus.COLLECTED);
        store.markEnded(RUN, 1, 0, T0.plusSeconds(7), "other");
        assertThat(shard(1, 0).status()).isEqualTo(ShardStatus.COLLECTED);
    }

    @Test
    void aShardIsReplacedOnlyByTheIntentThatSentItAndCanceledOnlyBeforeItIsSent() {
        store.planShard(planned(1, 0));
        store.markSubmitting(RUN, 1, 0, null, T0);
        assertThat(store.markReplaced(RUN, 1, 0, T0.plusSeconds(1))).isFalse();
        assertThat(store.markReplaced(RUN, 1, 0, T0)).isTrue();
        assertThat(store.markReplaced(RUN, 1, 0, T0.plusSeconds(99))).isTrue(); // repeat
        assertThat(shard(1, 0).status()).isEqualTo(ShardStatus.REPLACED);
        assertThat(store.markCanceled(RUN, 1, 0)).isFalse();

        store.planShard(planned(1, 1));
        assertThat(store.markCanceled(RUN, 1, 1)).isTrue();
        assertThat(store.markCanceled(RUN, 1, 1)).isTrue(); // repeat
        assertThat(store.markSubmitting(RUN, 1, 1, null, T0)).isFalse();
        store.planShard(planned(1, 2));
        store.markSubmitting(RUN, 1, 2, null, T0);
        assertThat(store.markCanceled(RUN, 1, 2)).isTrue();
        assertThat(store.markSubmitted(RUN, 1, 2, "b", T0)).isFalse();
    }
}
