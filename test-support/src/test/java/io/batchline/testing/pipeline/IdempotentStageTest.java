package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.idempotency.IdempotencyInProgressException;
import io.batchline.idempotency.IdempotencyPayloadMismatchException;
import io.batchline.idempotency.IdempotentStage;
import io.batchline.idempotency.Invocation;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.provider.MessageBatch;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wrapping the submit, collect, format and finalize handlers put around their stage (idempotency records), with
 * the real SubmitStage on in-memory ports and the scripted provider: keyed by the state attempt the ASL passes.
 * The idempotency store's own conditions on DynamoDB are IdempotencyOnDynamoTest's (offline-stack module).
 */
class IdempotentStageTest {
    private static final String RUN = "idem-0123456789ab";
    private static final long FIFTEEN_MINUTES = 15 * 60_000L;
    private static final String BUCKET = InMemoryPipeline.BUCKET;
    private InMemoryPipeline p;
    private IdempotentStage idempotency;
    private SubmitStage submit;
    private final AtomicInteger stageCalls = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        p = new InMemoryPipeline();
        idempotency = IdempotentStage.on(p.idempotency, Clock.systemUTC());
        submit = new SubmitStage(p.ctxFor(StageNames.SUBMIT));
        // a run planned by the real stages: one shard of 3 requests
        String inputKey = RunKeys.INBOX + "quality-test/" + RUN + ".jsonl";
        p.store().put(RunKeys.jobSpec("quality-test"), TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                "application/yaml");
        p.store().put(inputKey, TicketTriage.tickets(3), "application/x-ndjson");
        new RegisterStage(p.ctxFor(StageNames.REGISTER)).register(new RunStart(RUN, BUCKET, inputKey, p.store().head(inputKey).orElseThrow().etag(), "quality-test"));
        new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(RUN, BUCKET, 1, null));
    }

    private static SubmitRequest attempt(int retryCount) {
        return new SubmitRequest(RUN, BUCKET, 1, new Invocation("arn:aws:states:local:execution:m:" + RUN,
                "Submit batches", "2026-11-25T10:00:00.000Z", retryCount));
    }

    private PollState handle(SubmitRequest request) {
        return idempotency.once("submit", request, () -> FIFTEEN_MINUTES, PollState.class, () -> {
            stageCalls.incrementAndGet();
            return submit.submit(request);
        });
    }

    private List<MessageBatch> batchesAtProvider() {
        return new ArrayList<>(p.provider.batches());
    }

    @Test
    void aSecondDeliveryOfTheSameAttemptGetsTheStoredResultWithoutRunningTheStage() {
        // GIVEN the state attempt "Submit batches", retry 0, answered once
        PollState first = handle(attempt(0));

        // WHEN the same attempt is delivered again
        PollState again = handle(attempt(0));

        // THEN it is answered from the record: the stage ran once, one batch exists
        assertThat(again).isEqualTo(first);
        assertThat(stageCalls).hasValue(1);
        assertThat(batchesAtProvider()).hasSize(1);
    }

    @Test
    void theSameAttemptWithAnotherPayloadIsRefused() {
        handle(attempt(0));
        Invocation same = attempt(0).invocation();

        assertThatThrownBy(() -> handle(new SubmitRequest(RUN, BUCKET, 2, same)))
                .isInstanceOf(IdempotencyPayloadMismatchException.class)
                .hasMessageContaining("was called before with a different payload");
        assertThat(stageCalls).hasValue(1);
    }

    @Test
    void aRetryAfterAKilledInvocationProceedsAtOnce() throws Exception {
        // GIVEN an invocation that claimed its attempt and then stopped answering (killed: it never completes
        // nor releases its claim, which stays INPROGRESS for its 15 minutes of remaining time)
        CountDownLatch claimed = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        CompletableFuture<PollState> killed = CompletableFuture.supplyAsync(() ->
                idempotency.once("submit", attempt(0), () -> FIFTEEN_MINUTES, PollState.class, () -> {
                    claimed.countDown();
                    try {
                        never.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("killed");
                }));
        assertThat(claimed.await(30, TimeUnit.SECONDS)).isTrue();

        // WHEN a late duplicate of that attempt arrives, THEN it is told the attempt is in progress
        assertThatThrownBy(() -> handle(attempt(0))).isInstanceOf(IdempotencyInProgressException.class);

        // WHEN Step Functions retries the state (Runtime.ExitError): retry count 1, a new attempt
        PollState retried = handle(attempt(1));

        // THEN it runs now, not after the claim's 15 minutes, and submits the shard once
        assertThat(stageCalls).hasValue(1);
        assertThat(retried.openBatches()).isEqualTo(1);
        assertThat(batchesAtProvider()).hasSize(1);
        never.countDown();
        assertThatThrownBy(killed::join).hasRootCauseMessage("killed");
    }

    @Test
    void withoutAnAttemptIdentityTheStageRunsEveryTime() {
        // a caller other than the state machine (a test, a tool) has no attempt to deduplicate
        handle(new SubmitRequest(RUN, BUCKET, 1));
        handle(new SubmitRequest(RUN, BUCKET, 1));

        assertThat(stageCalls).hasValue(2);
        assertThat(batchesAtProvider()).hasSize(1); // the stage's own shard records still keep it to one batch
    }
}
