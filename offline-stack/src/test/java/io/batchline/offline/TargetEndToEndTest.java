package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.cli.UserInputException;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.offline.teststack.MovableClock;
import io.batchline.grade.GradeKeys;
import io.batchline.json.Json;
import io.batchline.testing.TicketTriage;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.pipeline.StageNames;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The operator commands on a deployed stack's target file ({@code --target FILE}), its endpoints pointing at a
 * running offline stack's emulators: status, history, cancel and review of a real run in flight, grade, compare
 * and rerun of finished runs, through the same SDK clients and Lambda Invoke a deployment gets, with no stack of their own
 * started.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
class TargetEndToEndTest {
    private static final Path SAMPLE = CliRun.HOME.resolve("samples/ticket-triage");
    private String keyId;
    private String secret;

    /** The emulators take any credentials; a deployment's come from the environment or a profile. */
    @BeforeEach
    void anyCredentials() {
        keyId = System.getProperty("aws.accessKeyId");
        secret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
    }

    @AfterEach
    void restoreCredentials() {
        restore("aws.accessKeyId", keyId);
        restore("aws.secretAccessKey", secret);
    }

    /** A target file naming the offline stack's resources, its endpoints its emulators, as a deployment's would. */
    private static Path targetFile(Path dir, OfflineStack.Endpoints ep) throws Exception {
        Path target = dir.resolve("target.json");
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("region", "us-east-1");
        file.put("bucket", ep.bucket());
        file.put("table", ep.table());
        file.put("state_machine_arn", ep.stateMachineArn());
        file.put("review_queue_url", ep.reviewQueueUrl());
        file.put("cancel_function", OfflineStack.functionName(StageNames.CANCEL));
        file.put("endpoints", Map.of("s3", ep.s3().toString(), "dynamodb", ep.dynamodb().toString(),
                "sfn", ep.sfn().toString(), "sqs", ep.sqs().toString(), "lambda", ep.lambda().toString()));
        return Files.write(target, Json.bytes(file));
    }

    @Test
    void statusHistoryCancelResumeAndReviewRunOnATargetFile(@TempDir Path dir) throws Exception {
        Path missingField = dir.resolve("no-bucket.json");
        Files.writeString(missingField, "{\"region\": \"us-east-1\"}");
        assertThatThrownBy(() -> CliRun.of("status", "--target", missingField.toString()))
                .isInstanceOf(UserInputException.class).hasMessageContaining("lacks bucket, table");
        assertThatThrownBy(() -> CliRun.of("status", "--target", "a.json", "--state", dir.toString()))
                .hasMessageContaining("not both");

        // the batches stay in flight while the test acts, until it moves the provider's clock past them
        MovableClock providerClock = new MovableClock();
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(CliRun.HOME, dir.resolve("state")))
                .withSimulator(b -> b.processingTime(Duration.ofMinutes(10)).clock(providerClock).seed(7)))) {
            OfflineStack.Endpoints ep = stack.endpoints();
            Path target = targetFile(dir, ep);

            AwsClients clients = ep.clients();
            ObjectStore bucket = new S3ObjectStore(clients.s3(), ep.bucket());
            DynamoRunStore runs = new DynamoRunStore(clients.dynamoDb(), ep.table());
            bucket.put(RunKeys.jobSpec("quality-test"), TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                    "application/yaml");
            String runId = InboxRuns.drop(stack, bucket, "inbox/quality-test/by-target.jsonl",
                    TicketTriage.tickets(120));
            // a second run, its execution stopped while its batches are at the provider: `resume` goes on from its
            // records
            String stoppedId = InboxRuns.drop(stack, bucket, "inbox/quality-test/stopped.jsonl",
                    TicketTriage.tickets(30));
            List<ShardRecord> shards = InboxRuns.awaitBatchesInFlight(stack, clients.sfn(), runs, runId,
                    Duration.ofMinutes(3));
            List<ShardRecord> stoppedShards = InboxRuns.awaitBatchesInFlight(stack, clients.sfn(), runs, stoppedId,
                    Duration.ofMinutes(3));
            String stoppedArn = ep.executionArn(stoppedId);
            clients.sfn().stopExecution(b -> b.executionArn(stoppedArn).error("StoppedByTest"));
            // what the deployment's EventBridge rule then does: its execution-ended function records the run FAILED
            String stoppedInput = clients.sfn().describeExecution(b -> b.executionArn(stoppedArn)).input();
            var ended = FunctionInvoker.invoke(ep, StageNames.EXECUTION_ENDED, Map.of("detail", Map.of(
                    "status", "ABORTED", "name", stoppedId, "executionArn", stoppedArn, "input", stoppedInput)));
            assertThat(ended.body().path("recorded").asBoolean()).as(ended.raw()).isTrue();
            assertThat(runs.run(stoppedId).orElseThrow().status()).isEqualTo(RunRecord.RunStatus.FAILED);
            String t = target.toString();

            CliRun list = CliRun.of("status", "--target", t);
            assertThat(list.code()).isZero();
            assertThat(list.out()).contains(runId).contains("RUNNING").doesNotContain("starting the offline stack");
            CliRun one = CliRun.of("status", "--target", t, runId);
            assertThat(one.out()).contains("run        " + runId).contains("job        quality-test")
                    .contains("history    ./batchline history " + runId + " --target " + t);
            CliRun history = CliRun.of("history", runId, "--target", t);
            assertThat(history.code()).isZero();
            assertThat(history.out()).contains("ExecutionStarted").contains("Submit batches");
            assertThatThrownBy(() -> CliRun.of("history", "no-such-run-000", "--target", t))
                    .hasMessageContaining("`./batchline status --target " + t + "` lists the runs");

            CliRun cancel = CliRun.of("cancel", runId, "--target", t);
            assertThat(cancel.code()).isZero();
            assertThat(cancel.out()).contains("cancel requested").contains(shards.size() + " batch(es) in flight")
                    .contains("follow it with ./batchline status " + runId + " --target " + t);
            DescribeExecutionResponse end = InboxRuns.awaitEnd(stack, clients.sfn(), runId, Duration.ofMinutes(4));
            assertThat(end.status()).as("cause: %s", end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(CliRun.of("status", runId, "--target", t).out()).contains("CANCELED");
            CliRun again = CliRun.of("cancel", runId, "--target", t);
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.out()).contains("already ended as CANCELED");

            CliRun review = CliRun.of("review", "--run", runId, "--target", t);
            assertThat(review.code()).isZero();
            assertThat(review.out()).contains(" of run " + runId).doesNotContain("starting the offline stack");

            assertThatThrownBy(() -> CliRun.of("resume", "--target", t))
                    .hasMessageContaining("resume takes one RUN_ID (`./batchline status --target " + t + "`");
            providerClock.moveForward(Duration.ofMinutes(10)); // the stopped run's batches have ended meanwhile
            CliRun resumed = CliRun.of("resume", stoppedId, "--target", t, "--timeout", "3");
            assertThat(resumed.code()).as(resumed.out()).isZero();
            assertThat(resumed.out()).contains("resuming run " + stoppedId + " as execution " + stoppedId + "-resume-1")
                    .contains("run " + stoppedId + " succeeded: 30 items").doesNotContain("starting the offline stack");
            // the new execution went on from the run's records ("Resume run"), not from a new registration, and the
            // batches created before the stop were collected, not created again
            assertThat(CliRun.of("history", stoppedId + "-resume-1", "--target", t).out()).contains("Resume run")
                    .doesNotContain("Register run");
            assertThat(runs.shards(stoppedId, 1)).extracting(ShardRecord::batchId)
                    .containsExactlyInAnyOrderElementsOf(stoppedShards.stream().map(ShardRecord::batchId).toList());
            CliRun resumedAgain = CliRun.of("resume", stoppedId, "--target", t);
            assertThat(resumedAgain.code()).isEqualTo(1);
            assertThat(resumedAgain.out()).contains("already ended as SUCCEEDED: there is nothing to resume");
        }
    }

    @Test
    void gradeCompareAndRerunRunOnATargetFile(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> CliRun.of("grade", "run-1", "--target", "a.json", "--state", dir.toString()))
                .hasMessageContaining("grade takes --target FILE (a deployed stack) or --state DIR");
        assertThatThrownBy(() -> CliRun.of("compare", "run-1", "--target", "a.json"))
                .hasMessageContaining("(`./batchline status --target a.json` lists the runs)");

        Path state = dir.resolve("state");
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(CliRun.HOME, state)))) {
            StackHandle.StackFile.write(state, stack.endpoints()); // the runs are made as `local up` leaves it
            String t = targetFile(dir, stack.endpoints()).toString();
            List<String> tickets = Files.readAllLines(SAMPLE.resolve("tickets.jsonl")).subList(0, 60);
            List<String> everyFifthBlank = new java.util.ArrayList<>(tickets);
            for (int i = 4; i < everyFifthBlank.size(); i += 5) everyFifthBlank.set(i, "");
            Path outA = dir.resolve("out-a");
            String a = localRun(state, Files.write(dir.resolve("tickets-a.jsonl"), tickets), outA);
            String b = localRun(state, Files.write(dir.resolve("tickets-b.jsonl"), everyFifthBlank),
                    dir.resolve("out-b"));

            StringBuilder csv = new StringBuilder("line,verdict,correct_value\n");
            for (String l : Files.readAllLines(outA.resolve("sample.jsonl"))) {
                if (!l.isBlank()) csv.append(Json.tree(l.getBytes(StandardCharsets.UTF_8)).get("line").asLong())
                        .append(",correct,\n");
            }
            Path verdicts = Files.writeString(dir.resolve("verdicts.csv"), csv);
            CliRun grade = CliRun.of("grade", a, "--verdicts", verdicts.toString(), "--grader", "qa", "--target", t);
            assertThat(grade.code()).as(grade.out()).isZero();
            assertThat(grade.out()).contains("verdict(s) stored in " + GradeKeys.prefix(a))
                    .doesNotContain("starting the offline stack").doesNotContain("using the stack");
            // where `grade` on the offline stack puts them
            ObjectStore bucket = new S3ObjectStore(stack.endpoints().clients().s3(), stack.endpoints().bucket());
            assertThat(bucket.head(GradeKeys.summary(a))).isPresent();
            assertThat(bucket.head(GradeKeys.gradedOutcomes(a))).isPresent();

            Path compared = dir.resolve("compare");
            CliRun compare = CliRun.of("compare", a, b, "--target", t, "--out", compared.toString());
            assertThat(compare.code()).as(compare.out()).isZero();
            assertThat(compare.out()).contains("Run " + a).contains("graded      A ")
                    .doesNotContain("starting the offline stack").doesNotContain("using the stack");
            JsonNode json = Json.tree(Files.readAllBytes(compared.resolve("compare.json")));
            assertThat(json.at("/a/run_id").asText()).isEqualTo(a);
            assertThat(json.at("/b/run_id").asText()).isEqualTo(b);
            assertThat(compared.resolve("compare.html")).isRegularFile();
            assertThat(compared.resolve("changed.jsonl")).isRegularFile();

            // rerun: the selected items of run a dropped into the target's inbox as a new run, followed, brought home
            List<Long> selected = new java.util.ArrayList<>();
            for (String kind : List.of("review.jsonl", "rejected.jsonl")) {
                for (String l : Files.readAllLines(outA.resolve(kind))) {
                    if (!l.isBlank()) selected.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).get("line").asLong());
                }
            }
            assertThat(selected).as("run a has review or rejected items").isNotEmpty();
            Path rerunOut = dir.resolve("rerun");
            CliRun rerun = CliRun.of("rerun", a, "--job", SAMPLE.resolve("job.yaml").toString(), "--target", t,
                    "--out", rerunOut.toString());
            assertThat(rerun.code()).as(rerun.out()).isZero();
            assertThat(rerun.out()).contains("rerun of run " + a + ": " + selected.size()
                            + " item(s) selected (--only review,rejected)")
                    .doesNotContain("starting the offline stack").doesNotContain("using the stack");
            String rerunId = rerun.out().replaceAll("(?s).*\\nRun (\\S+) finished.*", "$1");
            assertThat(rerunId).isNotEqualTo(a).doesNotContain("\n");
            List<Long> lines = new java.util.ArrayList<>();
            for (String kind : List.of("accepted.jsonl", "review.jsonl", "rejected.jsonl", "failed.jsonl")) {
                for (String l : Files.readAllLines(rerunOut.resolve(kind))) {
                    if (!l.isBlank()) lines.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).get("line").asLong());
                }
            }
            assertThat(lines).containsExactlyInAnyOrderElementsOf(selected);
            JsonNode rerunReport = Json.tree(Files.readAllBytes(rerunOut.resolve("report.json")));
            assertThat(rerunReport.at("/rerun_of/run_id").asText()).isEqualTo(a);
            if (rerunReport.path("review").asLong() > 0) {
                assertThat(rerun.out()).contains("(./batchline review --run " + rerunId + " --target " + t + ")");
            }
            assertThatThrownBy(() -> CliRun.of("rerun", "no-such-run-000", "--job",
                    SAMPLE.resolve("job.yaml").toString(), "--target", t))
                    .hasMessageContaining("no run no-such-run-000 (`./batchline status --target " + t
                            + "` lists the runs)");
        }
    }

    /** `local run` of the sample job on the kept stack; returns the run id. */
    private static String localRun(Path state, Path input, Path out) throws Exception {
        CliRun run = CliRun.of("local", "run", "--job", SAMPLE.resolve("job.yaml").toString(), "--state",
                state.toString(), "--out", out.toString(), input.toString());
        assertThat(run.code()).as(run.out()).isZero();
        Matcher m = Pattern.compile("Run (\\S+) finished").matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        return m.group(1);
    }

    private static void restore(String property, String value) {
        if (value == null) System.clearProperty(property);
        else System.setProperty(property, value);
    }
}
