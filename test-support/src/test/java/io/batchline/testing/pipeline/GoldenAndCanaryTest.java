package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.quality.SpotCheckSample;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.ShardRecord;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.TicketTriage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Golden items and the canary on the real stages, in-memory ports and a scripted provider that reads the ticket text
 * (keywords, {@link TicketTriage#categoryOf}): golden items are scored apart and never become outcomes; the canary's
 * batch goes alone first, and a miss sends nothing more.
 */
class GoldenAndCanaryTest {
    private static final Path GOLDEN = Path.of("../samples/ticket-triage/golden.jsonl");

    private static void putGolden(InMemoryPipeline p) throws Exception {
        p.store().put(RunKeys.goldenSource("quality-test", "golden.jsonl"), Files.readAllBytes(GOLDEN),
                "application/x-ndjson");
    }

    private static Map<String, String> goldenLabels() throws Exception {
        Map<String, String> labels = new HashMap<>();
        for (String line : Files.readAllLines(GOLDEN)) {
            JsonNode n = Json.tree(line.getBytes(StandardCharsets.UTF_8));
            labels.put(n.get("id").asText(), n.get("label").asText());
        }
        return labels;
    }

    /** Every outcome line of the run, checking that no input line has two. */
    private static Map<Long, JsonNode> outcomesByLine(InMemoryRunDriver driver, String runId) {
        Map<Long, JsonNode> byLine = new HashMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            for (JsonNode n : driver.outcomes(runId, kind)) {
                assertThat(byLine.put(n.get("line").asLong(), n)).as("line %s twice", n.get("line")).isNull();
            }
        }
        return byLine;
    }

    private static long batchesAtProvider(InMemoryPipeline p) {
        return p.provider.batches().size();
    }

    /** Answers by the ticket's keywords; {@code share} in 10 items (by line) answer a category the schema lacks. */
    private static InMemoryPipeline pipeline(int schemaViolationsIn10) {
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.answers((cid, params) -> TicketTriage.lineOf(cid) % 10 < schemaViolationsIn10
                ? TicketTriage.answer("urgent", 0.95) : TicketTriage.answer(TicketTriage.categoryOf(params), 0.95));
        return p;
    }

    @Test
    void goldenItemsAreScoredApartAndNeverBecomeOutcomesAndAPassingCanaryLetsTheRestGo() throws Exception {
        InMemoryPipeline p = pipeline(0);
        {
            putGolden(p);
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String job = TicketTriage.job("""
                    ground_truth_field: label
                    sample: {min: 500}
                    golden: {file: golden.jsonl}
                    canary: {items: 30, min_pass_rate: 0.8, max_cost_per_item_usd: 0.01}
                    """);
            String runId = driver.run("golden-000000001", job.getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(150));

            // the input-line invariant is untouched: 150 lines, 150 outcome lines, no golden item among them
            Map<Long, JsonNode> outcomes = outcomesByLine(driver, runId);
            assertThat(outcomes.keySet()).hasSize(150).allMatch(l -> l >= 1 && l <= 150);
            assertThat(outcomes.values()).noneMatch(n -> n.path("id").asText().startsWith("G-")
                    || n.path("custom_id").asText().contains("-g"));
            assertThat(driver.lines(SpotCheckSample.key(runId))).hasSize(150)
                    .noneMatch(n -> n.path("id").asText().startsWith("G-"));

            // golden results: their own lines, labelled from golden.jsonl, scored into golden_quality
            List<JsonNode> golden = new ArrayList<>();
            for (String part : p.store().list(RunKeys.goldenPartsPrefix(runId))) golden.addAll(driver.lines(part));
            Map<String, String> labels = goldenLabels();
            assertThat(golden).hasSize(50).allSatisfy(n -> {
                assertThat(n.get("custom_id").asText()).matches("a\\d+-g\\d+");
                assertThat(n.get("ground_truth").asText()).isEqualTo(labels.get(n.get("id").asText()));
            });
            long correct = golden.stream().filter(n -> n.get("ground_truth").asText()
                    .equals(n.path("output").path("primary_category").asText())).count();
            JsonNode report = driver.report(runId);
            JsonNode gq = report.get("golden_quality");
            assertThat(gq.get("count").asLong()).isEqualTo(50);
            assertThat(gq.get("labelled").asLong()).isEqualTo(50);
            assertThat(gq.get("correct").asLong()).isEqualTo(correct);
            assertThat(gq.get("accuracy").decimalValue()).isEqualByComparingTo(
                    BigDecimal.valueOf(correct).divide(BigDecimal.valueOf(50), 4, java.math.RoundingMode.HALF_UP));
            assertThat(gq.get("confusion").size()).isGreaterThan(1);
            assertThat(correct).as("the provider reads the tickets, so most golden labels are met").isGreaterThan(20);
            // the regular quality block counts the input's labels only
            assertThat(report.at("/quality/labelled").asLong()).isEqualTo(150);
            assertThat(report.get("items").asLong()).isEqualTo(150);

            // golden items are paid for: inside cost_usd, named in golden_cost_usd
            BigDecimal lines = outcomes.values().stream().map(n -> n.get("cost_usd").decimalValue())
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            BigDecimal goldenCost = golden.stream().map(n -> n.get("cost_usd").decimalValue())
                    .reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(goldenCost).isPositive();
            assertThat(report.get("golden_cost_usd").decimalValue()).isEqualByComparingTo(goldenCost);
            assertThat(report.get("cost_usd").decimalValue()).isEqualByComparingTo(lines.add(goldenCost));

            // the canary: 30 items in a batch of their own, ended before any other batch was created
            JsonNode canary = report.get("canary");
            assertThat(canary.get("passed").asBoolean()).isTrue();
            assertThat(canary.get("items").asLong()).isEqualTo(30);
            assertThat(canary.get("cause").isNull()).isTrue();
            List<ShardRecord> shards = p.runs.shards(runId, 1);
            ShardRecord first = shards.stream().filter(s -> s.shard() == 0).findFirst().orElseThrow();
            assertThat(first.requests()).isEqualTo(30);
            assertThat(shards).hasSize(4).filteredOn(s -> s.shard() > 0).allSatisfy(s ->
                    assertThat(s.submittedAt()).isAfterOrEqualTo(first.endedAt()));
            assertThat(driver.canary.passed()).isTrue();
        }
    }

    @Test
    void aCanaryBelowItsPassRateStopsTheRunBeforeTheRestIsSubmitted() throws Exception {
        InMemoryPipeline p = pipeline(6);
        {
            putGolden(p);
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String job = TicketTriage.job("""
                    repair: false
                    golden: {file: golden.jsonl}
                    canary: {items: 20, min_pass_rate: 0.9}
                    """);
            String runId = driver.run("canary-000000001", job.getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(100));

            assertThat(batchesAtProvider(p)).as("only the canary's batch was created").isEqualTo(1);
            assertThat(driver.canary.passed()).isFalse();
            Map<Long, JsonNode> outcomes = outcomesByLine(driver, runId);
            assertThat(outcomes).hasSize(100);
            for (long line = 1; line <= 100; line++) {
                String reason = outcomes.get(line).path("reason").asText("");
                if (line <= 20) {
                    assertThat(reason).as("canary line %s keeps its real outcome", line).doesNotStartWith("canary_failed");
                    assertThat(outcomes.get(line).path("batch_id").asText()).startsWith("msgbatch_");
                } else {
                    assertThat(outcomes.get(line).get("outcome").asText()).isEqualTo("failed");
                    assertThat(reason).startsWith("canary_failed: canary of 20 items: validation pass rate 0.")
                            .contains("is below min_pass_rate 0.9").contains("the other 130 requests were not submitted");
                }
            }
            JsonNode report = driver.report(runId);
            JsonNode canary = report.get("canary");
            assertThat(canary.get("passed").asBoolean()).isFalse();
            assertThat(canary.get("pass_rate").doubleValue()).isLessThan(0.9)
                    .isEqualTo(canary.get("valid").doubleValue() / canary.get("answered").doubleValue(),
                            org.assertj.core.data.Offset.offset(1e-4));
            assertThat(report.get("status").asText()).isEqualTo("failed");
            assertThat(report.at("/golden_quality/count").asLong()).as("golden items were never sent").isZero();
            RunRecord run = p.runs.run(runId).orElseThrow();
            assertThat(run.status()).isEqualTo(RunRecord.RunStatus.FAILED);
            assertThat(run.error()).isEqualTo("CanaryFailed");
            assertThat(run.cause()).isEqualTo(canary.get("cause").asText());
        }
    }

    @Test
    void aFailedCanaryStillEndsEveryChunkedItemInOneLine() throws Exception {
        InMemoryPipeline p = pipeline(7);
        {
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String job = TicketTriage.job("""
                    repair: false
                    long_inputs: {field: body, max_input_tokens: 60, mode: chunk, chunk_tokens: 50, overlap_tokens: 5}
                    canary: {items: 7, min_pass_rate: 0.9}
                    """);
            String runId = driver.run("canary-000000003", job.getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(30));

            assertThat(driver.canary.passed()).isFalse();
            Map<Long, JsonNode> outcomes = outcomesByLine(driver, runId);
            assertThat(outcomes).hasSize(30);
            assertThat(outcomes.values()).filteredOn(n -> n.path("reason").asText("").startsWith("canary_failed: "))
                    .isNotEmpty().anySatisfy(n -> assertThat(n.path("chunks").asInt()).isGreaterThan(1));
            assertThat(driver.report(runId).get("items").asLong()).isEqualTo(30);
        }
    }

    @Test
    void aCanaryCostingMoreThanItsLimitPerItemStopsTheRunToo() throws Exception {
        InMemoryPipeline p = pipeline(0);
        {
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String job = TicketTriage.job("canary: {items: 10, max_cost_per_item_usd: 0.00000001}\n");
            String runId = driver.run("canary-000000002", job.getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(70));

            assertThat(batchesAtProvider(p)).isEqualTo(1);
            JsonNode canary = driver.report(runId).get("canary");
            assertThat(canary.get("passed").asBoolean()).isFalse();
            assertThat(canary.get("pass_rate").doubleValue()).isGreaterThanOrEqualTo(0.9);
            assertThat(canary.get("cost_per_item_usd").decimalValue())
                    .isEqualByComparingTo(canary.get("cost_usd").decimalValue().divide(BigDecimal.TEN, 8,
                            java.math.RoundingMode.HALF_UP));
            assertThat(canary.get("cause").asText()).contains("cost per item $")
                    .contains("is above max_cost_per_item_usd $0.00000001").doesNotContain("pass rate");
            assertThat(driver.outcomes(runId, OutcomeKind.FAILED)).hasSize(60)
                    .allSatisfy(n -> assertThat(n.get("reason").asText()).startsWith("canary_failed: "));
        }
    }
}
