package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cli.Target;
import io.batchline.cli.UserInputException;
import io.batchline.json.Json;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.store.ObjectStore;
import io.batchline.aws.s3.S3ObjectStore;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;

/**
 * {@code ./batchline local status [RUN_ID]} ({@code ./batchline status --target FILE [RUN_ID]}): the runs of a
 * target with their state and counts, as the Step Functions console's execution list shows them, joined with the run records (DynamoDB) and reports (S3).
 * Finished runs count from report.json; running ones from their shards and outcome parts so far.
 */
final class StatusCommand {
    private final PrintStream out;

    StatusCommand(PrintStream out) {
        this.out = out;
    }

    int run(String runId, Target target) throws Exception {
        SfnClient sfn = target.sfn();
        DynamoRunStore runs = new DynamoRunStore(target.dynamoDb(), target.names().table());
        S3ObjectStore bucket = new S3ObjectStore(target.s3(), target.names().bucket());
        List<ExecutionListItem> executions = new ArrayList<>();
        sfn.listExecutionsPaginator(b -> b.stateMachineArn(target.names().stateMachineArn())).executions()
                .forEach(executions::add);
        Map<String, List<ExecutionListItem>> byRun = new LinkedHashMap<>();
        executions.sort(Comparator.comparing(ExecutionListItem::startDate));
        for (ExecutionListItem e : executions) {
            byRun.computeIfAbsent(RunExecutions.runOf(e.name()), k -> new ArrayList<>()).add(e);
        }
        if (runId != null) {
            List<ExecutionListItem> mine = byRun.get(runId);
            if (mine == null) {
                throw new UserInputException("no run " + runId + " in this stack (" + byRun.size()
                        + " runs; `" + target.command("status") + "` lists them)");
            }
            detail(target, runs, bucket, runId, mine);
            return 0;
        }
        if (executions.isEmpty()) {
            out.println("no runs yet in this stack" + (target.named() ? "" : " (give --state DIR for a kept stack)"));
            printIgnored(out, bucket);
            return 0;
        }
        out.printf("%-30s %-9s %-20s %9s %7s  %-27s %s%n", "RUN", "STATE", "STARTED", "TOOK", "ITEMS",
                "ACCEPTED/REVIEW/REJECTED/FAILED", "COST");
        List<String> newestFirst = new ArrayList<>(byRun.keySet());
        java.util.Collections.reverse(newestFirst);
        for (String run : newestFirst) {
            // a resumed run is one row: started by its first execution, in the state of its latest
            List<ExecutionListItem> mine = byRun.get(run);
            ExecutionListItem first = mine.get(0);
            ExecutionListItem latest = mine.get(mine.size() - 1);
            Counts c = counts(runs, bucket, run);
            Instant end = latest.stopDate() != null ? latest.stopDate() : Instant.now();
            out.printf("%-30s %-9s %-20s %9s %7s  %-27s %s%s%n", run, state(runs, run, latest.statusAsString()),
                    first.startDate().toString().substring(0, 19).replace('T', ' '),
                    RunFollower.clock(Duration.between(first.startDate(), end)), c.items, c.split,
                    c.grading == null ? c.cost : c.cost + "  " + c.grading,
                    mine.size() > 1 ? "  (resumed " + (mine.size() - 1) + "x)" : "");
        }
        printIgnored(out, bucket);
        return 0;
    }

    /**
     * The inbox objects that started no run (wrong extension, nested folder, wrong case...), each with
     * why: the same reasons the intake counts in its IgnoredInboxObjects metric. Nothing when there are none.
     */
    static void printIgnored(PrintStream out, ObjectStore bucket) {
        List<String> lines = new ArrayList<>();
        for (String key : bucket.list(RunKeys.INBOX)) {
            String reason = io.batchline.pipeline.IgnoredInbox.reason(key);
            if (reason != null) lines.add("  " + key + "  (" + reason + ")");
        }
        if (lines.isEmpty()) return;
        out.printf("%n%d object(s) in inbox/ started no run (IgnoredInboxObjects):%n", lines.size());
        lines.forEach(out::println);
    }

    private record Counts(String items, String split, String cost, String grading) {}

    /**
     * The execution's state, except for a canceled run: CANCELING while it winds down, CANCELED once
     * finalized (its execution ends in the "Run canceled" state, which Step Functions counts as succeeded).
     */
    static String state(DynamoRunStore runs, String runId, String executionState) {
        RunRecord record = runs.run(runId).orElse(null);
        if (record == null || !record.cancelRequested()) return executionState;
        if (record.status() == RunRecord.RunStatus.CANCELED) return "CANCELED";
        return "RUNNING".equals(executionState) ? "CANCELING" : executionState;
    }

    private static Counts counts(DynamoRunStore runs, ObjectStore bucket, String runId) {
        if (bucket.head(RunKeys.report(runId)).isPresent()) {
            JsonNode r = Json.tree(bucket.read(RunKeys.report(runId)));
            return new Counts(String.format("%,d", r.path("items").asLong()), String.format("%,d/%,d/%,d/%,d",
                    r.path("accepted").asLong(), r.path("review").asLong(), r.path("rejected").asLong(),
                    r.path("failed").asLong()), "$" + r.path("cost_usd").decimalValue().stripTrailingZeros().toPlainString(),
                    GradeCommand.gradingLine(r));
        }
        RunProgress.Snapshot s = new RunProgress(runs, bucket, runId).snapshot();
        return new Counts(String.format("%,d", s.itemsDone()), "(so far)",
                "$" + s.costUsd().stripTrailingZeros().toPlainString(), null);
    }

    private void detail(Target target, DynamoRunStore runs, S3ObjectStore bucket, String runId,
                        List<ExecutionListItem> executions) {
        ExecutionListItem latest = executions.get(executions.size() - 1);
        DescribeExecutionResponse d = target.sfn().describeExecution(b -> b.executionArn(latest.executionArn()));
        Instant started = executions.get(0).startDate();
        out.printf("run        %s%nstate      %s%nstarted    %s%n", runId, state(runs, runId, d.statusAsString()),
                started);
        if (d.stopDate() != null) out.printf("stopped    %s (took %s)%n", d.stopDate(),
                RunFollower.clock(Duration.between(started, d.stopDate())));
        for (ExecutionListItem e : executions.subList(0, executions.size() - 1)) {
            out.printf("execution  %s %s (%s - %s)%n", e.name(), e.statusAsString(), e.startDate(), e.stopDate());
        }
        if (executions.size() > 1) out.printf("execution  %s %s (latest)%n", latest.name(), latest.statusAsString());
        RunRecord record = runs.run(runId).orElse(null);
        if (record != null) out.printf("job        %s%ninput      s3://%s/%s%n", record.job(), record.bucket(),
                record.inputKey());
        if (bucket.exists(RunKeys.rerunOf(runId))) { // frozen at registration: shown while the rerun runs too
            JsonNode link = Json.tree(bucket.read(RunKeys.rerunOf(runId)));
            out.printf("rerun of   %s (--only %s, %,d item(s) selected)%n", link.path("run_id").asText(),
                    link.path("only").asText(), link.path("selected").asLong());
        }
        if (record != null && record.cancelRequested()) {
            out.printf("canceled   requested at %s: what finished is kept, the rest fails with reason canceled%n",
                    record.cancelRequestedAt());
        }
        if (d.error() != null) out.printf("error      %s%ncause      %s%n", d.error(), d.cause());
        Counts c = counts(runs, bucket, runId);
        out.printf("items      %s (accepted/review/rejected/failed %s)%ncost       %s%n", c.items, c.split, c.cost);
        if (c.grading != null) out.printf("grading    %s%n", c.grading);
        if (bucket.head(RunKeys.report(runId)).isPresent()) { // which prompt it sent, as `compare` names it
            var prompt = io.batchline.job.PromptVersion.fromReport(Json.tree(bucket.read(RunKeys.report(runId))));
            if (prompt != null) out.printf("prompt     %s%n", prompt.display());
        }
        RunProgress.Snapshot s = new RunProgress(runs, bucket, runId).snapshot();
        out.printf("batches    %d created, %d ended%n", s.batches(), s.batchesEnded());
        if (bucket.head(RunKeys.report(runId)).isPresent()) {
            out.printf("report     s3://%s/%s%n", bucket.bucket(), RunKeys.report(runId));
        }
        out.printf("history    %s%n", target.command("history " + latest.name()));
    }
}
