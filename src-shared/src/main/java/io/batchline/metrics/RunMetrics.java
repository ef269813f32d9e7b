package io.batchline.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's metrics as one EMF line, namespace {@value #NAMESPACE}, dimensions {@code job} and
 * {@code stage}, built from the finished report.json so the metrics and the report can never disagree.
 * Counts, tokens and cost carry no item text.
 */
public final class RunMetrics {
    public static final String NAMESPACE = "Batchline";

    private RunMetrics() {}

    public static EmfLine fromReport(JsonNode report, String stage) {
        EmfLine emf = new EmfLine(NAMESPACE).dimension("job", report.path("job").asText(null)).dimension("stage", stage)
                .property("run_id", report.path("run_id").asText(null));
        emf.metric("Items", "Count", report.path("items").asLong());
        for (String kind : List.of("accepted", "review", "rejected", "failed")) {
            emf.metric("Items" + capital(kind), "Count", report.path(kind).asLong());
        }
        JsonNode usage = report.path("usage");
        emf.metric("InputTokens", "Count", usage.path("input_tokens").asLong());
        emf.metric("OutputTokens", "Count", usage.path("output_tokens").asLong());
        emf.metric("CacheWriteTokens", "Count", usage.path("cache_creation_input_tokens").asLong());
        emf.metric("CacheReadTokens", "Count", usage.path("cache_read_input_tokens").asLong());
        emf.metric("CostUsd", "None", decimal(report.get("cost_usd")));
        emf.metric("CostPerItemUsd", "None", decimal(report.get("cost_per_item_usd")));
        emf.metric("ItemsPerHour", "Count", decimal(report.get("items_per_hour")));
        emf.metric("ProjectedMonthlyCostUsd", "None", decimal(report.get("projected_monthly_cost_usd")));
        BigDecimal pass = decimal(report.get("validation_pass_rate"));
        emf.metric("ValidationPassRate", "Percent", pass == null ? null : pass.movePointRight(2));
        emf.metric("RetriedItems", "Count", report.path("retried_items").asLong());
        emf.metric("EscalatedItems", "Count", report.path("escalated_items").asLong()); // items that failed transiently on every allowed attempt
        report.path("error_classes").fields().forEachRemaining(e -> {
            emf.metric("Errors_" + e.getKey(), "Count", e.getValue().path("count").asLong());
            BigDecimal rate = decimal(e.getValue().get("rate"));
            emf.metric("ErrorRate_" + e.getKey(), "Percent", rate == null ? null : rate.movePointRight(2));
        });
        for (JsonNode bucket : report.path("confidence_histogram")) {
            int from = (int) Math.round(bucket.path("from").asDouble() * 100);
            int to = (int) Math.round(bucket.path("to").asDouble() * 100);
            emf.metric("Confidence_" + from + "_" + to, "Count", bucket.path("count").asLong());
        }
        List<Long> submitToEnd = new ArrayList<>();
        for (JsonNode batch : report.path("batches")) {
            String submitted = batch.path("submitted_at").asText(null);
            String ended = batch.path("ended_at").asText(null);
            if (submitted != null && ended != null) {
                submitToEnd.add(Duration.between(Instant.parse(submitted), Instant.parse(ended)).toSeconds());
            }
        }
        emf.metric("SubmitToEndSeconds", "Seconds", submitToEnd);
        return emf;
    }

    /** Prints the run's EMF line on its own line (CloudWatch Logs reads EMF from the function's stdout). */
    public static void print(JsonNode report, String stage, Instant at, PrintStream out) {
        out.println(new String(Json.bytes(fromReport(report, stage).toJson(at)), StandardCharsets.UTF_8));
        out.flush();
    }

    private static BigDecimal decimal(JsonNode node) {
        return node == null || !node.isNumber() ? null : node.decimalValue();
    }

    private static String capital(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
