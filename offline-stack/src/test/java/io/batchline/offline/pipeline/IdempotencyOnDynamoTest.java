package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.aws.dynamodb.DynamoIdempotencyStore;
import io.batchline.idempotency.Idempotency;
import io.batchline.idempotency.IdempotencyInProgressException;
import io.batchline.idempotency.IdempotencyPayloadMismatchException;
import io.batchline.idempotency.IdempotencyRecord;
import io.batchline.pipeline.StagePayloads.Collected;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The idempotency records' behaviour on a real DynamoDB (dynalite): GIVEN / WHEN / THEN. */
class IdempotencyOnDynamoTest {
    private StageFixture f;
    private final AtomicInteger calls = new AtomicInteger();
    private final CollectRequest payload = new CollectRequest("run-1", "b", 1, 3);

    @BeforeEach
    void start() throws Exception {
        f = new StageFixture(b -> b);
    }

    @AfterEach
    void stop() throws Exception {
        f.close();
    }

    private Idempotency at(Instant now) {
        return new Idempotency(new DynamoIdempotencyStore(f.dynamoClient, StageFixture.TABLE),
                Clock.fixed(now, ZoneOffset.UTC), Duration.ofDays(7));
    }

    private Collected collect() {
        calls.incrementAndGet();
        return new Collected(3, 10, 2, 1, 0, 0);
    }

    @Test
    void aRepeatOfACompletedCallReturnsTheStoredResultWithoutRunningAgain() {
        // GIVEN a completed call
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        Collected first = at(now).once("run-1", "collect#a1#0003", payload, Duration.ofMinutes(15), Collected.class,
                this::collect);

        // WHEN the same call comes again (a Lambda retry of a task that already succeeded)
        Collected again = at(now.plusSeconds(60)).once("run-1", "collect#a1#0003", payload, Duration.ofMinutes(15),
                Collected.class, this::collect);

        // THEN
        assertThat(again).isEqualTo(first);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aCallStillRunningBlocksTheRepeatUntilItsInvocationRunsOutOfTime() {
        // GIVEN an invocation that claimed the key with 2 minutes left and was killed (never completes nor releases)
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        DynamoIdempotencyStore store = new DynamoIdempotencyStore(f.dynamoClient, StageFixture.TABLE);
        assertThat(store.claim(new IdempotencyRecord("run-1", "k", IdempotencyRecord.Status.INPROGRESS,
                now.plus(Duration.ofDays(7)).getEpochSecond(), now.plus(Duration.ofMinutes(2)).toEpochMilli(),
                Idempotency.payloadHash(payload), null), now.getEpochSecond(), now.toEpochMilli())).isTrue();

        // WHEN a repeat comes while that invocation could still be running, THEN it is refused as in progress
        assertThatThrownBy(() -> at(now.plusSeconds(30)).once("run-1", "k", payload, Duration.ofMinutes(2),
                Collected.class, this::collect)).isInstanceOf(IdempotencyInProgressException.class);
        assertThat(calls).hasValue(0);

        // WHEN the retry comes after the holder's remaining time is over, THEN it runs
        Collected result = at(now.plus(Duration.ofMinutes(3))).once("run-1", "k", payload, Duration.ofMinutes(2),
                Collected.class, this::collect);
        assertThat(result.accepted()).isEqualTo(10);
        assertThat(calls).hasValue(1);
    }

    @Test
    void aFailedCallReleasesItsKeySoTheRetryRuns() {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        assertThatThrownBy(() -> at(now).once("run-1", "k", payload, Duration.ofMinutes(2), Collected.class, () -> {
            throw new IllegalStateException("S3 went away");
        })).hasMessage("S3 went away");

        Collected result = at(now.plusSeconds(1)).once("run-1", "k", payload, Duration.ofMinutes(2), Collected.class,
                this::collect);

        assertThat(result).isNotNull();
        assertThat(calls).hasValue(1);
    }

    @Test
    void theSameKeyWithAnotherPayloadIsRefused() {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        at(now).once("run-1", "k", payload, Duration.ofMinutes(2), Collected.class, this::collect);

        assertThatThrownBy(() -> at(now).once("run-1", "k", new CollectRequest("run-1", "b", 1, 4),
                Duration.ofMinutes(2), Collected.class, this::collect))
                .isInstanceOf(IdempotencyPayloadMismatchException.class)
                .hasMessageStartingWith("IdempotencyPayloadMismatch:");
    }

    @Test
    void aCompletedRecordPastItsExpiryRunsAgain() {
        Instant now = Instant.parse("2026-11-25T10:00:00Z");
        at(now).once("run-1", "k", payload, Duration.ofMinutes(2), Collected.class, this::collect);

        at(now.plus(Duration.ofDays(8))).once("run-1", "k", payload, Duration.ofMinutes(2), Collected.class, this::collect);

        assertThat(calls).hasValue(2);
    }
}
