package io.batchline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.budget.BudgetLedger.Reservation;
import io.batchline.cache.CachedAnswer;
import io.batchline.json.Json;
import io.batchline.pipeline.PipelineContext;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-memory ports without a contract class of their own: the rules their AWS adapters keep. */
class OtherInMemoryPortsTest {

    @Test
    void theResultCacheKeepsTheNewerEntryAndLooksUpAtMostAHundredHashes() {
        InMemoryResultCacheStore cache = new InMemoryResultCacheStore();
        CachedAnswer older = new CachedAnswer(Json.tree("{\"a\":1}".getBytes(StandardCharsets.UTF_8)), "r1", "a1-l1", 100);
        CachedAnswer newer = new CachedAnswer(Json.tree("{\"a\":2}".getBytes(StandardCharsets.UTF_8)), "r2", "a1-l1", 200);
        assertThat(cache.put("h", newer, 1000)).isTrue();
        assertThat(cache.put("h", older, 1000)).isFalse();
        assertThat(cache.put("h", newer, 2000)).isTrue(); // the same age refreshes
        assertThat(cache.getAll(List.of("h", "missing"))).containsOnlyKeys("h").containsEntry("h", newer);
        assertThat(cache.expiresAt("h")).isEqualTo(2000);
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i <= 100; i++) tooMany.add("h" + i);
        assertThatThrownBy(() -> cache.getAll(tooMany)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBudgetLedgerReservesOncePerTagWithinTheLimitAndSettlesOnce() {
        InMemoryBudgetLedger ledger = new InMemoryBudgetLedger();
        BigDecimal limit = new BigDecimal("10");
        assertThat(ledger.reserveInMonth("2026-12", "r1#1", new BigDecimal("6"), limit)).isEqualTo(Reservation.RESERVED);
        assertThat(ledger.reserveInMonth("2026-12", "r1#1", new BigDecimal("6"), limit))
                .isEqualTo(Reservation.ALREADY_RESERVED);
        assertThat(ledger.reserveInMonth("2026-12", "r2#1", new BigDecimal("5"), limit)).isEqualTo(Reservation.OVER_LIMIT);
        assertThat(ledger.reserveInMonth("2026-12", "r2#1", new BigDecimal("4"), limit)).isEqualTo(Reservation.RESERVED);
        assertThat(ledger.reserveInMonth("2026-12", "r3#1", new BigDecimal("11"), limit)).isEqualTo(Reservation.OVER_LIMIT);
        assertThat(ledger.month("2026-12").reservedUsd()).isEqualByComparingTo("10");

        assertThat(ledger.recordAttempt("r1", 1, "2026-12", new BigDecimal("5"), new BigDecimal("5"),
                new BigDecimal("6"), "r1#1")).isTrue();
        assertThat(ledger.recordAttempt("r1", 1, "2026-12", new BigDecimal("5"), new BigDecimal("5"),
                new BigDecimal("6"), "r1#1")).isFalse();
        assertThat(ledger.settleInMonth("2026-12", List.of("r1#1"), new BigDecimal("6"), new BigDecimal("2"))).isTrue();
        assertThat(ledger.settleInMonth("2026-12", List.of("r1#1"), new BigDecimal("6"), new BigDecimal("2"))).isFalse();
        assertThat(ledger.month("2026-12")).satisfies(m -> {
            assertThat(m.reservedUsd()).isEqualByComparingTo("4");
            assertThat(m.spentUsd()).isEqualByComparingTo("2");
            assertThat(m.settledRuns()).isEqualTo(1);
        });
        ledger.markHeld("r1");
        assertThat(ledger.run("r1").orElseThrow().held()).isTrue();
        ledger.markSettled("r1", new BigDecimal("2"));
        assertThat(ledger.run("r1")).get().satisfies(r -> {
            assertThat(r.held()).isFalse();
            assertThat(r.settledUsd()).isEqualByComparingTo("2");
            assertThat(r.attempts()).containsOnlyKeys(1);
            assertThat(r.tags()).containsExactly("r1#1");
        });
        assertThat(ledger.month("2027-01").reservedUsd()).isZero();
        assertThat(ledger.run("nope")).isEmpty();
    }

    @Test
    void usageAddsUpPerRunAndStage() {
        InMemoryUsageStore usage = new InMemoryUsageStore();
        usage.add("r1", "submit", Map.of("inv", 1L, "lambda_ms", 100L));
        usage.add("r1", "submit", Map.of("inv", 1L, "lambda_ms", 50L));
        usage.add("r1", "collect", Map.of("inv", 1L));
        assertThat(usage.load("r1")).containsOnlyKeys("collect", "submit");
        assertThat(usage.load("r1").get("submit")).containsEntry("inv", 2L).containsEntry("lambda_ms", 150L);
        assertThat(usage.load("r2")).isEmpty();
    }

    @Test
    void anExecutionNameStartsOnce() {
        InMemoryExecutionStarter starter = new InMemoryExecutionStarter();
        assertThat(starter.start("run-1", "{}")).isTrue();
        assertThat(starter.start("run-1", "{\"again\":true}")).isFalse();
        assertThat(starter.started()).containsExactly(Map.entry("run-1", "{}"));
    }

    @Test
    void thePipelineSharesOneStorePerBucketAndAClockThatStandsStill() {
        InMemoryPipeline p = new InMemoryPipeline();
        PipelineContext ctx = p.ctx();
        assertThat(ctx.store(InMemoryPipeline.BUCKET)).isSameAs(p.store());
        assertThat(ctx.store("other")).isSameAs(p.store("other")).isNotSameAs(p.store());
        assertThat(ctx.clock().instant()).isEqualTo(InMemoryPipeline.START).isEqualTo(ctx.clock().instant());
        assertThat(ctx.provider()).isSameAs(p.provider);
        assertThat(ctx.runs()).isSameAs(p.runs);
        assertThat(ctx.reviewQueue()).isNull();
        assertThat(ctx.reportPages().runReport(Json.tree("{\"x\":\"<b>\"}".getBytes(StandardCharsets.UTF_8))))
                .contains("&lt;b>");
        assertThatThrownBy(p::withReviewQueue).isInstanceOf(IllegalStateException.class);
        assertThat(new InMemoryPipeline().withReviewQueue().ctx().reviewQueue()).isNotNull();
    }
}
