package io.batchline.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.PriceTable;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeLine;
import io.batchline.report.BatchSummary;
import io.batchline.report.RunReportBuilder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

public class RunMetricsTest {

    public static ObjectNode report() {
        JsonNode output = Json.tree("{\"primary_category\":\"billing\",\"confidence\":0.95}".getBytes(StandardCharsets.UTF_8));
        Usage usage = new Usage(400, 60, 0, 0);
        BigDecimal cost = PriceTable.bundled().priceFor("claude-haiku-4-5").cost(usage);
        RunReportBuilder b = new RunReportBuilder().runId("ticket-triage-0123").job("ticket-triage").input("s3://b/k")
                .price(PriceTable.bundled().priceFor("claude-haiku-4-5")).thresholds(0.9, 0.7)
                .startedAt(Instant.parse("2026-11-03T10:00:00Z")).finishedAt(Instant.parse("2026-11-03T10:30:00Z"))
                .batch(new BatchSummary("msgbatch_1", 1, 0, 3, "ended", Instant.parse("2026-11-03T10:01:00Z"),
                        Instant.parse("2026-11-03T10:21:00Z")));
        b.accept(OutcomeLine.of("a", 1, "accepted").output(output).confidence(0.95).usage(usage).costUsd(cost)
                .attempts(1).batchId("msgbatch_1").customId("a1-l1").build());
        b.accept(OutcomeLine.of("b", 2, "rejected").reason("output does not match the schema: $.x: missing")
                .output(output).usage(usage).costUsd(cost).attempts(2).batchId("msgbatch_1").customId("a1-l2").build());
        b.accept(OutcomeLine.of("c", 3, "review").reason("confidence 0.8 is below accept_at 0.9").output(output)
                .confidence(0.8).usage(usage).costUsd(cost).attempts(1).batchId("msgbatch_1").customId("a1-l3").build());
        b.accept(OutcomeLine.failedBeforeSubmit("d", 4, "line 4: malformed JSON"));
        return b.build();
    }

    @Test
    void theEmfLineDeclaresEveryMetricItCarriesUnderNamespaceBatchlineWithJobAndStage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunMetrics.print(report(), "finalize", Instant.parse("2026-11-03T10:30:01Z"),
                new PrintStream(out, true, StandardCharsets.UTF_8));

        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().count()).as("one line, as CloudWatch Logs reads it").isEqualTo(1);
        JsonNode emf = Json.tree(text.getBytes(StandardCharsets.UTF_8));
        JsonNode aws = emf.get("_aws");
        assertThat(aws.get("Timestamp").asLong()).isEqualTo(Instant.parse("2026-11-03T10:30:01Z").toEpochMilli());
        assertThat(aws.get("CloudWatchMetrics")).hasSize(1);
        JsonNode directive = aws.get("CloudWatchMetrics").get(0);
        assertThat(directive.get("Namespace").asText()).isEqualTo("Batchline");
        assertThat(directive.get("Dimensions")).hasSize(1);
        assertThat(directive.get("Dimensions").get(0).toString()).isEqualTo("[\"job\",\"stage\"]");
        assertThat(emf.get("job").asText()).isEqualTo("ticket-triage");
        assertThat(emf.get("stage").asText()).isEqualTo("finalize");
        assertThat(emf.get("run_id").asText()).isEqualTo("ticket-triage-0123");

        Set<String> names = new HashSet<>();
        for (JsonNode m : directive.get("Metrics")) {
            String name = m.get("Name").asText();
            assertThat(names.add(name)).as("metric %s declared once", name).isTrue();
            assertThat(m.get("Unit").asText()).isIn("Count", "None", "Percent", "Seconds");
            JsonNode value = emf.get(name);
            assertThat(value).as("value of %s", name).isNotNull();
            assertThat(value.isNumber() || value.isArray() && value.get(0).isNumber()).as(name).isTrue();
        }
        assertThat(names.size()).isLessThanOrEqualTo(EmfLine.MAX_METRICS);
        assertThat(emf.get("Items").asLong()).isEqualTo(4);
        assertThat(emf.get("ItemsAccepted").asLong()).isEqualTo(1);
        assertThat(emf.get("ItemsFailed").asLong()).isEqualTo(1);
        assertThat(emf.get("InputTokens").asLong()).isEqualTo(1200);
        assertThat(emf.get("CostUsd").decimalValue()).isEqualByComparingTo(report().get("cost_usd").decimalValue());
        assertThat(emf.get("Errors_schema_mismatch").asLong()).isEqualTo(1);
        assertThat(emf.get("Errors_input").asLong()).isEqualTo(1);
        assertThat(emf.get("ErrorRate_input").decimalValue()).isEqualByComparingTo("25");
        // 2 of 3 answered outputs met the schema
        assertThat(emf.get("ValidationPassRate").decimalValue()).isEqualByComparingTo("66.67");
        assertThat(emf.get("Confidence_90_100").asLong()).isEqualTo(1);
        assertThat(emf.get("Confidence_80_90").asLong()).isEqualTo(1);
        assertThat(emf.get("RetriedItems").asLong()).isEqualTo(1);
        assertThat(emf.get("SubmitToEndSeconds").get(0).asLong()).isEqualTo(1200);
        assertThat(emf.get("ItemsPerHour").decimalValue()).isEqualByComparingTo("8");
    }
}
