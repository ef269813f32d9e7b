package io.batchline.offline.sfn;

import static io.batchline.offline.sfn.SfnTestClients.awaitClosed;
import static io.batchline.offline.sfn.SfnTestClients.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.offline.lambda.FunctionError;
import io.batchline.offline.lambda.LambdaHost;
import io.batchline.offline.teststack.OfflineStackOnly;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;
import software.amazon.awssdk.services.sfn.model.InvalidNameException;
import software.amazon.awssdk.services.sfn.model.ListExecutionsResponse;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;
import software.amazon.awssdk.services.sfn.model.StateMachineAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;

@OfflineStackOnly("tests the offline stack's own Step Functions service and its in-JVM fake functions")
class StepFunctionsEmulatorTest {
    private static LambdaHost lambda;
    private static final AtomicInteger flakyCalls = new AtomicInteger();

    @BeforeAll
    static void startLambda() {
        lambda = LambdaHost.start(0);
        lambda.registerLocalFunction("flaky", p -> {
            if (flakyCalls.incrementAndGet() == 1) throw new FunctionError("test.Flaky", "first call fails");
            return "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        });
        lambda.registerLocalFunction("loud", p -> {
            throw new FunctionError("test.Loud", "start " + "x".repeat(300_000) + " end");
        });
    }

    @AfterAll
    static void stopLambda() {
        lambda.close();
    }

    private static StepFunctionsConfig config() {
        return StepFunctionsConfig.of(SfnTestClients.NODE_MODULES, lambda.invokeEndpoint());
    }

    @Test
    void scalesSecondsPathWaitsAndRetryIntervals() {
        // an hour of Wait (SecondsPath) and an hour of retry back-off, compressed 3600x
        try (StepFunctionsEmulator emu = StepFunctionsEmulator.start(config().withTimeScales(1 / 3600.0, 1 / 3600.0));
             SfnClient sfn = SfnTestClients.sfn(emu.endpoint())) {
            String sm = emu.createStateMachine("wait-and-retry", resource("/sfn/wait-and-retry.asl.json"));
            String arn = sfn.startExecution(b -> b.stateMachineArn(sm).name("compressed").input("{\"wait_seconds\":3600}"))
                .executionArn();

            DescribeExecutionResponse d = awaitClosed(sfn, arn, Duration.ofSeconds(60));

            assertThat(d.status()).as("error %s cause %s", d.error(), d.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(d.output()).isEqualTo("{\"ok\":true}");
            List<HistoryEvent> events = sfn.getExecutionHistory(b -> b.executionArn(arn)).events();
            assertThat(events).extracting(HistoryEvent::type).containsSubsequence(
                HistoryEventType.EXECUTION_STARTED,
                HistoryEventType.WAIT_STATE_ENTERED, HistoryEventType.WAIT_STATE_EXITED,
                HistoryEventType.TASK_STATE_ENTERED,
                HistoryEventType.LAMBDA_FUNCTION_SCHEDULED, HistoryEventType.LAMBDA_FUNCTION_STARTED,
                HistoryEventType.LAMBDA_FUNCTION_FAILED,
                HistoryEventType.LAMBDA_FUNCTION_SCHEDULED, HistoryEventType.LAMBDA_FUNCTION_STARTED,
                HistoryEventType.LAMBDA_FUNCTION_SUCCEEDED,
                HistoryEventType.TASK_STATE_EXITED, HistoryEventType.EXECUTION_SUCCEEDED);
            HistoryEvent failed = events.stream().filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_FAILED).findFirst().orElseThrow();
            assertThat(failed.lambdaFunctionFailedEventDetails().error()).isEqualTo("test.Flaky");
            assertThat(failed.lambdaFunctionFailedEventDetails().cause())
                .isEqualTo("{\"errorType\":\"test.Flaky\",\"errorMessage\":\"first call fails\"}");
            HistoryEvent scheduled = events.stream().filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_SCHEDULED).findFirst().orElseThrow();
            assertThat(scheduled.lambdaFunctionScheduledEventDetails().resource())
                .isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:flaky");
            assertThat(scheduled.lambdaFunctionScheduledEventDetails().input()).isEqualTo("{\"wait_seconds\":3600}");
            for (int i = 0; i < events.size(); i++) assertThat(events.get(i).id()).isEqualTo(i + 1L);
        }
    }

    /** A long error cause reaches the execution whole, not "local executor exited with code 0" (the pipeline's
     * was 23 KB, lost when the reader lagged; 300 KB loses it every time without the flush). */
    @Test
    void aLongCauseIsKept() {
        try (StepFunctionsEmulator emu = StepFunctionsEmulator.start(config());
             SfnClient sfn = SfnTestClients.sfn(emu.endpoint())) {
            String sm = emu.createStateMachine("loud", """
                {"StartAt": "Loud", "States": {"Loud": {"Type": "Task",
                  "Resource": "arn:aws:lambda:us-east-1:000000000000:function:loud", "End": true}}}""");
            String arn = sfn.startExecution(b -> b.stateMachineArn(sm).name("loud-1").input("{}")).executionArn();

            DescribeExecutionResponse d = awaitClosed(sfn, arn, Duration.ofSeconds(60));

            assertThat(d.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(d.error()).isEqualTo("test.Loud");
            assertThat(d.cause()).contains("start xxx").contains("xxx end").hasSizeGreaterThan(23_000);
        }
    }

    /**
     * The executions of one emulator share one Node process: stopping one leaves the others running, and a process
     * that dies fails the executions it was running with its exit code while the next execution starts a new one.
     */
    @Test
    void executionsShareOneExecutorAndOnlyItsOwnDieWithIt() throws Exception {
        try (StepFunctionsEmulator emu = StepFunctionsEmulator.start(config());
             SfnClient sfn = SfnTestClients.sfn(emu.endpoint())) {
            String sm = emu.createStateMachine("hold", resource("/sfn/hold.asl.json"));
            String a = sfn.startExecution(b -> b.stateMachineArn(sm).name("a").input("{}")).executionArn();
            String b = sfn.startExecution(x -> x.stateMachineArn(sm).name("b").input("{}")).executionArn();
            awaitEvent(sfn, a, HistoryEventType.WAIT_STATE_ENTERED);
            awaitEvent(sfn, b, HistoryEventType.WAIT_STATE_ENTERED);
            assertThat(runners()).hasSize(1);

            sfn.stopExecution(x -> x.executionArn(a));
            assertThat(sfn.describeExecution(x -> x.executionArn(a)).status()).isEqualTo(ExecutionStatus.ABORTED);
            assertThat(sfn.describeExecution(x -> x.executionArn(b)).status()).isEqualTo(ExecutionStatus.RUNNING);

            ProcessHandle runner = runners().get(0);
            runner.destroyForcibly();
            DescribeExecutionResponse failed = awaitClosed(sfn, b, Duration.ofSeconds(20));
            assertThat(failed.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(failed.error()).isEqualTo("States.Runtime");
            assertThat(failed.cause()).startsWith("local executor exited with code");
            assertThat(sfn.describeExecution(x -> x.executionArn(a)).status()).isEqualTo(ExecutionStatus.ABORTED);

            String c = sfn.startExecution(x -> x.stateMachineArn(sm).name("c").input("{}")).executionArn();
            awaitEvent(sfn, c, HistoryEventType.WAIT_STATE_ENTERED);
            assertThat(runners()).hasSize(1).doesNotContain(runner);
        }
    }

    private static List<ProcessHandle> runners() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.isAlive() && p.info().commandLine().orElse("").contains("sfn-runner")).toList();
    }

    private static void awaitEvent(SfnClient sfn, String arn, HistoryEventType type) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (sfn.getExecutionHistory(x -> x.executionArn(arn)).events().stream().noneMatch(e -> e.type() == type)) {
            assertThat(System.nanoTime()).as("%s of %s within 20 s", type, arn).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void startExecutionIsIdempotentByNameAndInput() {
        try (StepFunctionsEmulator emu = StepFunctionsEmulator.start(config());
             SfnClient sfn = SfnTestClients.sfn(emu.endpoint())) {
            String sm = emu.createStateMachine("hold", resource("/sfn/hold.asl.json"));

            StartExecutionResponse first = sfn.startExecution(b -> b.stateMachineArn(sm).name("run-1").input("{\"a\":1}"));
            StartExecutionResponse again = sfn.startExecution(b -> b.stateMachineArn(sm).name("run-1").input("{\"a\":1}"));

            assertThat(again.executionArn()).isEqualTo(first.executionArn())
                .isEqualTo("arn:aws:states:us-east-1:000000000000:execution:hold:run-1");
            assertThat(again.startDate()).isEqualTo(first.startDate());
            assertThatThrownBy(() -> sfn.startExecution(b -> b.stateMachineArn(sm).name("run-1").input("{\"a\":2}")))
                .isInstanceOf(ExecutionAlreadyExistsException.class);
            assertThatThrownBy(() -> sfn.startExecution(b -> b.stateMachineArn(sm).name("bad name").input("{}")))
                .isInstanceOf(InvalidNameException.class);
            assertThatThrownBy(() -> sfn.startExecution(b -> b.stateMachineArn(StepFunctionsEmulator.stateMachineArn("nope")).input("{}")))
                .isInstanceOf(StateMachineDoesNotExistException.class);
            assertThatThrownBy(() -> sfn.describeExecution(b -> b.executionArn(first.executionArn() + "x")))
                .isInstanceOf(ExecutionDoesNotExistException.class);

            // stopped: ABORTED with the operator's error and cause; the name stays taken
            sfn.stopExecution(b -> b.executionArn(first.executionArn()).error("Operator").cause("not needed"));
            DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(first.executionArn()));
            assertThat(d.status()).isEqualTo(ExecutionStatus.ABORTED);
            assertThat(d.error()).isEqualTo("Operator");
            assertThat(d.cause()).isEqualTo("not needed");
            assertThat(d.stopDate()).isNotNull();
            assertThatThrownBy(() -> sfn.startExecution(b -> b.stateMachineArn(sm).name("run-1").input("{\"a\":1}")))
                .isInstanceOf(ExecutionAlreadyExistsException.class);
            List<HistoryEvent> events = sfn.getExecutionHistory(b -> b.executionArn(first.executionArn())).events();
            assertThat(events.get(events.size() - 1).type()).isEqualTo(HistoryEventType.EXECUTION_ABORTED);
            assertThat(events.get(events.size() - 1).executionAbortedEventDetails().cause()).isEqualTo("not needed");
        }
    }

    @Test
    void createStateMachineOnTheWireFollowsAws() {
        try (StepFunctionsEmulator emu = StepFunctionsEmulator.start(config());
             SfnClient sfn = SfnTestClients.sfn(emu.endpoint())) {
            String def = resource("/sfn/hold.asl.json");
            String arn = sfn.createStateMachine(b -> b.name("wire").definition(def).roleArn("arn:aws:iam::000000000000:role/x"))
                .stateMachineArn();
            assertThat(arn).isEqualTo("arn:aws:states:us-east-1:000000000000:stateMachine:wire");
            // same definition again: idempotent; a different one: StateMachineAlreadyExists
            assertThat(sfn.createStateMachine(b -> b.name("wire").definition(def).roleArn("arn:aws:iam::000000000000:role/x"))
                .stateMachineArn()).isEqualTo(arn);
            assertThatThrownBy(() -> sfn.createStateMachine(b -> b.name("wire").definition(def.replace("3600", "1"))
                .roleArn("arn:aws:iam::000000000000:role/x"))).isInstanceOf(StateMachineAlreadyExistsException.class);
            assertThat(sfn.describeStateMachine(b -> b.stateMachineArn(arn)).definition()).isEqualTo(def);
            assertThat(sfn.listStateMachines().stateMachines()).extracting(s -> s.name()).containsExactly("wire");
        }
    }

    @Test
    void executionsAndHistoriesSurviveARestart(@TempDir Path stateDir) {
        String runningArn;
        String stoppedArn;
        try (StepFunctionsEmulator emu = StepFunctionsEmulator.start(config().withStateDir(stateDir));
             SfnClient sfn = SfnTestClients.sfn(emu.endpoint())) {
            String sm = emu.createStateMachine("hold", resource("/sfn/hold.asl.json"));
            for (int i = 0; i < 5; i++) {
                int n = i;
                sfn.startExecution(b -> b.stateMachineArn(sm).name("e" + n).input("{}"));
            }
            stoppedArn = StepFunctionsEmulator.stateMachineArn("hold").replace(":stateMachine:", ":execution:") + ":e0";
            runningArn = stoppedArn.replace(":e0", ":e1");
            sfn.stopExecution(b -> b.executionArn(stoppedArn).cause("stopped before restart"));
            SfnTestClients.await("WaitStateEntered of e1", Duration.ofSeconds(30), () ->
                sfn.getExecutionHistory(b -> b.executionArn(runningArn)).events().stream()
                    .anyMatch(e -> e.type() == HistoryEventType.WAIT_STATE_ENTERED));
        }
        try (StepFunctionsEmulator emu = StepFunctionsEmulator.start(config().withStateDir(stateDir));
             SfnClient sfn = SfnTestClients.sfn(emu.endpoint())) {
            String sm = StepFunctionsEmulator.stateMachineArn("hold");
            DescribeExecutionResponse running = sfn.describeExecution(b -> b.executionArn(runningArn));
            assertThat(running.status()).isEqualTo(ExecutionStatus.ABORTED);
            assertThat(running.cause()).isEqualTo("local stack restarted");
            DescribeExecutionResponse stopped = sfn.describeExecution(b -> b.executionArn(stoppedArn));
            assertThat(stopped.cause()).isEqualTo("stopped before restart");

            List<HistoryEvent> events = sfn.getExecutionHistory(b -> b.executionArn(runningArn)).events();
            assertThat(events).extracting(HistoryEvent::type).containsExactly(HistoryEventType.EXECUTION_STARTED,
                HistoryEventType.WAIT_STATE_ENTERED, HistoryEventType.EXECUTION_ABORTED);
            GetExecutionHistoryResponse reversed = sfn.getExecutionHistory(b -> b.executionArn(runningArn).reverseOrder(true).maxResults(2));
            assertThat(reversed.events()).extracting(HistoryEvent::id).containsExactly(3L, 2L);
            assertThat(reversed.nextToken()).isNotNull();

            // paging: 5 executions, 2 a page, newest first
            ListExecutionsResponse p1 = sfn.listExecutions(b -> b.stateMachineArn(sm).maxResults(2));
            ListExecutionsResponse p2 = sfn.listExecutions(b -> b.stateMachineArn(sm).maxResults(2).nextToken(p1.nextToken()));
            ListExecutionsResponse p3 = sfn.listExecutions(b -> b.stateMachineArn(sm).maxResults(2).nextToken(p2.nextToken()));
            assertThat(p3.nextToken()).isNull();
            assertThat(List.of(p1, p2, p3)).flatExtracting(ListExecutionsResponse::executions).extracting(e -> e.name())
                .containsExactlyInAnyOrder("e0", "e1", "e2", "e3", "e4");
            assertThat(sfn.listExecutions(b -> b.stateMachineArn(sm).statusFilter(ExecutionStatus.RUNNING)).executions()).isEmpty();
            // a name used before the restart is still taken
            assertThatThrownBy(() -> sfn.startExecution(b -> b.stateMachineArn(sm).name("e2").input("{}")))
                .isInstanceOf(ExecutionAlreadyExistsException.class);
        }
    }
}
