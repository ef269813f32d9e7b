package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.FinalizeStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.quality.SpotCheckSample;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.ScriptedBatchProvider.Answer;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The spot-check sample and ground-truth accuracy on the real stages, in-memory ports and a scripted provider that
 * reads the ticket text (keywords, {@link TicketTriage#categoryOf}): the label never reaches the
 * model but rides with the item to the report's quality block; sample.jsonl is a seeded, repeatable choice across the
 * tiers.
 */
class QualityControlTest {

    @Test
    void groundTruthIsNeverSentAndTheReportCarriesAccuracyPerClassAndConfusion() throws Exception {
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.answers((cid, params) -> TicketTriage.answer(TicketTriage.categoryOf(params), 0.95));
        {
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String job = TicketTriage.job("ground_truth_field: label\nsample: {min: 20}\n");
            String runId = driver.run("quality-00000001", job.getBytes(StandardCharsets.UTF_8),
                    TicketTriage.tickets(150));

            for (int shard = 0; shard < 3; shard++) {
                for (JsonNode request : driver.lines(RunKeys.shard(runId, 1, shard))) {
                    assertThat(request.toString()).doesNotContain("label");
                }
                assertThat(driver.lines(RunKeys.shardIndex(runId, 1, shard)))
                        .allSatisfy(i -> assertThat(i.path("label").asText()).isNotEmpty());
            }

            List<JsonNode> all = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) all.addAll(driver.outcomes(runId, kind));
            long correct = all.stream().filter(n -> n.path("ground_truth").asText()
                    .equals(n.path("output").path("primary_category").asText())).count();
            JsonNode quality = driver.report(runId).get("quality");
            assertThat(quality.get("field").asText()).isEqualTo("primary_category");
            assertThat(quality.get("labelled").asLong()).isEqualTo(150);
            assertThat(quality.get("correct").asLong()).isEqualTo(correct);
            assertThat(quality.get("accuracy").doubleValue()).isCloseTo(correct / 150.0, org.assertj.core.data.Offset.offset(1e-4));
            assertThat(correct).as("the provider reads the ticket text, so most labels are met").isGreaterThan(50);

            long cells = 0;
            for (Iterator<Map.Entry<String, JsonNode>> rows = quality.get("confusion").fields(); rows.hasNext(); ) {
                Map.Entry<String, JsonNode> row = rows.next();
                long support = 0;
                for (JsonNode n : row.getValue()) support += n.asLong();
                cells += support;
                assertThat(quality.at("/per_class/" + row.getKey() + "/support").asLong()).isEqualTo(support);
                long tp = row.getValue().path(row.getKey()).asLong(0);
                assertThat(quality.at("/per_class/" + row.getKey() + "/recall").doubleValue())
                        .isCloseTo((double) tp / support, org.assertj.core.data.Offset.offset(1e-4));
            }
            assertThat(cells).isEqualTo(150);
        }
    }

    @Test
    void theSampleIsSeededSpreadOverTiersAndTheSameOnARepeatedFinalize() throws Exception {
        // GIVEN 1 answer in 5 with a confidence that needs review, 1 in 20 in prose (repaired in attempt 2)
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.script((cid, params) -> {
            long line = TicketTriage.lineOf(cid);
            if (TicketTriage.attemptOf(cid) == 1 && line % 20 == 3) return new Answer(TicketTriage.PROSE);
            return new Answer(TicketTriage.answer(TicketTriage.categoryOf(params), line % 5 == 0 ? 0.8 : 0.95));
        });
        {
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String runId = driver.run("sample-000000001", TicketTriage.job("sample: {min: 40, seed: 7}\n")
                    .getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(200));

            byte[] first = p.store().read(SpotCheckSample.key(runId));
            List<JsonNode> sample = driver.lines(SpotCheckSample.key(runId));
            assertThat(sample).hasSize(40);
            Set<Long> lines = new HashSet<>();
            Set<String> tiers = new HashSet<>();
            for (JsonNode n : sample) {
                assertThat(lines.add(n.get("line").asLong())).isTrue();
                tiers.add(n.get("outcome").asText());
            }
            assertThat(tiers).contains("accepted").hasSizeGreaterThan(1).doesNotContain("failed");
            assertThat(driver.report(runId).at("/sample/items").asInt()).isEqualTo(40);

            new FinalizeStage(p.ctxFor(StageNames.FINALIZE)).finalize(new RunRef(runId, InMemoryPipeline.BUCKET));
            assertThat(p.store().read(SpotCheckSample.key(runId))).isEqualTo(first);
        }
    }
}
