package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.budget.RunBudget;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.offline.sim.WaitDrivenClock;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.ShardRecord;
import io.batchline.testing.TicketTriage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * Hostile operations, each on a real offline stack with the real ASL (the stages in this JVM): an outage of
 * hours, a stack killed after its batches were created and then resumed, and a stopped execution (the storm on the
 * whole sample is {@link ProviderStormTest}). Each asserts one outcome per input line, no custom_id sent in two batches, and the
 * budget reservation settled.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
class HostileOperationsTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    private record Cli(int code, String out, String err) {}

    private static Cli cli(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = io.batchline.offline.Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String job(String name, int shardRequests) {
        return TicketTriage.job("").replace("name: quality-test", "name: " + name)
                .replace("max_requests: 60", "max_requests: " + shardRequests);
    }

    /**
     * A provider-wide incident of three hours that begins right after the first batch is created: every call
     * (creates, checks, result downloads) is answered 429 with a 10-minute retry-after. Before the put-offs, five
     * failed checks in a row (about 2.5 min) failed the paid run. On a wait-driven clock the state machine's waits
     * pass in milliseconds while the simulated provider lives through them, so the hours cost seconds here.
     */
    @Test
    void aThreeHourOutageAfterTheFirstBatchIsWaitedOut() throws Exception {
        WaitDrivenClock clock = new WaitDrivenClock();
        Duration outage = Duration.ofHours(3);
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, null))
                .withSimulator(b -> b.processingTime(Duration.ofMinutes(20)).clock(clock).seed(11).outage(outage))
                .withFunctionEnv(Map.of("BATCHLINE_POLL_MIN_SECONDS", "30", "BATCHLINE_POLL_MAX_SECONDS", "1800")))) {
            HostileRunChecks env = new HostileRunChecks(stack);
            env.bucket.put(RunKeys.jobSpec("outage"), job("outage", 10).getBytes(StandardCharsets.UTF_8),
                    "application/yaml");
            Instant started = Instant.now();
            String runId = InboxRuns.drop(stack, env.bucket, "inbox/outage/tickets.jsonl", TicketTriage.tickets(40));
            DescribeExecutionResponse end = InboxRuns.awaitEnd(stack, env.sfn, runId, Duration.ofMinutes(4));

            assertThat(end.status()).as("%s: %s", end.error(), end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(clock.skipped()).as("the provider lived through the outage").isGreaterThanOrEqualTo(outage);
            HostileRunChecks.PutOffs putOffs = env.putOffs(end.executionArn());
            System.out.printf("outage of %s: %d calls put off, longest streak %d, %s waited in the state machine,"
                    + " run took %s%n", outage, putOffs.count(), putOffs.longestStreak(), clock.skipped(),
                    Duration.between(end.startDate(), end.stopDate()));
            // 10-minute retry-afters over 3 hours: far more failures in a row than the old 5 retries of a state
            assertThat(putOffs.longestStreak()).isGreaterThanOrEqualTo(15);
            env.oneOutcomePerLine(runId, 40);
            assertThat(InboxRuns.outcomeLines(env.bucket, runId, OutcomeKind.FAILED)).as("nothing failed").isEmpty();
            env.assertEveryBatchIsAShardsBatch(runId, started);
            env.assertNoCustomIdInTwoBatches(started);
            env.assertReservationSettled(runId);
        }
    }

    /**
     * The stack dies after the run's batches were created (the execution is ABORTED on restart, the run record stays
     * RUNNING); `local resume` records the end, then finishes the run from its records: no shard gets a second batch.
     */
    @Test
    void aStackKilledAfterItsBatchesWereCreatedIsResumedWithoutASecondBatch(@TempDir Path state) throws Exception {
        String runId;
        Map<Integer, String> batchBefore = new HashMap<>();
        Instant started = Instant.now();
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, state))
                .withSimulator(b -> b.processingTime(Duration.ofSeconds(25)).seed(3)))) {
            HostileRunChecks env = new HostileRunChecks(stack);
            env.bucket.put(RunKeys.jobSpec("killed"), job("killed", 10).getBytes(StandardCharsets.UTF_8),
                    "application/yaml");
            runId = InboxRuns.drop(stack, env.bucket, "inbox/killed/tickets.jsonl", TicketTriage.tickets(40));
            for (ShardRecord s : env.awaitSubmitted(runId)) batchBefore.put(s.shard(), s.batchId());
        } // the stack is killed with the batches in progress at the provider
        assertThat(batchBefore).hasSize(4);

        // restarted, the provider has finished those batches meanwhile (they take 1 s on this simulator)
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, state))
                .withSimulator(b -> b.seed(3)))) {
            StackHandle.StackFile.write(state, stack.endpoints());
            HostileRunChecks env = new HostileRunChecks(stack);
            assertThat(env.runs.run(runId).orElseThrow().status()).isEqualTo(RunRecord.RunStatus.RUNNING);

            Cli resumed = cli("local", "resume", runId, "--state", state.toString(), "--timeout", "3");

            assertThat(resumed.code()).as("%s%s", resumed.out(), resumed.err()).isZero();
            assertThat(resumed.out()).contains("recorded its end (ExecutionAborted").contains("succeeded");
            assertThat(env.runs.run(runId).orElseThrow().status()).isEqualTo(RunRecord.RunStatus.SUCCEEDED);
            for (ShardRecord s : env.runs.shards(runId, 1)) {
                assertThat(s.batchId()).as("shard %d kept its batch", s.shard()).isEqualTo(batchBefore.get(s.shard()));
            }
            env.oneOutcomePerLine(runId, 40);
            env.assertEveryBatchIsAShardsBatch(runId, started);
            env.assertNoCustomIdInTwoBatches(started);
            env.assertReservationSettled(runId);

            Cli again = cli("local", "resume", runId, "--state", state.toString());
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.err()).contains("already ended as SUCCEEDED");
        }
    }

    /**
     * An execution stopped in the console: `local cancel` says the run ended (exit 1) and records it FAILED with its
     * reservation held; `local resume` finishes it and settles the reservation.
     */
    @Test
    void aStoppedExecutionIsRecordedAndResumed(@TempDir Path state) throws Exception {
        Instant started = Instant.now();
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, state))
                .withSimulator(b -> b.processingTime(Duration.ofSeconds(5)).seed(5)))) {
            StackHandle.StackFile.write(state, stack.endpoints());
            HostileRunChecks env = new HostileRunChecks(stack);
            env.bucket.put(RunKeys.jobSpec("stopped"), job("stopped", 10).getBytes(StandardCharsets.UTF_8),
                    "application/yaml");
            String runId = InboxRuns.drop(stack, env.bucket, "inbox/stopped/tickets.jsonl", TicketTriage.tickets(30));
            env.awaitSubmitted(runId);
            env.sfn.stopExecution(b -> b.executionArn(stack.endpoints().executionArn(runId)).error("Operator")
                    .cause("stopped in the console"));

            Cli cancel = cli("local", "cancel", runId, "--state", state.toString());

            assertThat(cancel.code()).as(cancel.out()).isEqualTo(1);
            assertThat(cancel.err()).contains("already ended").contains("ExecutionAborted").contains("local resume " + runId);
            RunRecord failed = env.runs.run(runId).orElseThrow();
            assertThat(failed.status()).isEqualTo(RunRecord.RunStatus.FAILED);
            assertThat(failed.error()).isEqualTo("ExecutionAborted");
            RunBudget held = env.ledger.run(runId).orElseThrow();
            assertThat(held.settled()).as("reservation kept while batches are open").isFalse();
            assertThat(held.held()).isTrue();

            Cli resumed = cli("local", "resume", runId, "--state", state.toString(), "--timeout", "3");

            assertThat(resumed.code()).as("%s%s", resumed.out(), resumed.err()).isZero();
            assertThat(env.runs.run(runId).orElseThrow().status()).isEqualTo(RunRecord.RunStatus.SUCCEEDED);
            env.oneOutcomePerLine(runId, 30);
            env.assertEveryBatchIsAShardsBatch(runId, started);
            env.assertNoCustomIdInTwoBatches(started);
            env.assertReservationSettled(runId);

            // the run is one row of `local status`, in its latest execution's state
            Cli status = cli("local", "status", "--state", state.toString());
            assertThat(status.out()).as(status.out()).containsOnlyOnce(runId)
                    .containsPattern(java.util.regex.Pattern.quote(runId) + " +SUCCEEDED .*\\(resumed 1x\\)");
            Cli detail = cli("local", "status", runId, "--state", state.toString());
            assertThat(detail.out()).contains("state      SUCCEEDED")
                    .contains("execution  " + runId + " ABORTED")
                    .contains("execution  " + runId + "-resume-1 SUCCEEDED (latest)");
        }
    }
}
