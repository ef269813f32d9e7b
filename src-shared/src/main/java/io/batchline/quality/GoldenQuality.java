package io.batchline.quality;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeLine;
import io.batchline.report.RunReportBuilder;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * Golden items' results, the drift signal: the same labelled items in every run, scored like
 * {@code quality} (accuracy, per_class, confusion) into report.json {@code golden_quality}, plus {@code count}
 * (golden results collected) and what they cost. Read from the golden parts the collectors wrote apart from the
 * outcome parts, streamed; memory grows with classes, not items.
 */
public final class GoldenQuality {
    private final QualityBuilder quality;
    private final String labelField;
    private long count;
    private Usage usage = Usage.ZERO;
    private BigDecimal costUsd = BigDecimal.ZERO.setScale(Price.COST_SCALE);

    private GoldenQuality(JobSpec job) {
        this.labelField = job.golden().labelFieldOr(job.groundTruthField());
        String field = QualityBuilder.outputFieldOf(job.outputSchema(), labelField);
        this.quality = new QualityBuilder(field);
    }

    /**
     * Streams every golden part of the run; their cost goes into the report's totals (golden items are paid for
     * like any other) and is named apart. Null when the job has no golden items.
     */
    public static GoldenQuality collect(JobSpec job, ObjectStore store, String runId, RunReportBuilder report) {
        if (job.golden() == null) return null;
        GoldenQuality golden = new GoldenQuality(job);
        for (String part : store.list(RunKeys.goldenPartsPrefix(runId))) {
            JsonLines.forEachLine(store.open(part), text -> {
                OutcomeLine line = Json.read(text.getBytes(StandardCharsets.UTF_8), OutcomeLine.class);
                golden.accept(line);
                report.golden(line);
            });
        }
        return golden;
    }

    void accept(OutcomeLine line) {
        count++;
        quality.accept(line);
        if (line.usage() != null) usage = usage.plus(line.usage());
        if (line.costUsd() != null) costUsd = costUsd.add(line.costUsd());
    }

    /** report.json {@code golden_quality}: quality's shape plus count, label_field, cost_usd and usage. */
    public ObjectNode toJson() {
        ObjectNode q = quality.toJson();
        q.put("count", count);
        q.put("label_field", labelField);
        q.put("cost_usd", costUsd);
        q.set("usage", Json.MAPPER.valueToTree(usage));
        return q;
    }
}
