package io.batchline.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.PriceTable;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeLine;
import io.batchline.report.BatchSummary;
import io.batchline.report.RunReportBuilder;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** A small finished run's report.json, built as the finalizer builds it: four items, one of each outcome, one batch. */
final class ReportFixture {
    private ReportFixture() {}

    static ObjectNode report() {
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
}
