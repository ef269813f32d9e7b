package io.batchline.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import java.math.BigDecimal;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunReportBuilderTests {

    private final Price haiku = PriceTable.bundled().priceFor("claude-haiku-4-5");

    @Test
    void reportHasTheContractFieldNames() {
        ObjectNode report = sampleRun().build();

        assertThat(report.fieldNames()).toIterable().contains("run_id", "job", "input", "items", "accepted", "review",
                "rejected", "failed", "usage", "cost_usd", "price", "thresholds", "batches", "started_at", "finished_at",
                "cost_per_item_usd", "retried_items", "failed_reasons", "confidence_histogram");
        assertThat(report.get("usage").fieldNames()).toIterable().containsExactly("input_tokens", "output_tokens",
                "cache_creation_input_tokens", "cache_read_input_tokens");
        assertThat(report.get("thresholds").fieldNames()).toIterable().containsExactly("accept_at", "review_at");
        assertThat(report.get("batches").get(0).fieldNames()).toIterable()
                .containsExactly("id", "attempt", "shard", "requests", "status");
        assertThat(report.get("price").fieldNames()).toIterable().containsExactly("model", "as_of", "batch_discount",
                "input_per_mtok", "output_per_mtok", "cache_write_per_mtok", "cache_read_per_mtok");
    }

    @Test
    void countsUsageAndCostAddUp() {
        ObjectNode report = sampleRun().build();

        assertThat(report.get("run_id").asText()).isEqualTo("r-1a2b");
        assertThat(report.get("job").asText()).isEqualTo("tickets");
        assertThat(report.get("input").asText()).isEqualTo("inbox/tickets/day1.jsonl");
        assertThat(report.get("items").asLong()).isEqualTo(5);
        assertThat(report.get("accepted").asLong()).isEqualTo(2);
        assertThat(report.get("review").asLong()).isEqualTo(1);
        assertThat(report.get("rejected").asLong()).isEqualTo(1);
        assertThat(report.get("failed").asLong()).isEqualTo(1);
        assertThat(report.get("retried_items").asLong()).isEqualTo(1);
        assertThat(report.at("/usage/input_tokens").asLong()).isEqualTo(4_000);
        assertThat(report.at("/usage/output_tokens").asLong()).isEqualTo(400);
        assertThat(report.at("/usage/cache_creation_input_tokens").asLong()).isEqualTo(2_000);
        assertThat(report.at("/usage/cache_read_input_tokens").asLong()).isEqualTo(6_000);
        // per item: 1000*0.5 + 100*2.5 + 500*0.625 + 1500*0.05 = 1137.5 micro-dollars; four items
        assertThat(report.get("cost_usd").decimalValue()).isEqualByComparingTo("0.00455");
        assertThat(report.get("cost_per_item_usd").decimalValue()).isEqualByComparingTo("0.00091");
        assertThat(report.at("/price/model").asText()).isEqualTo("claude-haiku-4-5");
        assertThat(report.at("/price/input_per_mtok").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(report.at("/thresholds/accept_at").asDouble()).isEqualTo(0.9);
        assertThat(report.at("/thresholds/review_at").asDouble()).isEqualTo(0.7);
        assertThat(report.at("/batches/0/id").asText()).isEqualTo("msgbatch_01");
        assertThat(report.at("/batches/1/attempt").asInt()).isEqualTo(2);
        assertThat(report.get("started_at").asText()).isEqualTo("2026-11-03T08:00:00Z");
        assertThat(report.get("finished_at").asText()).isEqualTo("2026-11-03T09:15:30Z");
    }

    @Test
    void conservationComparesWithTheInputLineCount() {
        RunReportBuilder run = sampleRun();

        assertThat(run.conserves(5)).isTrue();
        assertThat(run.conserves(6)).isFalse();
        assertThat(run.items()).isEqualTo(run.count(OutcomeKind.ACCEPTED) + run.count(OutcomeKind.REVIEW)
                + run.count(OutcomeKind.REJECTED) + run.count(OutcomeKind.FAILED));
    }

    @Test
    void confidenceHistogramHasTenBucketsWithBoundariesInTheUpperBucket() {
        RunReportBuilder run = new RunReportBuilder();
        for (double c : new double[] {0.0, 0.05, 0.7, 0.7, 0.3, 0.9, 0.99, 1.0}) {
            run.accept(line("x", OutcomeKind.ACCEPTED, c, 1, null));
        }
        run.accept(line("no-confidence", OutcomeKind.FAILED, null, 1, "errored: api_error"));

        JsonNode histogram = run.build().get("confidence_histogram");

        assertThat(histogram).hasSize(10);
        assertThat(histogram.get(7).get("from").decimalValue()).isEqualByComparingTo("0.7");
        assertThat(histogram.get(7).get("to").decimalValue()).isEqualByComparingTo("0.8");
        long[] counts = new long[10];
        for (int i = 0; i < 10; i++) {
            counts[i] = histogram.get(i).get("count").asLong();
        }
        assertThat(counts).containsExactly(2, 0, 0, 1, 0, 0, 0, 2, 0, 3);
    }

    @Test
    void failedReasonsAreGroupedWithNumbersMaskedAndBounded() {
        RunReportBuilder run = new RunReportBuilder();
        run.accept(line("a", OutcomeKind.FAILED, null, 1, "line 12: malformed JSON"));
        run.accept(line("b", OutcomeKind.FAILED, null, 1, "line 40: malformed JSON"));
        run.accept(line("c", OutcomeKind.FAILED, null, 3, "errored: overloaded_error after 3 attempts"));
        for (int i = 0; i < 30; i++) {
            // 30 distinct reasons once each: only the top 20 groups are listed, the rest summed
            run.accept(line("d" + i, OutcomeKind.FAILED, null, 1, "template field 'f" + (char) ('a' + i) + "' is missing"));
        }
        run.accept(line("e", OutcomeKind.REJECTED, 0.2, 1, "confidence 0.2 is below review_at 0.7"));
        run.accept(line("f", OutcomeKind.REJECTED, 0.3, 1, "confidence 0.3 is below review_at 0.7"));

        ObjectNode report = run.build();
        JsonNode failed = report.get("failed_reasons");

        assertThat(failed).hasSize(RunReportBuilder.TOP_REASONS + 1);
        assertThat(failed.get(0).get("reason").asText()).isEqualTo("line #: malformed JSON");
        assertThat(failed.get(0).get("count").asLong()).isEqualTo(2);
        JsonNode other = failed.get(RunReportBuilder.TOP_REASONS);
        assertThat(other.get("reason").asText()).isEqualTo(RunReportBuilder.OTHER_REASONS);
        long listed = 0;
        for (JsonNode entry : failed) {
            listed += entry.get("count").asLong();
        }
        assertThat(listed).isEqualTo(run.count(OutcomeKind.FAILED)).isEqualTo(33);
        assertThat(report.at("/rejected_reasons/0/reason").asText()).isEqualTo("confidence #.# is below review_at #.#");
        assertThat(report.at("/rejected_reasons/0/count").asLong()).isEqualTo(2);
    }

    @Test
    void emptyRunKeepsTheShapeWithNullsForUnsetMetadata() {
        ObjectNode report = new RunReportBuilder().build();

        assertThat(report.get("items").asLong()).isZero();
        assertThat(report.get("cost_usd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(report.get("cost_per_item_usd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(report.get("run_id").isNull()).isTrue();
        assertThat(report.get("price").isNull()).isTrue();
        assertThat(report.get("thresholds").isNull()).isTrue();
        assertThat(report.get("batches")).isEmpty();
        assertThat(new RunReportBuilder().conserves(0)).isTrue();
    }

    @Test
    void missingUsageOrCostCountsAsZeroAndUnknownOutcomesAreRefused() {
        RunReportBuilder run = new RunReportBuilder();
        run.accept(OutcomeLine.of("a", 1, "failed").reason("bad line").build());

        assertThat(run.usage()).isEqualTo(Usage.ZERO);
        assertThat(run.costUsd()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThatThrownBy(() -> run.accept(OutcomeLine.of("b", 7, "maybe").free().attempts(1).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outcome line b (input line 7) has an unknown outcome 'maybe'");
        assertThat(run.items()).isEqualTo(1);
    }

    @Test
    void reportSerialisesToJson() {
        String text = Json.string(sampleRun().build());

        assertThat(Json.tree(text.getBytes()).get("items").asLong()).isEqualTo(5);
        assertThat(text).contains("\"run_id\":\"r-1a2b\"");
    }

    private RunReportBuilder sampleRun() {
        Usage perItem = new Usage(1_000, 100, 500, 1_500);
        BigDecimal cost = haiku.cost(perItem);
        RunReportBuilder run = new RunReportBuilder()
                .runId("r-1a2b").job("tickets").input("inbox/tickets/day1.jsonl")
                .price(haiku)
                .thresholds(new JobSpec.Confidence("confidence", 0.9, 0.7))
                .batch(new BatchSummary("msgbatch_01", 1, 0, 4, "ended"))
                .batch(new BatchSummary("msgbatch_02", 2, 0, 1, "ended"))
                .startedAt(Instant.parse("2026-11-03T08:00:00Z"))
                .finishedAt(Instant.parse("2026-11-03T09:15:30Z"));
        run.accept(OutcomeLine.of("t1", 1, "accepted").confidence(0.95).usage(perItem).costUsd(cost).attempts(1)
                .batchId("msgbatch_01").customId("c1").build());
        run.accept(OutcomeLine.of("t2", 2, "accepted").confidence(0.91).usage(perItem).costUsd(cost).attempts(2)
                .batchId("msgbatch_02").customId("c2").build());
        run.accept(OutcomeLine.of("t3", 3, "review").reason("confidence 0.8 is below accept_at 0.9: needs review")
                .confidence(0.8).usage(perItem).costUsd(cost).attempts(1).batchId("msgbatch_01").customId("c3").build());
        run.accept(OutcomeLine.of("t4", 4, "rejected").reason("/x: bad (type)").usage(perItem).costUsd(cost).attempts(1)
                .batchId("msgbatch_01").customId("c4").build());
        run.accept(OutcomeLine.failedBeforeSubmit("t5", 5, "line 5: malformed JSON"));
        return run;
    }

    private static OutcomeLine line(String id, OutcomeKind kind, Double confidence, int attempts, String reason) {
        return OutcomeLine.of(id, 1, kind).reason(reason).confidence(confidence).free().attempts(attempts).build();
    }
}
