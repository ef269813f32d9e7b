package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.json.Json;
import io.batchline.offline.sfn.SfnTestClients;
import io.batchline.offline.teststack.AwsEndpoint;
import io.batchline.offline.teststack.TestStack;
import io.batchline.pipeline.IntakeStage;
import io.batchline.pipeline.IntakeStage.Decision;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.aws.sfn.StepFunctionsExecutionStarter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.StateMachineType;

/**
 * The intake's "one run per file" on the test stack's Step Functions (the offline service or LocalStack's), through
 * the real SfnClient: executions are named after the run id, so a redelivered S3 event starts nothing new. The
 * state machine is a single Pass state: no Lambda is needed, so this runs on both stacks.
 */
class IntakeOnStepFunctionsTest {
    private static final String PASS_ONLY = "{\"StartAt\":\"Registered\",\"States\":{\"Registered\":"
            + "{\"Type\":\"Pass\",\"End\":true}}}";

    @Test
    void aRedeliveredEventForAFinishedRunStartsNoSecondExecution() throws Exception {
        try (AwsEndpoint stack = TestStack.stepFunctions(); SfnClient sfn = stack.sfnClient()) {
            String machine = sfn.createStateMachine(b -> b.name("intake-test-" + Long.toHexString(System.nanoTime()))
                    .definition(PASS_ONLY).type(StateMachineType.STANDARD)
                    // required by the API; neither stack assumes it here
                    .roleArn("arn:aws:iam::000000000000:role/batchline-test")).stateMachineArn();
            IntakeStage intake = new IntakeStage(new StepFunctionsExecutionStarter(sfn, machine));
            RunStart run = new RunStart("ticket-triage-0123456789ab", "batchline-test",
                    "inbox/ticket-triage/tickets.jsonl", "etag-1", "ticket-triage");

            // GIVEN a file whose run was started and has finished
            assertThat(intake.start(run)).isEqualTo(Decision.STARTED);
            String execution = executions(sfn, machine).get(0).executionArn();
            DescribeExecutionResponse done = SfnTestClients.awaitClosed(sfn, execution, Duration.ofSeconds(60));
            assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(Json.tree(done.output().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                    .isEqualTo(Json.tree(Json.string(run).getBytes(java.nio.charset.StandardCharsets.UTF_8)));

            // WHEN S3's event for it arrives again (at-least-once delivery)
            Decision again = intake.start(run);

            // THEN it is a duplicate, and the machine still has exactly one execution, named after the run
            assertThat(again).isEqualTo(Decision.DUPLICATE);
            assertThat(executions(sfn, machine)).extracting(ExecutionListItem::name).containsExactly(run.runId());

            // and another file is another run
            RunStart other = new RunStart("ticket-triage-ba9876543210", run.bucket(), "inbox/ticket-triage/more.jsonl",
                    "etag-2", run.job());
            assertThat(intake.start(other)).isEqualTo(Decision.STARTED);
            assertThat(executions(sfn, machine)).extracting(ExecutionListItem::name)
                    .containsExactlyInAnyOrder(run.runId(), other.runId());
        }
    }

    private static List<ExecutionListItem> executions(SfnClient sfn, String machine) {
        return sfn.listExecutions(b -> b.stateMachineArn(machine)).executions();
    }
}
