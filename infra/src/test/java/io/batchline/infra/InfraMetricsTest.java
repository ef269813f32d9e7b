package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.metrics.RunMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alarms and the dashboard watch exactly what the finalizer emits: namespace, names and dimension set. */
class InfraMetricsTest {
    private final Synth.Result synth = Synth.defaults();

    @Test
    void everyBatchlineMetricTheStackWatchesIsEmittedWithTheSameDimensions() {
        JsonNode report = Json.tree("""
                {"run_id": "r-1", "job": "ticket-triage", "items": 10, "accepted": 7, "review": 1, "rejected": 1,
                 "failed": 1, "usage": {"input_tokens": 100, "output_tokens": 50}, "cost_usd": 0.01,
                 "cost_per_item_usd": 0.001, "batches": [{"submitted_at": "2026-01-01T00:00:00Z",
                 "ended_at": "2026-01-01T00:10:00Z"}]}""".getBytes(StandardCharsets.UTF_8));
        JsonNode emf = RunMetrics.fromReport(report, BatchlineStack.STAGE_DIMENSION_VALUE).toJson(Instant.now());
        JsonNode directive = emf.path("_aws").path("CloudWatchMetrics").get(0);
        List<String> emitted = new ArrayList<>();
        directive.path("Metrics").forEach(m -> emitted.add(m.path("Name").asText()));
        List<String> dimensions = new ArrayList<>();
        directive.path("Dimensions").get(0).forEach(d -> dimensions.add(d.asText()));
        assertThat(directive.path("Namespace").asText()).isEqualTo(BatchlineStack.METRICS_NAMESPACE);
        assertThat(emf.path("stage").asText()).isEqualTo(BatchlineStack.STAGE_DIMENSION_VALUE);

        // the intake's count of inbox objects that start no run (IgnoredInbox), its own line and dimensions
        JsonNode ignored = io.batchline.pipeline.IgnoredInbox.metric(BatchlineStack.IGNORED_INBOX_STAGE, "b",
                "inbox/x.txt", "r").toJson(Instant.now());
        JsonNode ignoredDirective = ignored.path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(ignoredDirective.path("Namespace").asText()).isEqualTo(BatchlineStack.METRICS_NAMESPACE);
        assertThat(ignoredDirective.path("Metrics").get(0).path("Name").asText())
                .isEqualTo(BatchlineStack.METRIC_IGNORED_INBOX);
        List<String> ignoredDimensions = new ArrayList<>();
        ignoredDirective.path("Dimensions").get(0).forEach(d -> ignoredDimensions.add(d.asText()));
        assertThat(ignored.path("stage").asText()).isEqualTo(BatchlineStack.IGNORED_INBOX_STAGE);

        int watched = 0;
        int watchedIgnored = 0;
        for (Map<String, Object> alarm : synth.resources("AWS::CloudWatch::Alarm").values()) {
            for (Map<?, ?> metric : metricsOf(InfraStackTest.props(alarm))) {
                if (!BatchlineStack.METRICS_NAMESPACE.equals(metric.get("Namespace"))) continue;
                if (BatchlineStack.METRIC_IGNORED_INBOX.equals(metric.get("MetricName"))) {
                    watchedIgnored++;
                    assertThat(metric.get("Dimensions")).isEqualTo(List.of(Map.of("Name", ignoredDimensions.get(0),
                            "Value", BatchlineStack.IGNORED_INBOX_STAGE)));
                    assertThat(ignoredDimensions).containsExactly("stage");
                    continue;
                }
                watched++;
                assertThat(emitted).contains(String.valueOf(metric.get("MetricName")));
                List<String> names = new ArrayList<>();
                for (Object d : (List<?>) metric.get("Dimensions")) names.add(String.valueOf(((Map<?, ?>) d).get("Name")));
                assertThat(names).containsExactlyInAnyOrderElementsOf(dimensions);
            }
        }
        assertThat(watched).isGreaterThanOrEqualTo(4); // error rate (2), cost per item, duration
        assertThat(watchedIgnored).isEqualTo(1);
    }

    /** A plain alarm's metric, or each metric of a math alarm. */
    private static List<Map<?, ?>> metricsOf(Map<String, Object> props) {
        List<Map<?, ?>> out = new ArrayList<>();
        if (props.containsKey("MetricName")) out.add(props);
        if (props.get("Metrics") instanceof List<?> list) {
            for (Object q : list) {
                if (((Map<?, ?>) q).get("MetricStat") instanceof Map<?, ?> stat) out.add((Map<?, ?>) stat.get("Metric"));
            }
        }
        return out;
    }
}
