package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.cli.Target;
import io.batchline.json.Json;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * {@code ./batchline local resume RUN_ID} ({@code ./batchline resume --target FILE RUN_ID}): continues a run that
 * failed, was stopped or whose stack was killed, from its records. It starts a new execution of the target's state
 * machine, named {@code <run>-resume-<n>}, with {@code "resume": true}: "Resume run" reopens the run record and the
 * execution goes on where the records say (batches created are polled and collected, never created again; unsent
 * shards are sent; the finalizer settles the reservation). Exit 0 when the resumed run succeeded, 1 when it did not
 * or could not be resumed.
 */
final class ResumeCommand {
    private final PrintStream out;
    private final PrintStream err;

    ResumeCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String runId, Target target, int timeoutMinutes) throws Exception {
        SfnClient sfn = target.sfn();
        String stateMachine = target.names().stateMachineArn();
        DynamoRunStore runs = new DynamoRunStore(target.dynamoDb(), target.names().table());
        RunRecord record = runs.run(runId).orElse(null);
        if (record == null) {
            err.println("batchline: no run " + runId + " in this stack (`" + target.commandHere("status")
                    + "` lists them)");
            return 1;
        }
        List<ExecutionListItem> executions = RunExecutions.of(sfn, stateMachine, runId);
        Optional<ExecutionListItem> running = RunExecutions.running(executions);
        if (running.isPresent()) {
            err.println("batchline: run " + runId + " is still running (execution " + running.get().name()
                    + "): there is nothing to resume");
            return 1;
        }
        if (record.status() == RunRecord.RunStatus.SUCCEEDED || record.status() == RunRecord.RunStatus.CANCELED) {
            err.println("batchline: run " + runId + " already ended as " + record.status()
                    + ": there is nothing to resume");
            return 1;
        }
        target.endedRuns().recordEnd(runId).ifPresent(e ->
                out.println("batchline: run " + runId + " was left RUNNING: recorded its end (" + e + ")"));
        long resumes = executions.stream().filter(e -> e.name().startsWith(runId + RunExecutions.RESUME_SUFFIX))
                .count();
        String name = runId + RunExecutions.RESUME_SUFFIX + (resumes + 1);
        String arn = sfn.startExecution(b -> b.stateMachineArn(stateMachine).name(name)
                .input(Json.string(RunExecutions.resumeInput(record)))).executionArn();
        out.println("batchline: resuming run " + runId + " as execution " + name + " (from its records: batches"
                + " created are polled and collected, never created again)");
        Instant deadline = Instant.now().plus(Duration.ofMinutes(timeoutMinutes));
        DescribeExecutionResponse d;
        while (true) {
            d = sfn.describeExecution(b -> b.executionArn(arn));
            if (d.status() != ExecutionStatus.RUNNING) break;
            if (Instant.now().isAfter(deadline)) {
                out.println("batchline: run " + runId + " is still going after " + timeoutMinutes + " min; follow it"
                        + " with " + target.commandHere("status " + runId));
                return 1;
            }
            Thread.sleep(500);
        }
        if (d.status() != ExecutionStatus.SUCCEEDED) {
            err.println("batchline: resumed run " + runId + " ended " + d.statusAsString() + ": " + d.error() + ": "
                    + d.cause());
            return 1;
        }
        String bucket = target.names().bucket();
        JsonNode report = Json.tree(new S3ObjectStore(target.s3(), bucket).read(RunKeys.report(runId)));
        out.printf("batchline: run %s %s: %d items, %d accepted, %d review, %d rejected, %d failed; outcomes in"
                        + " s3://%s/%s%n", runId, report.path("status").asText().toLowerCase(java.util.Locale.ROOT),
                report.path("items").asLong(), report.path("accepted").asLong(), report.path("review").asLong(),
                report.path("rejected").asLong(), report.path("failed").asLong(), bucket,
                RunKeys.run(runId) + "out/");
        return 0;
    }
}
