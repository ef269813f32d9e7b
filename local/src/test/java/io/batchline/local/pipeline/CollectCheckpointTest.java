package io.batchline.local.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cost.PriceTable;
import io.batchline.json.Json;
import io.batchline.local.ReviewCommand;
import io.batchline.local.teststack.AwsEndpoint;
import io.batchline.local.teststack.TestStack;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.FinalizeStage;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.aws.sqs.SqsReviewQueue;
import io.batchline.report.html.HtmlReportPages;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore.ObjectInfo;
import io.batchline.store.ForwardingObjectStore;
import io.batchline.store.ObjectStore;
import io.batchline.testing.TicketTriage;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Collect checkpoints on the real stages, S3 and DynamoDB of the test stack and the simulator: a collect that dies
 * mid-shard resumes after its last checkpoint, and the run's outcome files are those of an uninterrupted collect, each
 * input line once.
 */
class CollectCheckpointTest {
    private static final int EVERY = 7;

    @Test
    void aCollectKilledAfterTwoCheckpointsResumesAtTheThirdSegmentAndLosesOrRepeatsNothing() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(21).lowConfidenceRate(0.2).nonJsonRate(0.1))) {
            RunDriver driver = new RunDriver(f);
            // GIVEN a finished run of one shard of 40 tickets, collected without checkpoints
            String runId = driver.run("checkpoint-00000001", TicketTriage.job("repair: false\n")
                    .getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(40));
            List<String> uninterrupted = allOutcomeLines(driver, runId);
            assertThat(uninterrupted).hasSize(40);

            // WHEN collect runs again with a checkpoint every 7 results and dies opening its third segment
            ObjectStore dying = new DyingStore(f.store, "/seg-0003/");
            PipelineContext dyingCtx = new PipelineContext(bucket -> dying, f.runs, f.provider, PriceTable.bundled(),
                    new PipelineConfig(StageFixture.TABLE, null, 1, 5), Clock.systemUTC());
            dyingCtx.reportPages(new HtmlReportPages());
            CollectRequest shard0 = new CollectRequest(runId, StageFixture.BUCKET, 1, 0);
            assertThatThrownBy(() -> new CollectStage(dyingCtx, EVERY).collect(shard0)).hasMessageContaining("killed");
            JsonNode checkpoint = Json.tree(f.store.read(RunKeys.collectCheckpoint(runId, 1, 0)));
            assertThat(checkpoint.get("results_done").asLong()).isEqualTo(2 * EVERY);

            // AND is restarted, then the run finalized again
            new CollectStage(f.ctx, EVERY).collect(shard0);
            new FinalizeStage(f.ctx).finalize(new RunRef(runId, StageFixture.BUCKET));

            // THEN it read only the results after the checkpoint
            checkpoint = Json.tree(f.store.read(RunKeys.collectCheckpoint(runId, 1, 0)));
            assertThat(checkpoint.get("resumed_from").asLong()).isEqualTo(2 * EVERY);
            assertThat(checkpoint.get("read_after_resume").asLong()).isEqualTo(40 - 2 * EVERY);
            // AND the lines are in five segments of 7 and the last part, merged once: as without the kill
            assertThat(f.store.list(RunKeys.shardSegmentsPrefix(runId, 1, 0)).stream()
                    .map(k -> k.substring(0, k.lastIndexOf('/'))).distinct()).hasSize(5);
            assertThat(allOutcomeLines(driver, runId)).isEqualTo(uninterrupted);
            JsonNode report = driver.report(runId);
            assertThat(report.get("items").asLong()).isEqualTo(40);
        }
    }

    @Test
    void aShardCollectedInSegmentsSendsEachReviewItemOnceAndFinalizesEveryLineOnce() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(5).lowConfidenceRate(0.3));
             AwsEndpoint queues = TestStack.sqs();
             SqsClient sqs = queues.sqsClient()) {
            String url = TestStack.newQueue(sqs, "checkpoint-review", Duration.ofSeconds(30));
            f.ctx.reviewQueue(new SqsReviewQueue(sqs, url));
            RunDriver driver = new RunDriver(f);
            driver.collectCheckpointEvery = EVERY;
            // GIVEN one shard of 40 tickets collected with a checkpoint every 7 results
            String runId = driver.run("checkpoint-00000002", TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                    TicketTriage.tickets(40));

            // THEN its lines are spread over segments and the last part, and each ends in one outcome file once
            assertThat(f.store.list(RunKeys.shardSegmentsPrefix(runId, 1, 0))).isNotEmpty();
            List<String> lines = allOutcomeLines(driver, runId);
            assertThat(lines.stream().map(l -> Json.tree(l.getBytes(StandardCharsets.UTF_8)).get("line").asLong())
                    .distinct()).hasSize(40);
            assertThat(lines).hasSize(40);
            // AND every review item of every segment reached the queue once
            List<JsonNode> review = driver.outcomes(runId, OutcomeKind.REVIEW);
            assertThat(review).isNotEmpty();
            List<ReviewCommand.ReviewItem> queued = ReviewCommand.read(sqs, url, runId, 10_000);
            assertThat(queued.stream().map(ReviewCommand.ReviewItem::line).sorted().toList())
                    .isEqualTo(review.stream().map(n -> n.get("line").asLong()).sorted().toList());
        }
    }

    /** Every outcome line of the run (kind and line), in line order. */
    private static List<String> allOutcomeLines(RunDriver driver, String runId) {
        List<JsonNode> lines = new ArrayList<>();
        for (OutcomeKind kind : OutcomeKind.values()) lines.addAll(driver.outcomes(runId, kind));
        lines.sort(Comparator.comparingLong(n -> n.get("line").asLong()));
        return lines.stream().map(Json::string).toList();
    }

    /** A store whose process "dies" (throws) when an object under {@code fatal} is created. */
    private static final class DyingStore extends ForwardingObjectStore {
        private final String fatal;

        DyingStore(ObjectStore store, String fatal) {
            super(store);
            this.fatal = fatal;
        }

        @Override
        public OutputStream create(String key, String contentType) {
            if (key.contains(fatal)) throw new IllegalStateException("killed creating " + key);
            return delegate.create(key, contentType);
        }
    }
}
