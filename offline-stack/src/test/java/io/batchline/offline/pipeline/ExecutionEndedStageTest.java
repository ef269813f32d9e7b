package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.budget.BudgetGuard;
import io.batchline.aws.dynamodb.DynamoBudgetLedger;
import io.batchline.budget.RunBudget;
import io.batchline.cost.PriceTable;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.MarkFailedStage;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.Formatted;
import io.batchline.pipeline.StagePayloads.RunFailure;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.report.html.HtmlReportPages;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.RunRecord.RunStatus;
import io.batchline.testing.TicketTriage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the EventBridge rule's "execution-ended" function does (MarkFailedStage.recordExecutionEnd) on the
 * real DynamoDB and S3 emulators: an execution stopped, timed out or failed without recording the run's end marks
 * the run FAILED, keeps the reservation held while batches are open (else releases it), a repeated event changes
 * nothing, and an event of an execution that is not the run's latest (a resume replaced it) changes nothing.
 */
class ExecutionEndedStageTest {
    private static final String BUCKET = StageFixture.BUCKET;
    private static StageFixture f;
    private static PipelineContext ctx;
    private static DynamoBudgetLedger ledger;

    @BeforeAll
    static void start() throws Exception {
        f = new StageFixture(s -> s);
        ledger = new DynamoBudgetLedger(f.dynamoClient, StageFixture.TABLE);
        ctx = new PipelineContext(bucket -> f.store, f.runs, f.provider, PriceTable.bundled(),
                new PipelineConfig(StageFixture.TABLE, null, 1, 5), Clock.systemUTC(),
                new BudgetGuard(ledger, new BigDecimal("1000"), Clock.systemUTC()));
        ctx.reportPages(new HtmlReportPages());
    }

    @AfterAll
    static void stop() throws Exception {
        if (f != null) f.close();
    }

    private static RunStart started(String runId) throws Exception {
        String inputKey = RunKeys.INBOX + "quality-test/" + runId + ".jsonl";
        f.store.put(RunKeys.jobSpec("quality-test"), TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                "application/yaml");
        f.store.put(inputKey, TicketTriage.tickets(5), "application/x-ndjson");
        RunStart start = new RunStart(runId, BUCKET, inputKey, f.store.head(inputKey).orElseThrow().etag(),
                "quality-test");
        new RegisterStage(ctx).register(start);
        Formatted plan = new FormatStage(ctx).format(new FormatRequest(runId, BUCKET, 1, null));
        assertThat(plan.shards()).isPositive();
        return start;
    }

    private static void submitted(String runId) {
        new SubmitStage(ctx).submit(new SubmitRequest(runId, BUCKET, 1));
    }

    private static RunRecord record(String runId) {
        return f.runs.run(runId).orElseThrow();
    }

    private static RunBudget budget(String runId) {
        return ledger.run(runId).orElseThrow();
    }

    @Test
    void aStoppedRunWithOpenBatchesIsFailedAndKeepsItsReservationAndARepeatChangesNothing() throws Exception {
        String runId = "ended-open-0001";
        started(runId);
        submitted(runId);
        MarkFailedStage stage = new MarkFailedStage(ctx);

        RunFailure failure = stage.recordExecutionEnd(runId, BUCKET, runId, "ABORTED", null, null);

        assertThat(failure).isNotNull();
        RunRecord run = record(runId);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("ExecutionAborted");
        assertThat(run.cause()).contains("execution " + runId + " ended as ABORTED")
                .contains("still open at the provider").contains("batchline resume " + runId);
        assertThat(run.finishedAt()).isNotNull();
        assertThat(budget(runId).held()).isTrue();
        assertThat(budget(runId).settled()).isFalse();

        // the same event again (EventBridge delivers at least once), and the FAILED event of the same execution
        assertThat(stage.recordExecutionEnd(runId, BUCKET, runId, "ABORTED", null, null)).isNull();
        assertThat(stage.recordExecutionEnd(runId, BUCKET, runId, "FAILED", "States.Runtime", "x")).isNull();
        assertThat(record(runId)).isEqualTo(run);
    }

    @Test
    void aTimedOutRunWithoutBatchesIsFailedAndItsReservationReleased() throws Exception {
        String runId = "ended-none-0002";
        started(runId);
        assertThat(budget(runId).settled()).isFalse();

        RunFailure failure = new MarkFailedStage(ctx).recordExecutionEnd(runId, BUCKET, runId, "TIMED_OUT", null,
                null);

        assertThat(failure.error()).isEqualTo("ExecutionTimedOut");
        assertThat(record(runId).status()).isEqualTo(RunStatus.FAILED);
        assertThat(record(runId).cause()).contains("ended as TIMED_OUT").doesNotContain("kept:");
        assertThat(budget(runId).settled()).isTrue();
        assertThat(budget(runId).settledUsd()).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void aFailedExecutionsErrorAndCauseAreRecorded() throws Exception {
        String runId = "ended-fail-0003";
        started(runId);

        new MarkFailedStage(ctx).recordExecutionEnd(runId, BUCKET, runId, "FAILED", "States.Runtime",
                "An error occurred while executing the state 'Check batches'");

        assertThat(record(runId).error()).isEqualTo("ExecutionFailed");
        assertThat(record(runId).cause()).contains("States.Runtime: An error occurred while executing the state");
    }

    @Test
    void aLateEventOfAnExecutionAResumeReplacedDoesNotFailTheResumedRun() throws Exception {
        String runId = "ended-late-0004";
        RunStart start = started(runId);
        submitted(runId);
        MarkFailedStage stage = new MarkFailedStage(ctx);
        assertThat(stage.recordExecutionEnd(runId, BUCKET, runId, "ABORTED", null, null)).isNotNull();

        // `batchline resume` starts <run>-resume-1; its "Resume run" reopens the record and names itself on it
        String resume1 = runId + "-resume-1";
        new RegisterStage(ctx).resume(new RunStart(runId, BUCKET, start.key(), start.etag(), start.job(), true,
                resume1));
        assertThat(record(runId).status()).isEqualTo(RunStatus.RUNNING);
        assertThat(f.runs.latestExecution(runId)).contains(resume1);
        RunBudget held = budget(runId);

        // the first execution's events arrive late (a retry of the ABORTED one, or a FAILED one)
        assertThat(stage.recordExecutionEnd(runId, BUCKET, runId, "ABORTED", null, null)).isNull();
        assertThat(stage.recordExecutionEnd(runId, BUCKET, runId, "FAILED", "States.Runtime", "late")).isNull();
        assertThat(record(runId).status()).isEqualTo(RunStatus.RUNNING);
        assertThat(record(runId).error()).isNull();
        assertThat(budget(runId)).isEqualTo(held);
        // and the conditional write itself refuses the old execution (a resume that starts after the read wins)
        assertThat(f.runs.finishRunOfExecution(runId, runId, RunStatus.FAILED, java.time.Instant.now(), "E", "c"))
                .isFalse();
        assertThat(record(runId).status()).isEqualTo(RunStatus.RUNNING);

        // the resumed execution's own end is recorded
        RunFailure failure = stage.recordExecutionEnd(runId, BUCKET, resume1, "ABORTED", null, null);
        assertThat(failure).isNotNull();
        assertThat(record(runId).status()).isEqualTo(RunStatus.FAILED);
        assertThat(record(runId).cause()).contains("execution " + resume1 + " ended as ABORTED");
    }

    @Test
    void aRunResumedWhileStillRecordedRunningIgnoresItsOldExecution() throws Exception {
        String runId = "ended-race-0005";
        RunStart start = started(runId);
        // the first execution was stopped, the rule's event is late: the resume reopens a RUNNING record
        String resume1 = runId + "-resume-1";
        new RegisterStage(ctx).resume(new RunStart(runId, BUCKET, start.key(), start.etag(), start.job(), true,
                resume1));

        assertThat(new MarkFailedStage(ctx).recordExecutionEnd(runId, BUCKET, runId, "ABORTED", null, null)).isNull();
        assertThat(record(runId).status()).isEqualTo(RunStatus.RUNNING);
        // and an unrelated name (another run's resume) is not the latest either
        assertThat(new MarkFailedStage(ctx).recordExecutionEnd(runId, BUCKET, runId + "-resume-9", "ABORTED", null,
                null)).isNull();
        assertThat(record(runId).status()).isEqualTo(RunStatus.RUNNING);
    }

    @Test
    void noRunNoRecord() {
        assertThat(new MarkFailedStage(ctx).recordExecutionEnd("ended-none-9999", BUCKET, "ended-none-9999",
                "ABORTED", null, null)).isNull();
    }
}
