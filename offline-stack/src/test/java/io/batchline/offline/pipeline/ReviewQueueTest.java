package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cli.operate.ReviewCommand;
import io.batchline.cli.operate.ReviewCommand.ReviewItem;
import io.batchline.offline.teststack.AwsEndpoint;
import io.batchline.offline.teststack.TestStack;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.aws.sqs.SqsReviewQueue;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The review queue on the real stages, the test stack's SQS (ElasticMQ or LocalStack) and the simulator: review items
 * land in review.jsonl and, one message each, on the review queue; accepted and review items respect the thresholds; a
 * repeated collect sends nothing again.
 */
class ReviewQueueTest {

    @Test
    void reviewItemsReachTheQueueOnceWithRunIdLineOutputConfidenceAndReason() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(5).lowConfidenceRate(0.1));
             AwsEndpoint queues = TestStack.sqs();
             SqsClient sqs = queues.sqsClient()) {
            String url = TestStack.newQueue(sqs, "review-test", Duration.ofSeconds(30));
            f.ctx.reviewQueue(new SqsReviewQueue(sqs, url));
            RunDriver driver = new RunDriver(f);
            String runId = driver.run("review-000000001", TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                    TicketTriage.tickets(150));

            List<JsonNode> review = driver.outcomes(runId, OutcomeKind.REVIEW);
            assertThat(review).hasSizeGreaterThan(5);
            assertThat(review).allSatisfy(n -> assertThat(n.get("confidence").asDouble()).isGreaterThanOrEqualTo(0.7)
                    .isLessThan(0.9));
            assertThat(driver.outcomes(runId, OutcomeKind.ACCEPTED)).isNotEmpty()
                    .allSatisfy(n -> assertThat(n.get("confidence").asDouble()).isGreaterThanOrEqualTo(0.9));

            // a repeated collect (a Lambda retry of the state) must not send the shard's items again
            new CollectStage(f.ctx).collect(new CollectRequest(runId, StageFixture.BUCKET, 1, 0));

            // every message carries its job, as the job attribute and in the body, so it can be taken per job
            List<software.amazon.awssdk.services.sqs.model.Message> raw = sqs.receiveMessage(r -> r.queueUrl(url)
                    .maxNumberOfMessages(10).visibilityTimeout(0).messageAttributeNames("All")).messages();
            assertThat(raw).isNotEmpty().allSatisfy(m -> {
                assertThat(m.messageAttributes().get("job")).as("job attribute").isNotNull();
                assertThat(m.messageAttributes().get("job").stringValue()).isEqualTo("quality-test");
                assertThat(io.batchline.json.Json.tree(m.body().getBytes(StandardCharsets.UTF_8)).path("job").asText())
                        .isEqualTo("quality-test");
            });
            List<ReviewItem> queued = ReviewCommand.read(sqs, url, null, "quality-test", 10_000);
            assertThat(queued).allSatisfy(q -> assertThat(q.job()).isEqualTo("quality-test"));
            assertThat(queued).hasSameSizeAs(review);
            Map<Long, ReviewItem> byLine = queued.stream().collect(Collectors.toMap(ReviewItem::line, Function.identity()));
            for (JsonNode n : review) {
                ReviewItem q = byLine.get(n.get("line").asLong());
                assertThat(q).as("line %s on the queue", n.get("line")).isNotNull();
                assertThat(q.runId()).isEqualTo(runId);
                assertThat(q.id()).isEqualTo(n.get("id").asText());
                assertThat(q.output()).isEqualTo(n.get("output"));
                assertThat(q.confidence()).isEqualTo(n.get("confidence").asDouble());
                assertThat(q.reason()).isEqualTo(n.get("reason").asText()).contains("needs review");
            }
            assertThat(ReviewCommand.read(sqs, url, "some-other-run", 10_000)).isEmpty();
            assertThat(ReviewCommand.read(sqs, url, null, "some-other-job", 10_000)).isEmpty();
        }
    }
}
