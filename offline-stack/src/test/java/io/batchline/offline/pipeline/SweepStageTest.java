package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.json.Json;
import io.batchline.offline.teststack.AwsEndpoint;
import io.batchline.offline.teststack.TestStack;
import io.batchline.pipeline.IntakeStage;
import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.aws.sfn.StepFunctionsExecutionStarter;
import io.batchline.pipeline.SweepStage;
import io.batchline.pipeline.SweepStage.SweepRequest;
import io.batchline.pipeline.SweepStage.SweepResult;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.aws.s3.S3ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/**
 * The scheduled sweep on the test stack's S3 (S3Proxy or LocalStack), against a Step Functions stand-in with name
 * idempotency.
 */
class SweepStageTest {
    static final String SM = "arn:aws:states:us-east-1:000000000000:stateMachine:batchline-run";
    static AwsEndpoint s3;
    static S3Client s3Client;
    static int buckets;
    String bucketName;
    S3ObjectStore bucket;
    final RecordingSfn sfn = new RecordingSfn();
    SweepStage sweep;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = TestStack.s3();
        s3Client = s3.s3Client();
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3Client.close();
        s3.close();
    }

    @BeforeEach
    void freshBucket() {
        bucketName = "sweep-" + (++buckets);
        TestStack.freshBucket(s3Client, bucketName);
        bucket = new S3ObjectStore(s3Client, bucketName);
        sweep = new SweepStage(b -> new S3ObjectStore(s3Client, b), new IntakeStage(new StepFunctionsExecutionStarter(sfn, SM)), bucketName);
    }

    @Test
    void startsARunForEveryInboxFileWithoutOneAndNeverForAFinishedRun() {
        put("inbox/tickets/done.jsonl", "{\"a\":1}\n");
        put("inbox/tickets/new.jsonl", "{\"a\":2}\n");
        put("inbox/other/more.csv.gz", "x");
        put("inbox/tickets/notes.txt", "not an input");
        put("jobs/tickets.yaml", "name: tickets");
        // done.jsonl's run registered (and finished) before: the run froze its job spec under runs/<id>/
        String doneRun = runIdOf("inbox/tickets/done.jsonl", "tickets");
        put(RunKeys.jobSnapshot(doneRun), "name: tickets");

        SweepResult result = sweep.sweep(new SweepRequest("inbox", null, null));

        String newRun = runIdOf("inbox/tickets/new.jsonl", "tickets");
        String otherRun = runIdOf("inbox/other/more.csv.gz", "other");
        assertThat(result.started()).containsExactlyInAnyOrder(newRun, otherRun);
        assertThat(result.files()).isEqualTo(4);
        assertThat(result.alreadyRun()).isEqualTo(1);
        assertThat(result.ignored()).isEqualTo(1);
        assertThat(sfn.names()).containsExactlyInAnyOrder(newRun, otherRun).doesNotContain(doneRun);
        // the same execution input as the S3 event path
        RunStart input = Json.read(sfn.started.get(newRun).input().getBytes(StandardCharsets.UTF_8), RunStart.class);
        assertThat(input).isEqualTo(new RunStart(newRun, bucketName, "inbox/tickets/new.jsonl",
                RunIds.stripQuotes(bucket.head("inbox/tickets/new.jsonl").orElseThrow().etag()), "tickets"));
        assertThat(sfn.started.get(newRun).stateMachineArn()).isEqualTo(SM);
    }

    @Test
    void aSecondSweepStartsNothingTheFirstStarted() {
        put("inbox/tickets/a.jsonl", "{\"a\":1}\n");
        assertThat(sweep.sweep(null).started()).hasSize(1);

        SweepResult again = sweep.sweep(null);

        assertThat(again.started()).isEmpty();
        assertThat(again.alreadyStarted()).isEqualTo(1);
        assertThat(sfn.calls).isEqualTo(2);
        assertThat(sfn.started).hasSize(1);
    }

    @Test
    void changedBytesUnderTheSameKeyAreANewRun() {
        put("inbox/tickets/a.jsonl", "{\"a\":1}\n");
        String first = sweep.sweep(null).started().get(0);
        put(RunKeys.jobSnapshot(first), "name: tickets");
        put("inbox/tickets/a.jsonl", "{\"a\":1}\n{\"a\":2}\n");

        SweepResult result = sweep.sweep(null);

        assertThat(result.started()).hasSize(1).doesNotContain(first);
        assertThat(result.alreadyRun()).isZero();
    }

    @Test
    void aJobFilterSweepsOnlyThatJobsInbox() {
        put("inbox/tickets/a.jsonl", "{}\n");
        put("inbox/other/b.jsonl", "{}\n");

        SweepResult result = sweep.sweep(new SweepRequest(null, null, "other"));

        assertThat(result.files()).isEqualTo(1);
        assertThat(result.started()).containsExactly(runIdOf("inbox/other/b.jsonl", "other"));
    }

    @Test
    void anUnknownModeIsRefusedBeforeAnythingStarts() {
        put("inbox/tickets/a.jsonl", "{}\n");
        assertThatThrownBy(() -> sweep.sweep(new SweepRequest("retries", null, null)))
                .isInstanceOf(PermanentStageException.class).hasMessageContaining("retries");
        assertThat(sfn.calls).isZero();
    }

    private void put(String key, String body) {
        bucket.put(key, body.getBytes(StandardCharsets.UTF_8), "application/octet-stream");
    }

    private String runIdOf(String key, String job) {
        return RunIds.runId(job, bucketName, key, bucket.head(key).orElseThrow().etag());
    }

    /** StartExecution with Step Functions' name rule: a name already used answers ExecutionAlreadyExists. */
    static final class RecordingSfn implements SfnClient {
        final Map<String, StartExecutionRequest> started = new LinkedHashMap<>();
        int calls;

        List<String> names() {
            return new ArrayList<>(started.keySet());
        }

        @Override
        public StartExecutionResponse startExecution(StartExecutionRequest request) {
            calls++;
            if (started.containsKey(request.name())) {
                throw ExecutionAlreadyExistsException.builder().message("Execution Already Exists").build();
            }
            started.put(request.name(), request);
            return StartExecutionResponse.builder().executionArn(SM.replace(":stateMachine:", ":execution:") + ":"
                    + request.name()).build();
        }

        @Override
        public StartExecutionResponse startExecution(Consumer<StartExecutionRequest.Builder> request) {
            return startExecution(StartExecutionRequest.builder().applyMutation(request).build());
        }

        @Override
        public String serviceName() {
            return "sfn";
        }

        @Override
        public void close() {}
    }
}
