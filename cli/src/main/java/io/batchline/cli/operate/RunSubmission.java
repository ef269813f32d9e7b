package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.cli.JobFiles;
import io.batchline.cli.Target;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * A run started as a user starts one: the job spec and the input dropped into a {@link Target}'s bucket (the spec
 * under {@code jobs/}, the input under {@code inbox/<job>/}), the execution the drop starts followed, and the run's
 * outcome folder brought home. What {@code local run} does on the offline stack and {@code rerun} does on any target.
 */
public final class RunSubmission {
    private final PrintStream out;
    private final PrintStream err;

    public RunSubmission(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * Drops the job spec ({@code jobBytes}, as read from {@code jobFile}'s folder for its golden file) and the input
     * (under {@code inbox/<job>/<inputName>}) into the stack's bucket, follows the run the drop starts and brings
     * its outcome files home into {@code outDir} (default {@code batchline-out/<run>/}). Exit 0 when the run
     * succeeded, 1 when it did not or is still going after {@code timeoutMinutes}.
     */
    public int submit(Target target, JobSpec job, Path jobFile, byte[] jobBytes, Path input, String inputName,
                      Path outDir, int timeoutMinutes) throws Exception {
        String bucketName = target.names().bucket();
        ObjectStore bucket = new S3ObjectStore(target.s3(), bucketName);
        if (job.golden() != null) { // golden items: next to the spec in the bucket, as in AWS (jobs/<job>/<file>)
            Path golden = JobFiles.goldenFile(jobFile, job);
            try (InputStream in = Files.newInputStream(golden);
                 OutputStream o = bucket.create(RunKeys.goldenSource(job.name(), job.golden().file()),
                         "application/octet-stream")) {
                in.transferTo(o);
            }
        }
        bucket.put(RunKeys.jobSpec(job.name()), jobBytes, "application/yaml");
        String key = RunKeys.INBOX + job.name() + "/" + inputName;
        Instant uploadedAt = Instant.now();
        try (InputStream in = Files.newInputStream(input);
             OutputStream o = bucket.create(key, "application/octet-stream")) {
            in.transferTo(o);
        }
        String etag = bucket.head(key).orElseThrow().etag();
        String runId = RunIds.runId(job.name(), bucketName, key, etag);
        out.printf("batchline: s3://%s/%s uploaded (%,d bytes); run %s%n", bucketName, key, Files.size(input), runId);

        String executionArn = target.executionArn(runId);
        RunFollower follower = new RunFollower(target.sfn(), out, new RunProgress(
                new DynamoRunStore(target.dynamoDb(), target.names().table()), bucket, runId));
        DescribeExecutionResponse started = follower.awaitStart(executionArn, Duration.ofSeconds(90));
        if (started == null) {
            err.println("batchline: the intake did not start run " + runId + " within 90 s; function logs: "
                    + target.logs());
            return 1;
        }
        DescribeExecutionResponse end;
        if (started.status() != ExecutionStatus.RUNNING && started.startDate().isBefore(uploadedAt)) {
            out.printf("batchline: already processed as run %s (%s); the same bytes under the same key start"
                    + " no new run%n", runId, started.statusAsString());
            end = started;
        } else {
            out.println("batchline: following execution " + executionArn);
            end = follower.follow(executionArn, Duration.ofMinutes(timeoutMinutes));
            if (end.status() == ExecutionStatus.RUNNING) {
                out.printf("batchline: run %s is still going after %d min; it goes on in the stack: follow it"
                        + " with %s%n", runId, timeoutMinutes, target.commandHere("status " + runId));
                return 1;
            }
        }
        Path dir = outDir != null ? outDir : Path.of("batchline-out", runId);
        if (end.status() != ExecutionStatus.SUCCEEDED) {
            err.printf("batchline: run %s %s: %s%n  %s%n  function logs: %s%n", runId, end.statusAsString(),
                    end.error(), end.cause(), target.logs());
            if (bucket.head(RunKeys.report(runId)).isPresent()) { // e.g. a failed canary: outcomes were written
                download(bucket, runId, dir);
                err.printf("  outcomes  %s%n", dir.toAbsolutePath().normalize());
            }
            return 1;
        }
        download(bucket, runId, dir);
        printSummary(target, runId, dir, Duration.between(end.startDate(), end.stopDate()));
        return 0;
    }

    private static void download(ObjectStore bucket, String runId, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (OutcomeKind kind : OutcomeKind.values()) {
            copy(bucket, RunKeys.outcome(runId, kind), dir.resolve(kind.fileName()));
        }
        copy(bucket, RunKeys.report(runId), dir.resolve("report.json"));
        String html = RunKeys.reportPage(runId); // runs finalized before report.html existed lack it
        if (bucket.head(html).isPresent()) copy(bucket, html, dir.resolve("report.html"));
        copy(bucket, io.batchline.quality.SpotCheckSample.key(runId), dir.resolve("sample.jsonl")); // spot-check sample
    }

    private static void copy(ObjectStore bucket, String key, Path to) throws IOException {
        try (InputStream in = bucket.open(key)) {
            Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void printSummary(Target target, String runId, Path dir, Duration took) throws IOException {
        JsonNode r = Json.tree(Files.readAllBytes(dir.resolve("report.json")));
        JsonNode u = r.path("usage");
        JsonNode p = r.path("price");
        if ("canceled".equals(r.path("status").asText())) { // an operator canceled it
            out.printf("%nRun %s CANCELED (requested at %s), ended in %s: what finished is kept, %,d item(s) failed"
                            + " with reason canceled%n", runId, r.path("canceled_at").asText(), RunFollower.clock(took),
                    r.at("/error_classes/canceled/count").asLong());
        } else {
            out.printf("%nRun %s finished in %s%n", runId, RunFollower.clock(took));
        }
        JsonNode rerunOf = r.path("rerun_of");
        if (rerunOf.isObject()) {
            out.printf("  rerun of  %s: %,d item(s) selected (--only %s)%n", rerunOf.path("run_id").asText(),
                    rerunOf.path("selected").asLong(), rerunOf.path("only").asText());
        }
        out.printf("  items     %,d: accepted %,d, review %,d, rejected %,d, failed %,d%n", r.path("items").asLong(),
                r.path("accepted").asLong(), r.path("review").asLong(), r.path("rejected").asLong(),
                r.path("failed").asLong());
        out.printf("  tokens    input %,d, output %,d, cache write %,d, cache read %,d%n",
                u.path("input_tokens").asLong(), u.path("output_tokens").asLong(),
                u.path("cache_creation_input_tokens").asLong(), u.path("cache_read_input_tokens").asLong());
        out.printf("  cost      $%s (%s batch prices as of %s)%n", r.path("cost_usd").asText(),
                p.path("model").asText(), p.path("as_of").asText());
        JsonNode q = r.path("quality");
        if (q.isObject()) {
            out.printf("  quality   accuracy %.1f%% on %,d labelled items (%s); repaired %,d, rejected invalid %,d%n",
                    q.path("accuracy").asDouble() * 100, q.path("labelled").asLong(), q.path("field").asText(),
                    r.path("repaired").asLong(), r.path("rejected_invalid").asLong());
        }
        JsonNode g = r.path("golden_quality");
        if (g.isObject()) { // golden items
            out.printf("  golden    accuracy %.1f%% on %,d golden items (drift signal, not in the outcomes), cost $%s%n",
                    g.path("accuracy").asDouble() * 100, g.path("count").asLong(), g.path("cost_usd").asText());
        }
        JsonNode e = r.path("escalation");
        if (e.isObject()) { // the escalation round
            java.util.List<String> moved = new java.util.ArrayList<>();
            e.path("moved").fields().forEachRemaining(m -> moved.add(m.getKey() + " " + m.getValue().asLong()));
            out.printf("  escalated %,d items to %s (%s), rounds cost $%s%n", e.path("items").asLong(),
                    e.path("model").asText(), moved.isEmpty() ? "none" : String.join(", ", moved),
                    e.path("cost_usd").decimalValue().toPlainString());
        }
        JsonNode c = r.path("canary");
        if (c.isObject()) {
            out.printf("  canary    %s: %,d items, pass rate %s, $%s per item%n", c.path("passed").asBoolean()
                    ? "passed" : "FAILED", c.path("items").asLong(), c.path("pass_rate").asText(),
                    c.path("cost_per_item_usd").decimalValue().toPlainString());
        }
        if (r.path("review").asLong() > 0) {
            out.printf("  review    %,d items in review.jsonl and on the review queue (%s%s)%n",
                    r.path("review").asLong(), target.offline() ? "while the stack is up: " : "",
                    target.commandHere("review --run " + runId));
        }
        if (r.path("projected_monthly_cost_usd").isNumber()) {
            out.printf("  forecast  $%s per item, %s items/h, month projected at $%s (%s)%n",
                    r.path("cost_per_item_usd").decimalValue().toPlainString(),
                    r.path("items_per_hour").isNumber() ? String.format("%,.0f", r.get("items_per_hour").asDouble()) : "-",
                    r.path("projected_monthly_cost_usd").decimalValue().toPlainString(), r.at("/forecast/basis").asText());
        }
        out.printf("  outcomes  %s%n", dir.toAbsolutePath().normalize());
        if (Files.exists(dir.resolve("report.html"))) {
            out.printf("  report    %s%n", dir.resolve("report.html").toAbsolutePath().normalize());
        }
    }
}
