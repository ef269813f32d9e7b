package io.batchline.quality;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.job.JobSpec;
import io.batchline.outcome.OutcomeLine;
import io.batchline.store.ObjectStore;

/**
 * What the finalizer adds for quality control while it streams the outcome lines: the spot-check sample
 * (sample.jsonl) and, with ground_truth_field, accuracy against the labels (report.json quality).
 */
public final class QualityControl {
    private final SpotCheckSample sample;
    private final QualityBuilder quality;

    public QualityControl(JobSpec job, String runId, long expectedItems) {
        this.sample = new SpotCheckSample(job.sample(), runId, expectedItems);
        String field = job.groundTruthField() == null ? null
                : QualityBuilder.outputFieldOf(job.outputSchema(), job.groundTruthField());
        this.quality = field == null ? null : new QualityBuilder(field);
    }

    /** One outcome line as the finalizer merges it, with its JSON bytes. */
    public void accept(OutcomeLine line, byte[] bytes) {
        sample.offer(line.kind(), line.line(), bytes);
        if (quality != null) quality.accept(line);
    }

    /** Writes sample.jsonl and adds {@code sample} (and {@code quality}) to the report before it is stored. */
    public void finish(ObjectStore store, String runId, ObjectNode report) {
        int n = sample.write(store, runId);
        report.putObject("sample").put("items", n).put("key", SpotCheckSample.key(runId));
        if (quality != null) report.set("quality", quality.toJson());
    }
}
