package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.cost.PriceTable;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.report.html.HtmlReportPages;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.run.ShardRecord;
import io.batchline.testing.PlannedShards;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Submit and poll against a provider misbehaving over HTTP: faults on every call (including a 500 that arrives after
 * the batch was created), ridden out by the real HTTP client and the stages. Each stage call that throws
 * TransientStageException is called again, as the state machine's Retry does. A shard the provider rejects as too
 * large is tested on the in-memory ports (ShardTooLargeTest in test-support).
 */
class ProviderFaultsStageTest {
    private static final String RUN = "job-faults0000001";
    private StageFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
    }

    private PipelineContext ctx(int clientRetries) {
        // retry-after is honoured but capped, so the test does not sit out every simulated 429 in full
        AnthropicBatchesClient client = new AnthropicBatchesClient(ProviderConfig.of(f.sim.baseUrl(), () -> "sk-test")
                .withRetries(clientRetries, Duration.ofMillis(5), Duration.ofMillis(20)),
                d -> Thread.sleep(Math.min(d.toMillis(), 20)), () -> 0.5);
        return new PipelineContext(bucket -> f.store, f.runs, client, PriceTable.bundled(),
                new PipelineConfig(StageFixture.TABLE, null, 1, 5), Clock.systemUTC())
                .reportPages(new HtmlReportPages());
    }

    private void start(UnaryOperator<io.batchline.offline.sim.SimulatorConfig.Builder> sim) throws Exception {
        f = new StageFixture(sim);
    }

    private PollState runToEnd(PipelineContext ctx, List<String> transients) throws InterruptedException {
        PollState s = PlannedShards.retried(() -> new SubmitStage(ctx).submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1)),
                transients);
        PollStage poll = new PollStage(ctx);
        for (int i = 0; !s.allEnded(); i++) {
            if (i > 300) throw new AssertionError("batches never ended");
            Thread.sleep(100);
            int polls = s.polls();
            s = PlannedShards.retried(() -> poll.poll(new PollRequest(RUN, StageFixture.BUCKET, 1, polls)), transients);
        }
        return s;
    }

    /** What the provider holds; the test's own look rides out the simulator's HTTP faults like the stages do. */
    private List<MessageBatch> batchesAtProvider(PipelineContext ctx) {
        for (int tries = 1; ; tries++) {
            try {
                return ctx.provider().listSince(java.time.Instant.EPOCH);
            } catch (io.batchline.provider.ProviderException e) {
                if (!e.retryable() || tries >= 20) throw e;
            }
        }
    }

    @Test
    void submitAndPollRideOutHttpFaultsAndA500AfterCreateIsReconciledNotPaidTwice() throws Exception {
        start(b -> b.seed(17).http429Rate(0.2).http529Rate(0.1).http500Rate(0.4));
        PipelineContext ctx = ctx(2);
        int[] sizes = {3, 4, 5, 6, 7, 8, 9, 10};
        for (int i = 0; i < sizes.length; i++) PlannedShards.plannedShard(f.store, f.runs, RUN, i, sizes[i], 10);
        List<String> transients = new ArrayList<>();

        PollState end = runToEnd(ctx, transients);

        assertThat(end.endedShards()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(transients).anyMatch(m -> m.contains("will reconcile")); // ambiguous creates happened
        assertThat(f.sim.createdThen500()).as("creates answered 500 after the batch existed").isPositive();
        List<MessageBatch> atProvider = batchesAtProvider(ctx);
        assertThat(atProvider).as("exactly one batch per shard, however many creates failed").hasSize(8);
        Set<String> recorded = new HashSet<>();
        for (ShardRecord s : f.runs.shards(RUN, 1)) {
            assertThat(s.status()).isEqualTo(ShardStatus.ENDED);
            recorded.add(s.batchId());
        }
        assertThat(atProvider).extracting(MessageBatch::id).containsExactlyInAnyOrderElementsOf(recorded);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < sizes.length; i++) expected.addAll(PlannedShards.customIds(i, sizes[i]));
        assertThat(PlannedShards.savedCustomIds(f.store, f.runs, RUN)).isEqualTo(expected);
    }
}
