package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.SubmitStage;
import io.batchline.pipeline.TransientStageException;
import io.batchline.provider.MessageBatch;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * "Never pay twice": the submission records its intent before the provider call and the batch id right after.
 * Every way of repeating or interrupting a submission must leave exactly one batch per shard at the provider.
 */
class SubmitNeverTwiceTest {
    private static final String RUN = "job-0123456789ab";
    private StageFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new StageFixture(b -> b);
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private ShardRecord plannedShard(int shard, int requests) {
        f.formattedRun(RUN);
        StringBuilder jsonl = new StringBuilder();
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            index.append("{\"custom_id\":\"a1-l").append(shard * 1000 + i + 1).append("\",\"id\":\"i").append(i)
                    .append("\",\"line\":").append(shard * 1000 + i + 1).append(",\"attempts\":1}\n");
            jsonl.append("{\"custom_id\":\"a1-l").append(shard * 1000 + i + 1).append("\",\"params\":{\"model\":")
                    .append("\"claude-haiku-4-5-20251001\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",")
                    .append("\"content\":\"hello ").append(i).append("\"}]}}\n");
        }
        byte[] bytes = jsonl.toString().getBytes(StandardCharsets.UTF_8);
        String key = RunKeys.shard(RUN, 1, shard);
        f.store.put(key, bytes, "application/x-ndjson");
        f.store.put(RunKeys.shardIndex(RUN, 1, shard), index.toString().getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
        ShardRecord s = new ShardRecord(RUN, 1, shard, key, RunKeys.shardIndex(RUN, 1, shard), requests, bytes.length,
                ShardStatus.PLANNED, null, null, null, null, null);
        f.runs.planShard(s);
        return s;
    }

    private List<MessageBatch> batchesAtProvider() {
        List<MessageBatch> all = new ArrayList<>();
        f.provider.listAll(100).forEachRemaining(all::add);
        return all;
    }

    private ShardRecord shard(int n) {
        return f.runs.shards(RUN, 1).stream().filter(s -> s.shard() == n).findFirst().orElseThrow();
    }

    @Test
    void submittingTwiceCreatesOneBatchPerShard() {
        plannedShard(0, 3);
        plannedShard(1, 2);
        SubmitStage submit = new SubmitStage(f.ctx);

        PollState first = submit.submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1));
        PollState again = submit.submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1)); // a Lambda retry of the state

        assertThat(first.openBatches()).isEqualTo(2);
        assertThat(again.openBatches()).isEqualTo(2);
        assertThat(batchesAtProvider()).hasSize(2);
        assertThat(shard(0).status()).isEqualTo(ShardStatus.SUBMITTED);
        assertThat(batchesAtProvider()).extracting(MessageBatch::id)
                .containsExactlyInAnyOrder(shard(0).batchId(), shard(1).batchId());
    }

    @Test
    void aCrashBetweenCreateAndRecordIsReconciledByAdoptingTheBatchNotByCreatingAnother() throws Exception {
        ShardRecord s = plannedShard(0, 4);
        // the earlier invocation recorded its intent, created the batch, and died before recording the id
        assertThat(f.runs.markSubmitting(RUN, 1, 0, null, Instant.now())).isTrue();
        MessageBatch orphan = f.provider.create(s.requests(), s.bytes(), () -> f.store.open(s.requestsKey()));

        new SubmitStage(f.ctx).submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1));

        assertThat(batchesAtProvider()).extracting(MessageBatch::id).containsExactly(orphan.id());
        assertThat(shard(0).batchId()).isEqualTo(orphan.id());
        assertThat(shard(0).status()).isEqualTo(ShardStatus.SUBMITTED);
    }

    @Test
    void anAmbiguousCreateIsRetriedThroughReconciliationAndStillYieldsOneBatch() {
        plannedShard(0, 2);
        f.sim.failNext(1, 500); // the create's answer is a 500: the batch may or may not exist
        SubmitStage submit = new SubmitStage(f.ctx);

        // the stage does not fail: it answers with a wait, which the state machine sleeps before checking again
        PollState putOff = submit.submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1));
        assertThat(putOff.allEnded()).isFalse();
        assertThat(putOff.throttledCause()).contains("reconcile");
        assertThat(putOff.waitSeconds()).isPositive();
        assertThat(shard(0).status()).isEqualTo(ShardStatus.SUBMITTING);

        submit.submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1)); // the state machine's retry

        assertThat(batchesAtProvider()).hasSize(1);
        assertThat(shard(0).batchId()).isEqualTo(batchesAtProvider().get(0).id());
    }

    @Test
    void aShardRecordAlreadySentIsNeverResetByARepeatedPlan() {
        ShardRecord s = plannedShard(0, 2);
        new SubmitStage(f.ctx).submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1));
        String batchId = shard(0).batchId();

        f.runs.planShard(s); // format repeated after submission (a Lambda retry)

        assertThat(shard(0).status()).isEqualTo(ShardStatus.SUBMITTED);
        assertThat(shard(0).batchId()).isEqualTo(batchId);
    }

    @Test
    void pollingSavesRawResultsOnceABatchEndsAndReportsEveryShard() throws Exception {
        plannedShard(0, 2);
        plannedShard(1, 3);
        new SubmitStage(f.ctx).submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1));
        PollStage poll = new PollStage(f.ctx);

        PollState state = poll.poll(new PollRequest(RUN, StageFixture.BUCKET, 1, 0));
        long deadline = System.currentTimeMillis() + 20_000;
        while (!state.allEnded() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            state = poll.poll(new PollRequest(RUN, StageFixture.BUCKET, 1, state.polls()));
        }

        assertThat(state.allEnded()).isTrue();
        assertThat(state.endedShards()).containsExactlyInAnyOrder(0, 1);
        for (int n : new int[] {0, 1}) {
            ShardRecord s = shard(n);
            assertThat(s.status()).isEqualTo(ShardStatus.ENDED);
            assertThat(f.store.readString(s.rawKey()).lines().count()).isEqualTo(s.requests());
        }
        assertThat(state.waitSeconds()).isBetween(1, 5);
    }
}
