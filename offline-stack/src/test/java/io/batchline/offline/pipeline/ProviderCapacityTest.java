package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.testing.TestClock;
import io.batchline.cost.PriceTable;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.FinalizeStage;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.Formatted;
import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.report.html.HtmlReportPages;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Submission respects the provider's queue limit and batch-creation rate. 200 tickets in shards
 * of 60 (4 batches) against a provider that queues at most 130 requests: never more than two batches at once,
 * the rest stay PLANNED until "Check batches" sees capacity, and every line still ends in one outcome.
 */
class ProviderCapacityTest {
    private static final int ITEMS = 200;
    private static final long QUEUE_LIMIT = 130;

    @Test
    void withTheLimitConfiguredTheProviderNeverSeesMoreQueuedThanItAllows() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(5))) {
            // GIVEN a provider that queues at most 130 requests, and the pipeline told so
            f.sim.queueLimit(QUEUE_LIMIT);
            PipelineContext ctx = context(f, QUEUE_LIMIT, 50, Clock.systemUTC());

            // WHEN the run is submitted and polled to its end
            Run run = new Run(f, ctx, "capacity-000000001");
            Map<ShardStatus, Long> afterSubmit = run.start();

            // THEN two shards fit and two wait, unsent, for capacity
            assertThat(afterSubmit).containsEntry(ShardStatus.SUBMITTED, 2L).containsEntry(ShardStatus.PLANNED, 2L);
            run.toTheEnd();
            assertThat(f.sim.maxQueuedSeen()).isPositive().isLessThanOrEqualTo(QUEUE_LIMIT);
            run.assertEveryShardSentOnceAndEveryLineOneOutcome();
        }
    }

    @Test
    void aProviderQueueFullAnswerLeavesTheShardForTheNextCheckInsteadOfFailingTheRun() throws Exception {
        // batches that outlast the client's retry of the 429 (retry-after: 1 s)
        try (StageFixture f = new StageFixture(b -> b.seed(6).processingTime(Duration.ofSeconds(3)))) {
            // GIVEN a provider that queues at most 130 requests, and a pipeline that assumes tier 1's 100,000
            f.sim.queueLimit(QUEUE_LIMIT);
            PipelineContext ctx = context(f, PipelineConfig.TIER1_MAX_QUEUED_REQUESTS, 50, Clock.systemUTC());

            Run run = new Run(f, ctx, "capacity-000000002");
            Map<ShardStatus, Long> afterSubmit = run.start();

            // THEN the third create's 429 stops the pass: nothing failed, the shard is sent on a later check
            assertThat(afterSubmit.get(ShardStatus.SUBMITTED)).isEqualTo(2L);
            assertThat(afterSubmit.getOrDefault(ShardStatus.PLANNED, 0L)
                    + afterSubmit.getOrDefault(ShardStatus.SUBMITTING, 0L)).isEqualTo(2L);
            run.toTheEnd();
            assertThat(f.sim.maxQueuedSeen()).isLessThanOrEqualTo(QUEUE_LIMIT);
            run.assertEveryShardSentOnceAndEveryLineOneOutcome();
        }
    }

    @Test
    void batchCreatesPerMinuteAreSpreadOverMinutes() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(7))) {
            // GIVEN at most 2 batch creations a minute, and a clock the test moves
            TestClock clock = new TestClock(Instant.now());
            PipelineContext ctx = context(f, PipelineConfig.TIER1_MAX_QUEUED_REQUESTS, 2, clock);
            Run run = new Run(f, ctx, "capacity-000000003");

            // WHEN submitted, then checked within the same minute, then a minute later
            assertThat(run.start()).containsEntry(ShardStatus.SUBMITTED, 2L).containsEntry(ShardStatus.PLANNED, 2L);
            clock.advance(Duration.ofSeconds(30));
            run.pollOnce();
            long submittedWithinTheMinute = run.submitted();
            clock.advance(Duration.ofSeconds(31));
            run.pollOnce();

            // THEN nothing more was created inside the first minute, the other two right after it
            assertThat(submittedWithinTheMinute).isEqualTo(2);
            assertThat(run.submitted()).isEqualTo(4);
            run.toTheEnd();
            run.assertEveryShardSentOnceAndEveryLineOneOutcome();
        }
    }

    private static PipelineContext context(StageFixture f, long maxQueued, int createsPerMinute, Clock clock) {
        return new PipelineContext(bucket -> f.store, f.runs, f.provider, PriceTable.bundled(),
                new PipelineConfig(StageFixture.TABLE, null, 1, 5, maxQueued, createsPerMinute), clock)
                .reportPages(new HtmlReportPages());
    }

    /** The stages in the order batchline-run.asl.json calls them, with the test's context. */
    private static final class Run {
        private final StageFixture f;
        private final PipelineContext ctx;
        private final String runId;
        private Formatted plan;
        private PollState poll;

        Run(StageFixture f, PipelineContext ctx, String runId) {
            this.f = f;
            this.ctx = ctx;
            this.runId = runId;
        }

        Map<ShardStatus, Long> start() throws Exception {
            String job = "quality-test";
            String inputKey = RunKeys.INBOX + job + "/" + runId + ".jsonl";
            f.store.put(RunKeys.jobSpec(job), TicketTriage.job("").getBytes(StandardCharsets.UTF_8), "application/yaml");
            f.store.put(inputKey, TicketTriage.tickets(ITEMS), "application/x-ndjson");
            new RegisterStage(ctx).register(new RunStart(runId, StageFixture.BUCKET, inputKey, f.store.head(inputKey).orElseThrow().etag(), job));
            plan = new FormatStage(ctx).format(new FormatRequest(runId, StageFixture.BUCKET, 1, null));
            assertThat(plan.shards()).isEqualTo(4);
            poll = new SubmitStage(ctx).submit(new SubmitRequest(runId, StageFixture.BUCKET, plan.attempt()));
            return statuses();
        }

        Map<ShardStatus, Long> statuses() {
            return f.runs.shards(runId, plan.attempt()).stream()
                    .collect(Collectors.groupingBy(ShardRecord::status, Collectors.counting()));
        }

        long submitted() {
            return f.runs.shards(runId, plan.attempt()).stream().filter(s -> s.batchId() != null).count();
        }

        void pollOnce() throws InterruptedException {
            Thread.sleep(400); // the simulator's batches take 300 ms
            poll = new PollStage(ctx).poll(new PollRequest(runId, StageFixture.BUCKET, plan.attempt(), poll.polls()));
        }

        void toTheEnd() throws InterruptedException {
            while (true) {
                for (int i = 0; !poll.allEnded(); i++) {
                    if (i > 200) throw new AssertionError("batches never ended: " + statuses());
                    pollOnce();
                    if (ctx.clock() instanceof TestClock c) c.advance(Duration.ofSeconds(61));
                }
                for (int shard : poll.endedShards()) {
                    new CollectStage(ctx).collect(new CollectRequest(runId, StageFixture.BUCKET, plan.attempt(), shard));
                }
                plan = new FormatStage(ctx).format(new FormatRequest(runId, StageFixture.BUCKET, null, plan.attempt()));
                if (plan.shards() == 0) break;
                poll = new SubmitStage(ctx).submit(new SubmitRequest(runId, StageFixture.BUCKET, plan.attempt()));
            }
            new FinalizeStage(ctx).finalize(new RunRef(runId, StageFixture.BUCKET));
        }

        void assertEveryShardSentOnceAndEveryLineOneOutcome() {
            List<ShardRecord> shards = f.runs.shards(runId, 1);
            assertThat(shards).hasSize(4).allSatisfy(s -> assertThat(s.batchId()).isNotNull());
            assertThat(shards.stream().map(ShardRecord::batchId)).doesNotHaveDuplicates();
            RunDriver driver = new RunDriver(f);
            List<Long> lines = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) {
                for (JsonNode n : driver.outcomes(runId, kind)) lines.add(n.get("line").asLong());
            }
            assertThat(lines).hasSize(ITEMS).doesNotHaveDuplicates().allMatch(l -> l >= 1 && l <= ITEMS);
        }
    }
}
