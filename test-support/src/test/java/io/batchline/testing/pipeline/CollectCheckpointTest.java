package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.FinalizeStage;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.ScriptedBatchProvider.Answer;
import io.batchline.testing.TicketTriage;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Collect checkpoints on the real stages, the in-memory ports and a scripted provider: a collect that dies mid-shard
 * resumes after its last checkpoint, and the run's outcome files are those of an uninterrupted collect, each input
 * line once.
 */
class CollectCheckpointTest {
    private static final int EVERY = 7;

    @Test
    void aCollectKilledAfterTwoCheckpointsResumesAtTheThirdSegmentAndLosesOrRepeatsNothing() throws Exception {
        {
            // answers of which 1 in 5 has a low confidence and 1 in 10 is prose
            InMemoryPipeline p = new InMemoryPipeline();
            p.provider.script((cid, params) -> {
                long line = TicketTriage.lineOf(cid);
                if (line % 10 == 3) return new Answer(TicketTriage.PROSE);
                return new Answer(TicketTriage.answer(TicketTriage.categoryOf(params), line % 5 == 1 ? 0.5 : 0.95));
            });
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            // GIVEN a finished run of one shard of 40 tickets, collected without checkpoints
            String runId = driver.run("checkpoint-00000001", TicketTriage.job("repair: false\n")
                    .getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(40));
            List<String> uninterrupted = allOutcomeLines(driver, runId);
            assertThat(uninterrupted).hasSize(40);

            // WHEN collect runs again with a checkpoint every 7 results and dies opening its third segment
            ObjectStore dying = new DyingStore(p.store(), key -> key.contains("/seg-0003/"));
            PipelineContext dyingCtx = p.ctxOver(dying);
            CollectRequest shard0 = new CollectRequest(runId, InMemoryPipeline.BUCKET, 1, 0);
            assertThatThrownBy(() -> new CollectStage(dyingCtx, EVERY).collect(shard0)).hasMessageContaining("killed");
            JsonNode checkpoint = Json.tree(p.store().read(RunKeys.collectCheckpoint(runId, 1, 0)));
            assertThat(checkpoint.get("results_done").asLong()).isEqualTo(2 * EVERY);

            // AND is restarted, then the run finalized again
            new CollectStage(p.ctxFor(StageNames.COLLECT), EVERY).collect(shard0);
            new FinalizeStage(p.ctxFor(StageNames.FINALIZE)).finalize(new RunRef(runId, InMemoryPipeline.BUCKET));

            // THEN it read only the results after the checkpoint
            checkpoint = Json.tree(p.store().read(RunKeys.collectCheckpoint(runId, 1, 0)));
            assertThat(checkpoint.get("resumed_from").asLong()).isEqualTo(2 * EVERY);
            assertThat(checkpoint.get("read_after_resume").asLong()).isEqualTo(40 - 2 * EVERY);
            // AND the lines are in five segments of 7 and the last part, merged once: as without the kill
            assertThat(p.store().list(RunKeys.shardSegmentsPrefix(runId, 1, 0)).stream()
                    .map(k -> k.substring(0, k.lastIndexOf('/'))).distinct()).hasSize(5);
            assertThat(allOutcomeLines(driver, runId)).isEqualTo(uninterrupted);
            JsonNode report = driver.report(runId);
            assertThat(report.get("items").asLong()).isEqualTo(40);
        }
    }

    @Test
    void aShardCollectedInSegmentsSendsEachReviewItemOnceAndFinalizesEveryLineOnce() throws Exception {
        {
            // answers of which 1 in 3 has a confidence that needs review
            InMemoryPipeline p = new InMemoryPipeline().withReviewQueue();
            p.provider.script((cid, params) -> new Answer(TicketTriage.answer(TicketTriage.categoryOf(params),
                    TicketTriage.lineOf(cid) % 3 == 0 ? 0.8 : 0.95)));
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            driver.collectCheckpointEvery = EVERY;
            // GIVEN one shard of 40 tickets collected with a checkpoint every 7 results
            String runId = driver.run("checkpoint-00000002", TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                    TicketTriage.tickets(40));

            // THEN its lines are spread over segments and the last part, and each ends in one outcome file once
            assertThat(p.store().list(RunKeys.shardSegmentsPrefix(runId, 1, 0))).isNotEmpty();
            List<String> lines = allOutcomeLines(driver, runId);
            assertThat(lines.stream().map(l -> Json.tree(l.getBytes(StandardCharsets.UTF_8)).get("line").asLong())
                    .distinct()).hasSize(40);
            assertThat(lines).hasSize(40);
            // AND every review item of every segment reached the queue once
            List<JsonNode> review = driver.outcomes(runId, OutcomeKind.REVIEW);
            assertThat(review).isNotEmpty();
            List<JsonNode> queued = p.reviewQueue.messages().stream()
                    .filter(m -> m.get("run_id").asText().equals(runId)).map(m -> (JsonNode) m).toList();
            assertThat(queued.stream().map(m -> m.get("line").asLong()).sorted().toList())
                    .isEqualTo(review.stream().map(n -> n.get("line").asLong()).sorted().toList());
        }
    }

    /** Every outcome line of the run (kind and line), in line order. */
    private static List<String> allOutcomeLines(InMemoryRunDriver driver, String runId) {
        List<JsonNode> lines = new ArrayList<>();
        for (OutcomeKind kind : OutcomeKind.values()) lines.addAll(driver.outcomes(runId, kind));
        lines.sort(Comparator.comparingLong(n -> n.get("line").asLong()));
        return lines.stream().map(Json::string).toList();
    }
}
