package io.batchline.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.idempotency.IdempotencyRecord;
import io.batchline.idempotency.IdempotencyRecord.Status;
import io.batchline.idempotency.IdempotencyStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link IdempotencyStore} promises; a subclass names the store under test. */
abstract class IdempotencyStoreContract {
    private static final long NOW_S = 1_800_000_000L;
    private static final long NOW_MS = NOW_S * 1000;
    protected IdempotencyStore store;

    protected abstract IdempotencyStore newStore();

    @BeforeEach
    void fresh() {
        store = newStore();
    }

    private static IdempotencyRecord claimOf(String key, long expiresAt, long inProgressUntilMs, String hash) {
        return new IdempotencyRecord("run-1", key, Status.INPROGRESS, expiresAt, inProgressUntilMs, hash, null);
    }

    @Test
    void theFirstClaimWinsAndTheSecondIsRefusedWhileItRuns() {
        assertThat(store.claim(claimOf("submit#0", NOW_S + 3600, NOW_MS + 60_000, "h1"), NOW_S, NOW_MS)).isTrue();
        assertThat(store.claim(claimOf("submit#0", NOW_S + 3600, NOW_MS + 60_000, "h1"), NOW_S, NOW_MS)).isFalse();
        assertThat(store.get("run-1", "submit#0")).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(Status.INPROGRESS);
            assertThat(r.payloadHash()).isEqualTo("h1");
            assertThat(r.result()).isNull();
            assertThat(r.expiresAt()).isEqualTo(NOW_S + 3600);
            assertThat(r.inProgressExpiresAtMillis()).isEqualTo(NOW_MS + 60_000);
        });
    }

    @Test
    void keysAreSeparatePerRunAndKey() {
        assertThat(store.claim(claimOf("submit#0", NOW_S + 3600, NOW_MS + 60_000, "h"), NOW_S, NOW_MS)).isTrue();
        assertThat(store.claim(claimOf("submit#1", NOW_S + 3600, NOW_MS + 60_000, "h"), NOW_S, NOW_MS)).isTrue();
        assertThat(store.claim(new IdempotencyRecord("run-2", "submit#0", Status.INPROGRESS, NOW_S + 3600,
                NOW_MS + 60_000, "h", null), NOW_S, NOW_MS)).isTrue();
        assertThat(store.get("run-3", "submit#0")).isEmpty();
    }

    @Test
    void aCompletedRecordIsNotClaimedAgainUntilItExpires() {
        store.claim(claimOf("k", NOW_S + 3600, NOW_MS + 60_000, "h"), NOW_S, NOW_MS);
        store.complete(new IdempotencyRecord("run-1", "k", Status.COMPLETED, NOW_S + 7200, 0, "h", "{\"ok\":true}"));
        assertThat(store.get("run-1", "k")).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(Status.COMPLETED);
            assertThat(r.result()).isEqualTo("{\"ok\":true}");
            assertThat(r.expiresAt()).isEqualTo(NOW_S + 7200);
            assertThat(r.payloadHash()).isEqualTo("h");
        });
        // long after the in-progress window: a completed record still holds the key
        assertThat(store.claim(claimOf("k", NOW_S + 9000, NOW_MS + 9_000_000, "h"), NOW_S + 600, NOW_MS + 600_000))
                .isFalse();
        // once it has expired, a new call takes it (and the record is a fresh claim without the old result)
        assertThat(store.claim(claimOf("k", NOW_S + 9000, NOW_MS + 9_000_000, "h2"), NOW_S + 7201, NOW_MS + 7_201_000))
                .isTrue();
        assertThat(store.get("run-1", "k")).get().satisfies(r -> {
            assertThat(r.status()).isEqualTo(Status.INPROGRESS);
            assertThat(r.result()).isNull();
            assertThat(r.payloadHash()).isEqualTo("h2");
        });
    }

    @Test
    void anInProgressClaimWhoseCallRanOutOfTimeIsTakenOver() {
        store.claim(claimOf("k", NOW_S + 3600, NOW_MS + 1000, "h"), NOW_S, NOW_MS);
        // at its deadline exactly it still holds (strictly less than now)
        assertThat(store.claim(claimOf("k", NOW_S + 3600, NOW_MS + 5000, "h"), NOW_S + 1, NOW_MS + 1000)).isFalse();
        assertThat(store.claim(claimOf("k", NOW_S + 3600, NOW_MS + 5000, "h"), NOW_S + 1, NOW_MS + 1001)).isTrue();
    }

    @Test
    void aReleasedClaimCanBeClaimedAgainAndReleasingNothingIsFine() {
        store.claim(claimOf("k", NOW_S + 3600, NOW_MS + 60_000, "h"), NOW_S, NOW_MS);
        store.release("run-1", "k");
        assertThat(store.get("run-1", "k")).isEmpty();
        assertThat(store.claim(claimOf("k", NOW_S + 3600, NOW_MS + 60_000, "h"), NOW_S, NOW_MS)).isTrue();
        store.release("run-1", "never-claimed");
    }
}
