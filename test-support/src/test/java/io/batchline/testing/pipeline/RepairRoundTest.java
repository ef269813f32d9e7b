package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.ScriptedBatchProvider.Answer;
import io.batchline.testing.TicketTriage;
import io.batchline.validate.InvalidOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The repair round on the real stages, in-memory ports and a scripted provider whose answers are sometimes prose or
 * break the schema: an item whose answer is not JSON or breaks the schema is sent once more, alone, with its answer
 * and the errors; what is still invalid then is rejected with the reason; report.json counts repaired and
 * rejected_invalid.
 */
class RepairRoundTest {

    /**
     * First answers of which 1 in 10 is prose and 1 in 10 names a team the schema does not know; a repair answers
     * with a valid answer, except for 1 item in 20, whose repair is prose again.
     */
    private static InMemoryPipeline proseAndSchemaMisses() {
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.script((cid, params) -> {
            long line = TicketTriage.lineOf(cid);
            if (TicketTriage.attemptOf(cid) > 1) {
                return new Answer(line % 20 == 1 ? TicketTriage.PROSE : TicketTriage.answer("account", 0.95));
            }
            if (line % 10 == 1) return new Answer(TicketTriage.PROSE);
            if (line % 10 == 2) return new Answer(TicketTriage.answer("finance", 0.95));
            return new Answer(TicketTriage.answer("billing", 0.95));
        });
        return p;
    }
    @Test
    void invalidAnswersGetOneRepairAndWhatIsStillInvalidIsRejectedWithTheReason() throws Exception {
        {
            InMemoryPipeline p = proseAndSchemaMisses();
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String runId = driver.run("repair-0000000001", TicketTriage.job("").getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(200));

            List<JsonNode> all = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) all.addAll(driver.outcomes(runId, kind));
            assertThat(all).hasSize(200);
            List<JsonNode> repaired = all.stream().filter(n -> n.path("repaired").asBoolean(false)).toList();
            List<JsonNode> stillInvalid = all.stream()
                    .filter(n -> n.path("reason").asText().startsWith(InvalidOutput.AFTER_REPAIR)).toList();
            assertThat(repaired).as("items repaired").hasSizeGreaterThan(10);
            assertThat(repaired).allSatisfy(n -> {
                assertThat(n.get("attempts").asInt()).isEqualTo(2);
                assertThat(n.get("outcome").asText()).isIn("accepted", "review", "rejected");
                assertThat(n.path("output").path("primary_category").asText()).isNotEmpty();
                assertThat(n.get("custom_id").asText()).startsWith("a2-");
            });
            // one repair only: what failed again is rejected in attempt 2, never sent a third time
            assertThat(stillInvalid).isNotEmpty().allSatisfy(n -> {
                assertThat(n.get("outcome").asText()).isEqualTo("rejected");
                assertThat(n.get("attempts").asInt()).isEqualTo(2);
            });
            assertThat(p.store().list(RunKeys.retryPrefix(runId, 3)).stream()
                    .flatMap(k -> driver.lines(k).stream()).toList()).isEmpty();
            // no invalid answer is rejected without its repair round
            assertThat(all).filteredOn(n -> InvalidOutput.isInvalidOutputReason(n.path("reason").asText()))
                    .allSatisfy(n -> assertThat(n.get("reason").asText()).startsWith(InvalidOutput.AFTER_REPAIR));

            // the repair request: the original turn, the invalid answer, the errors and the schema
            List<JsonNode> repairs = driver.lines(RunKeys.shard(runId, 2, 0));
            assertThat(repairs).isNotEmpty().allSatisfy(r -> {
                JsonNode messages = r.at("/params/messages");
                assertThat(messages).hasSize(3);
                assertThat(messages.get(0).get("content").asText()).startsWith("Subject: ");
                assertThat(messages.get(1).get("role").asText()).isEqualTo("assistant");
                assertThat(messages.get(1).get("content").asText()).isNotBlank();
                assertThat(messages.get(2).get("content").asText()).startsWith("Your answer was invalid: ")
                        .contains("\"primary_category\"")
                        .contains("Reply with only a JSON object that conforms to the schema");
            });
            assertThat(driver.lines(RunKeys.shardIndex(runId, 2, 0)))
                    .allSatisfy(i -> assertThat(i.path("repair").asBoolean()).isTrue());

            JsonNode report = driver.report(runId);
            assertThat(report.get("repaired").asLong()).isEqualTo(repaired.size());
            assertThat(report.get("rejected_invalid").asLong()).isEqualTo(stillInvalid.size());
        }
    }

    @Test
    void withRepairOffAnInvalidAnswerIsRejectedAtOnce() throws Exception {
        {
            InMemoryPipeline p = proseAndSchemaMisses();
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String runId = driver.run("repair-0000000002", TicketTriage.job("repair: false\n").getBytes(StandardCharsets.UTF_8),
                    TicketTriage.tickets(100));

            List<JsonNode> rejected = driver.outcomes(runId, OutcomeKind.REJECTED);
            List<JsonNode> invalid = rejected.stream()
                    .filter(n -> InvalidOutput.isInvalidOutputReason(n.path("reason").asText())).toList();
            assertThat(invalid).isNotEmpty().allSatisfy(n -> {
                assertThat(n.get("attempts").asInt()).isEqualTo(1);
                assertThat(n.get("reason").asText()).doesNotStartWith(InvalidOutput.AFTER_REPAIR);
            });
            assertThat(invalid).anySatisfy(n -> assertThat(n.get("reason").asText()).startsWith(InvalidOutput.NOT_JSON));
            assertThat(invalid).anySatisfy(n -> assertThat(n.get("reason").asText()).startsWith(InvalidOutput.SCHEMA)
                    .containsPattern("/[a-z_]*: .*\\(\\w+\\)"));
            assertThat(p.store().list(RunKeys.retryPrefix(runId, 2)).stream()
                    .flatMap(k -> driver.lines(k).stream()).toList()).isEmpty();
            JsonNode report = driver.report(runId);
            assertThat(report.get("repaired").asLong()).isZero();
            assertThat(report.get("rejected_invalid").asLong()).isEqualTo(invalid.size());
        }
    }
}
