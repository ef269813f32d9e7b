package io.batchline.offline.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.budget.BudgetExceededException;
import io.batchline.budget.BudgetGuard;
import io.batchline.aws.dynamodb.DynamoBudgetLedger;
import io.batchline.budget.MonthTotals;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.escalate.EscalationRound;
import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.offline.teststack.AwsEndpoint;
import io.batchline.offline.teststack.TestStack;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.store.FileObjectStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The budget guard against the test stack's DynamoDB (dynalite or LocalStack) through the real SDK: reservations
 * are single-item conditional writes, so runs reserving at the same time can never jointly take the month past
 * its limit.
 */
class BudgetGuardDynamoTest {
    private static final String TABLE = "batchline";
    private static final Path SAMPLE_JOB = Path.of("../samples/ticket-triage/job.yaml");
    private static AwsEndpoint dynamo;
    private static DynamoDbClient ddb;
    /** haiku 4.5 batch output is $2.50/MTok: 15,000 max output tokens = $0.0375, x4 rounds (3 attempts + repair) */
    private static final long OUTPUT_TOKENS = 15_000;
    private static final BigDecimal RUN_RESERVATION = new BigDecimal("0.15");

    @BeforeAll
    static void start() throws Exception {
        dynamo = TestStack.dynamo();
        ddb = dynamo.dynamoClient();
        TestStack.freshTable(ddb, TABLE);
    }

    @AfterAll
    static void stop() throws Exception {
        if (ddb != null) ddb.close();
        if (dynamo != null) dynamo.close();
    }

    /** Each test books into its own month, so tests do not share a month record. */
    private static BudgetGuard guard(String month, String limit) {
        Instant at = java.time.YearMonth.parse(month).atDay(10).atStartOfDay(ZoneOffset.UTC).toInstant();
        return new BudgetGuard(new DynamoBudgetLedger(ddb, TABLE), limit == null ? null : new BigDecimal(limit),
                Clock.fixed(at, ZoneOffset.UTC));
    }

    private static JobSpec job(String extraYaml) throws Exception {
        // the figures below are at Haiku 4.5's batch prices (0.5 in / 2.5 out per MTok), whatever model the sample uses
        return JobSpecLoader.load((Files.readString(SAMPLE_JOB).replaceFirst("(?m)^model: .*$",
                "model: claude-haiku-4-5-20251001") + "\n" + extraYaml).getBytes(StandardCharsets.UTF_8),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    private static Price price(JobSpec job) {
        return PriceTable.bundled().priceFor(job.model());
    }

    @Test
    void twoThreadsReservingAtOnceNeverTakeTheMonthPastItsLimit() throws Exception {
        BudgetGuard guard = guard("2031-01", "1.00");
        JobSpec job = job("");
        int perThread = 10;
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            int thread = t;
            Callable<Integer> worker = () -> {
                together.await();
                int won = 0;
                for (int i = 0; i < perThread; i++) {
                    try {
                        guard.reserve("run-t" + thread + "-" + i, 1, job, price(job), 100, 0, OUTPUT_TOKENS);
                        won++;
                    } catch (BudgetExceededException refused) {
                        assertThat(refused.getMessage()).contains("BATCHLINE_MONTHLY_BUDGET_USD=$1.00");
                    }
                }
                return won;
            };
            results.add(pool.submit(worker));
        }
        int won = 0;
        for (Future<Integer> f : results) won += f.get();
        pool.shutdown();

        MonthTotals month = guard.ledger().month("2031-01");
        // $0.15 each against $1.00: exactly six fit, whatever the interleaving
        assertThat(won).isEqualTo(6);
        assertThat(month.reservedUsd()).isEqualByComparingTo(RUN_RESERVATION.multiply(BigDecimal.valueOf(6)));
        assertThat(month.reservedUsd()).isLessThanOrEqualTo(new BigDecimal("1.00"));
    }

    /** A small job of its own (the sample's chunked long inputs do not combine with an escalation). */
    private static JobSpec smallJob(String extraYaml) {
        return JobSpecLoader.load(("""
                name: esc-budget
                model: claude-haiku-4-5-20251001
                max_tokens: 300
                system: Sort the ticket.
                user_template: "{{body}}"
                output_schema:
                  type: object
                  required: [team, confidence]
                  properties:
                    team: {type: string}
                    confidence: {type: number}
                """ + extraYaml).getBytes(StandardCharsets.UTF_8),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    @Test
    void anEscalationRoundIsReservedAtTheEscalationModelsPriceAndMaxTokens() throws Exception {
        BudgetGuard guard = guard("2031-07", null);
        JobSpec plain = smallJob("");
        JobSpec escalating = smallJob("escalation: {model: claude-opus-4-6, max_tokens: 800}\n");
        long requests = 100, input = 50_000, output = 100 * 300;
        BigDecimal plainReserved = guard.reserve("run-e0", 1, plain, price(plain), requests, input, output, 600, null)
                .orElseThrow().reservedUsd();
        Price opus = PriceTable.bundled().priceFor("claude-opus-4-6");
        BudgetGuard.Escalation escalation = new BudgetGuard.Escalation(
                EscalationRound.of(escalating, ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023), opus);
        BigDecimal reserved = guard.reserve("run-e1", 1, escalating, price(escalating), requests, input, output, 600,
                escalation).orElseThrow().reservedUsd();
        // 3 attempts + repair at Haiku as before, then every request once more at Opus 4.6 with max_tokens 800
        BigDecimal escalationRound = opus.worstCase(input, requests * 800, 660);
        assertThat(reserved).isEqualByComparingTo(plainReserved.add(escalationRound));
        assertThat(escalationRound).isGreaterThan(price(plain).worstCase(input, output, 660));
    }

    @Test
    void aJobBudgetBelowTheWorstCaseIsRefusedWithTheNumbersAndReservesNothing() throws Exception {
        BudgetGuard guard = guard("2031-02", null);
        JobSpec job = job("budget:\n  max_usd: 0.10\n");

        assertThatThrownBy(() -> guard.reserve("run-over", 1, job, price(job), 100, 0, OUTPUT_TOKENS))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessageStartingWith("BudgetExceeded: attempt 1 of run run-over: 100 requests")
                .hasMessageContaining("$0.0375 worst case")
                .hasMessageContaining("= $0.1500")
                .hasMessageContaining("above the job's budget.max_usd of $0.1000");
        assertThat(guard.ledger().run("run-over")).isEmpty();
        assertThat(guard.ledger().month("2031-02").reservedUsd()).isEqualByComparingTo("0");
    }

    @Test
    void aRepeatedReservationCountsOnceRetryRoundsFitTheReserveAndSettlementReplacesItBySpend() throws Exception {
        BudgetGuard guard = guard("2031-03", "5");
        JobSpec job = job("");
        guard.reserve("run-a", 1, job, price(job), 100, 0, OUTPUT_TOKENS);
        guard.reserve("run-a", 1, job, price(job), 100, 0, OUTPUT_TOKENS); // a Lambda retry of the format stage
        guard.reserve("run-a", 2, job, price(job), 10, 0, OUTPUT_TOKENS / 10); // a retry round of 10 requests

        assertThat(guard.ledger().month("2031-03").reservedUsd()).isEqualByComparingTo(RUN_RESERVATION);
        assertThat(guard.ledger().run("run-a").orElseThrow().attempts()).containsOnlyKeys(1, 2);

        guard.settle("run-a", new BigDecimal("0.0123"));
        guard.settle("run-a", new BigDecimal("0.0123")); // a Lambda retry of the finalizer

        MonthTotals month = guard.ledger().month("2031-03");
        assertThat(month.reservedUsd()).isEqualByComparingTo("0");
        assertThat(month.spentUsd()).isEqualByComparingTo("0.0123");
        assertThat(month.settledRuns()).isEqualTo(1);
    }

    @Test
    void aFailedRunThatNeverSubmittedGivesItsWholeReservationBack(@TempDir Path dir) throws Exception {
        BudgetGuard guard = guard("2031-04", "5");
        JobSpec job = job("");
        guard.reserve("run-f", 1, job, price(job), 100, 0, OUTPUT_TOKENS);
        assertThat(guard.ledger().month("2031-04").reservedUsd()).isEqualByComparingTo(RUN_RESERVATION);

        guard.releaseOnFailure("run-f", new DynamoRunStore(ddb, TABLE), new FileObjectStore(dir));

        assertThat(guard.ledger().month("2031-04").reservedUsd()).isEqualByComparingTo("0");
        assertThat(guard.ledger().run("run-f").orElseThrow().settledUsd()).isEqualByComparingTo("0");
    }
}
