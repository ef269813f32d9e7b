package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.ScriptedBatchProvider.Answer;
import io.batchline.testing.ScriptedBatchProvider.Errored;
import io.batchline.testing.ScriptedBatchProvider.Expired;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Escalation after every attempt on the real stages, in-memory ports and a scripted provider: an item the provider fails transiently on every
 * attempt ends in failed.jsonl with its full history, one entry per attempt, carried from attempt to attempt through
 * the retry parts and shard indexes; an item that needed more than one attempt carries its history on any outcome.
 */
class AttemptHistoryTest {

    private static List<JsonNode> all(InMemoryRunDriver driver, String runId) {
        List<JsonNode> all = new ArrayList<>();
        for (OutcomeKind kind : OutcomeKind.values()) all.addAll(driver.outcomes(runId, kind));
        return all;
    }

    @Test
    void itemsErroredOnEveryAttemptFailWithOneHistoryEntryPerAttempt() throws Exception {
        // GIVEN a provider that answers every request with a transient error, and max_attempts 3
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.script((cid, params) -> TicketTriage.lineOf(cid) % 2 == 0
                ? new Errored("api_error", "Internal server error") : new Errored("overloaded_error", "Overloaded"));
        {
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String runId = driver.run("history-000000001",
                    TicketTriage.job("max_attempts: 3\n").getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(40));

            // THEN every item failed after 3 attempts, and says what happened in each
            List<JsonNode> failed = driver.outcomes(runId, OutcomeKind.FAILED);
            assertThat(all(driver, runId)).hasSize(40);
            assertThat(failed).hasSize(40).allSatisfy(n -> {
                assertThat(n.get("attempts").asInt()).isEqualTo(3);
                assertThat(n.get("reason").asText()).contains("gave up after 3 attempts");
                JsonNode history = n.get("history");
                assertThat(history).as("history of line %s", n.get("line")).hasSize(3);
                Set<String> customIds = new HashSet<>();
                Set<String> batches = new HashSet<>();
                for (int i = 0; i < 3; i++) {
                    JsonNode entry = history.get(i);
                    assertThat(entry.get("attempt").asInt()).isEqualTo(i + 1);
                    assertThat(entry.get("custom_id").asText()).isEqualTo("a" + (i + 1) + "-l" + n.get("line").asLong());
                    assertThat(entry.get("result").asText()).isEqualTo("errored");
                    assertThat(entry.get("error_type").asText()).isIn("api_error", "overloaded_error");
                    assertThat(entry.get("reason").asText()).startsWith("provider error");
                    customIds.add(entry.get("custom_id").asText());
                    batches.add(entry.get("batch_id").asText());
                }
                assertThat(customIds).hasSize(3);
                assertThat(batches).hasSize(3).doesNotContain("null", "");
                // the line names its last attempt, which is the history's last entry
                assertThat(n.get("custom_id").asText()).isEqualTo(history.get(2).get("custom_id").asText());
                assertThat(n.get("batch_id").asText()).isEqualTo(history.get(2).get("batch_id").asText());
            });
            JsonNode report = driver.report(runId);
            assertThat(report.get("retried_items").asLong()).isEqualTo(40);
            assertThat(report.get("escalated_items").asLong()).isEqualTo(40);
            assertThat(report.get("status").asText()).isEqualTo("succeeded");
            // the retry parts carried the history forward: attempt 3's part holds the first two attempts
            List<JsonNode> carried = new ArrayList<>();
            for (String key : p.store().list(RunKeys.retryPrefix(runId, 3))) carried.addAll(driver.lines(key));
            assertThat(carried).hasSize(40).allSatisfy(r -> assertThat(r.get("history")).hasSize(2));
        }
    }

    @Test
    void anItemSentMoreThanOnceCarriesItsHistoryOnAnyOutcomeAndOneSentOnceDoesNot() throws Exception {
        // GIVEN some requests expire and some answers are prose (repair round): in the first attempt, 3 lines in 10
        // expire and 2 in 10 are answered in prose; some expired lines are answered in prose after their expiry, and
        // some repairs expire once before they are answered
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.script((cid, params) -> {
            long line = TicketTriage.lineOf(cid);
            int attempt = TicketTriage.attemptOf(cid);
            int kind = (int) (line % 10);
            if (attempt == 1 && kind < 3) return new Expired();
            if (attempt == 1 && kind < 5) return new Answer(TicketTriage.PROSE);
            if (attempt == 2 && kind == 0) return new Answer(TicketTriage.PROSE); // expired, then invalid: repaired
            if (attempt == 2 && kind == 3) return new Expired(); // its repair expired once in between
            return new Answer(TicketTriage.answer("account", 0.95));
        });
        {
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String runId = driver.run("history-000000002", TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                    TicketTriage.tickets(120));

            List<JsonNode> all = all(driver, runId);
            assertThat(all).hasSize(120);
            // THEN the attempts count and the history agree on every line that has one
            for (JsonNode n : all) {
                int attempts = n.get("attempts").asInt();
                if (attempts == 1 && !"failed".equals(n.get("outcome").asText())) {
                    assertThat(n.has("history")).as("line %s was sent once", n.get("line")).isFalse();
                    continue;
                }
                assertThat(n.get("history")).as("line %s", n.get("line")).hasSize(attempts);
                for (int i = 0; i < attempts; i++) {
                    assertThat(n.get("history").get(i).get("attempt").asInt()).isEqualTo(i + 1);
                }
            }
            // an item that expired and then got an answer: [expired, ..., succeeded]
            List<JsonNode> expiredThenAnswered = all.stream().filter(n -> !"failed".equals(n.get("outcome").asText())
                    && n.has("history") && "expired".equals(n.get("history").get(0).get("result").asText())).toList();
            assertThat(expiredThenAnswered).isNotEmpty().allSatisfy(n -> assertThat(n.get("history")
                    .get(n.get("history").size() - 1).get("result").asText()).isIn("succeeded", "invalid_output"));
            // a repaired item: its invalid answer (its repair may have expired once in between), then its repair
            List<JsonNode> repaired = all.stream().filter(n -> n.path("repaired").asBoolean(false)).toList();
            assertThat(repaired).isNotEmpty().allSatisfy(n -> {
                JsonNode h = n.get("history");
                List<String> earlier = new ArrayList<>();
                for (int i = 0; i < h.size() - 1; i++) earlier.add(h.get(i).get("result").asText());
                assertThat(earlier).containsOnlyOnce("invalid_output");
                assertThat(h.get(h.size() - 1).get("result").asText()).isEqualTo("succeeded");
            });
        }
    }
}
