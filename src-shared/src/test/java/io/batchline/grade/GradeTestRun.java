package io.batchline.grade;

import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A finished run laid out in a folder bucket as the finalizer leaves it, for grading tests: job snapshot,
 * report.json, input, sample.jsonl and review.jsonl. Lines 1..20: odd lines are in the sample, every line whose
 * number is a multiple of 3 is a review item (so 3, 9, 15 are both); the model answers "billing" on lines 1-10
 * and "technical" after.
 */
final class GradeTestRun {
    static final String RUN = "triage-0123456789ab";
    static final String JOB = """
            name: triage
            model: claude-haiku-4-5-20251001
            user_template: "Subject: {{subject}}\\n{{body}}"
            max_tokens: 100
            ground_truth_field: label
            output_schema:
              type: object
              properties:
                primary_category: {type: string, enum: [billing, technical, account]}
                confidence: {type: number}
            sample: {min: 10, max_error_rate: %s}
            """;
    static final String REPORT = "{\"run_id\":\"" + RUN + "\",\"job\":\"triage\",\"input\":\"s3://bucket/inbox/triage/t.jsonl\","
            + "\"items\":20,\"cost_usd\":0.00000005,\"ratio\":1.0E-5,\"quality\":{\"accuracy\":0.8}}";

    final ObjectStore store;

    GradeTestRun(Path dir, String maxErrorRate) {
        store = new FileObjectStore(dir);
        store.put(RunKeys.jobSnapshot(RUN), JOB.formatted(maxErrorRate).getBytes(StandardCharsets.UTF_8), "application/yaml");
        store.put(RunKeys.report(RUN), REPORT.getBytes(StandardCharsets.UTF_8), "application/json");
        StringBuilder input = new StringBuilder();
        StringBuilder sample = new StringBuilder();
        StringBuilder review = new StringBuilder();
        for (int line = 1; line <= 20; line++) {
            input.append(String.format("{\"id\":\"T-%d\",\"subject\":\"s%d\",\"body\":\"b%d\",\"label\":\"billing\",\"extra\":1}%n",
                    line, line, line));
            String outcome = line % 3 == 0 ? "review" : "accepted";
            String answer = line <= 10 ? "billing" : "technical";
            String json = String.format("{\"id\":\"T-%d\",\"line\":%d,\"outcome\":\"%s\",%s\"output\":{\"primary_category\":"
                    + "\"%s\",\"confidence\":0.8},\"confidence\":0.8,\"ground_truth\":\"billing\"}%n", line, line, outcome,
                    outcome.equals("review") ? "\"reason\":\"confidence 0.8 below accept_at 0.9\"," : "", answer);
            if (line % 2 == 1) sample.append(json);
            if (line % 3 == 0) review.append(json);
        }
        store.put("inbox/triage/t.jsonl", input.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        store.put(RunKeys.run(RUN) + "out/sample.jsonl", sample.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        store.put(RunKeys.run(RUN) + "out/review.jsonl", review.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    }

    static List<Long> sampleLines() {
        List<Long> lines = new ArrayList<>();
        for (long l = 1; l <= 20; l += 2) lines.add(l);
        return lines;
    }
}
