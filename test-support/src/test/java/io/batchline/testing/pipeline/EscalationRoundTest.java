package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.ScriptedBatchProvider.Answer;
import io.batchline.testing.TicketTriage;
import io.batchline.validate.InvalidOutput;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The escalation round on the real stages, in-memory ports and a scripted provider: with {@code on: [invalid, review]} and no repair, an
 * answer that is not JSON and one routed to review go once more to the escalation model, as a request of their own
 * in the next attempt, and end in one line carrying {@code escalated_from}, both rounds in its history and their sums.
 */
class EscalationRoundTest {

    @Test
    void invalidAndReviewAnswersEscalateOnceAndEndInOneLineWithBothRounds() throws Exception {
        // GIVEN first answers of which 1 in 5 is prose and 1 in 10 has a confidence that needs review, and an
        // escalation model that answers every item it is sent with confidence
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.script((cid, params) -> {
            long line = TicketTriage.lineOf(cid);
            if (TicketTriage.attemptOf(cid) > 1) return new Answer(TicketTriage.answer("technical", 0.97));
            if (line % 5 == 1) return new Answer(TicketTriage.PROSE);
            if (line % 10 == 2) return new Answer(TicketTriage.answer("billing", 0.8));
            if (line % 20 == 4) return new Answer(TicketTriage.answer("other", 0.3)); // rejected: not in `on`
            return new Answer(TicketTriage.answer("account", 0.95));
        });
        {
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String runId = driver.run("escalate-0000000001", TicketTriage.job("""
                    repair: false
                    escalation:
                      on: [invalid, review]
                      model: claude-opus-4-6
                      max_tokens: 400
                    """).getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(200));

            List<JsonNode> all = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) all.addAll(driver.outcomes(runId, kind));
            assertThat(all).hasSize(200);
            assertThat(all.stream().map(n -> n.get("line").asLong()).distinct()).hasSize(200);
            List<JsonNode> escalated = all.stream().filter(n -> n.has("escalated_from")).toList();
            List<JsonNode> fromInvalid = escalated.stream()
                    .filter(n -> n.at("/escalated_from/tier").asText().equals("invalid")).toList();
            List<JsonNode> fromReview = escalated.stream()
                    .filter(n -> n.at("/escalated_from/tier").asText().equals("review")).toList();
            assertThat(fromInvalid).as("escalated from invalid").hasSizeGreaterThan(10);
            assertThat(fromReview).as("escalated from review").hasSizeGreaterThan(5);
            assertThat(fromInvalid).allSatisfy(n -> assertThat(InvalidOutput.isInvalidOutputReason(
                    n.at("/escalated_from/reason").asText())).isTrue());
            // no escalation twice, none from rejected (not in `on`), nothing left invalid without its escalation
            assertThat(p.store().list(RunKeys.retryPrefix(runId, 3)).stream()
                    .flatMap(k -> driver.lines(k).stream()).toList()).isEmpty();
            assertThat(escalated).noneMatch(n -> n.at("/escalated_from/tier").asText().equals("rejected"));
            assertThat(all).filteredOn(n -> !n.has("escalated_from")
                    && InvalidOutput.isInvalidOutputReason(n.path("reason").asText())).isEmpty();
            for (JsonNode n : escalated) {
                assertThat(n.get("attempts").asInt()).isEqualTo(2);
                assertThat(n.get("custom_id").asText()).startsWith("a2-");
                assertThat(n.at("/escalated_from/custom_id").asText()).startsWith("a1-");
                assertThat(n.at("/escalated_from/model").asText()).isEqualTo("claude-haiku-4-5-20251001");
                BigDecimal rounds = BigDecimal.ZERO;
                long output = 0;
                List<String> models = new ArrayList<>();
                for (JsonNode h : n.get("history")) {
                    if (!h.has("usage")) continue;
                    rounds = rounds.add(h.get("cost_usd").decimalValue());
                    output += h.at("/usage/output_tokens").asLong();
                    models.add(h.get("model").asText());
                }
                assertThat(models).containsExactly("claude-haiku-4-5-20251001", "claude-opus-4-6");
                assertThat(n.get("cost_usd").decimalValue()).isEqualByComparingTo(rounds);
                assertThat(n.at("/usage/output_tokens").asLong()).isEqualTo(output);
            }

            // the escalation requests: the escalation's model and max_tokens, the ticket as its only turn
            List<JsonNode> requests = driver.lines(RunKeys.shard(runId, 2, 0));
            assertThat(requests).isNotEmpty().allSatisfy(r -> {
                assertThat(r.at("/params/model").asText()).isEqualTo("claude-opus-4-6");
                assertThat(r.at("/params/max_tokens").asInt()).isEqualTo(400);
                assertThat(r.at("/params/messages")).hasSize(1);
                assertThat(r.at("/params/messages/0/content").asText()).startsWith("Subject: ");
            });

            JsonNode report = driver.report(runId);
            assertThat(report.at("/escalation/items").asLong()).isEqualTo(escalated.size());
            assertThat(report.at("/escalation/model").asText()).isEqualTo("claude-opus-4-6");
            long moved = 0;
            for (JsonNode m : report.at("/escalation/moved")) moved += m.asLong();
            assertThat(moved).isEqualTo(escalated.size());
            System.out.printf("[escalation-round] 200 items: %d escalated (%d invalid, %d review), moved %s, round $%s%n",
                    escalated.size(), fromInvalid.size(), fromReview.size(), report.at("/escalation/moved"),
                    report.at("/escalation/cost_usd").asText());
        }
    }
}
