package io.batchline.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.aws.dynamodb.DynamoBudgetLedger;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * A job without {@code budget.max_usd} gets the deployment's per-run default
 * ({@value BudgetGuard#DEFAULT_RUN_BUDGET_ENV}); a job's own budget wins over it. The ledger runs on a recording
 * stand-in for DynamoDB (an empty table that accepts every write), so the test sees whether anything was reserved.
 */
class BudgetGuardDefaultRunBudgetTest {
    private static final Path SAMPLE_JOB = Path.of("../samples/ticket-triage/job.yaml");
    /** A million max output tokens: dollars at any model's batch price, far below $1,000 */
    private static final long OUTPUT_TOKENS = 1_000_000;
    private final List<String> calls = new ArrayList<>();

    private DynamoDbClient recordingEmptyTable() {
        return (DynamoDbClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DynamoDbClient.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    return switch (method.getName()) {
                        case "getItem" -> GetItemResponse.builder().build();
                        case "updateItem" -> UpdateItemResponse.builder().build();
                        case "serviceName" -> "dynamodb";
                        case "close" -> null;
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }

    private BudgetGuard guard(String defaultRunLimit) {
        Clock clock = Clock.fixed(Instant.parse("2031-03-10T00:00:00Z"), ZoneOffset.UTC);
        return new BudgetGuard(new DynamoBudgetLedger(recordingEmptyTable(), "batchline"), null,
                defaultRunLimit == null ? null : new BigDecimal(defaultRunLimit), clock);
    }

    private static JobSpec job(String extraYaml) throws Exception {
        return JobSpecLoader.load((Files.readString(SAMPLE_JOB) + "\n" + extraYaml).getBytes(StandardCharsets.UTF_8),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    private static Price price(JobSpec job) {
        return PriceTable.bundled().priceFor(job.model());
    }

    @Test
    void theSampleJobHasNoBudgetOfItsOwn() throws Exception {
        assertThat(job("").budget()).isNull();
    }

    @Test
    void aJobWithoutBudgetIsHeldToTheDeploymentsPerRunDefaultAndReservesNothing() throws Exception {
        JobSpec job = job("");
        BudgetGuard guard = guard("0.10");
        assertThat(guard.runLimit(job)).isEqualByComparingTo("0.10");
        assertThatThrownBy(() -> guard.reserve("r-default", 1, job, price(job), 10, 0, OUTPUT_TOKENS))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessageContaining("above the deployment's per-run default of $0.1000")
                .hasMessageContaining(BudgetGuard.DEFAULT_RUN_BUDGET_ENV)
                .hasMessageContaining("the job sets no budget.max_usd")
                .hasMessageContaining("nothing was submitted");
        assertThat(calls).doesNotContain("updateItem");
    }

    @Test
    void aJobWithoutBudgetWithinTheDefaultIsReserved() throws Exception {
        JobSpec job = job("");
        guard("1000").reserve("r-fits", 1, job, price(job), 10, 0, OUTPUT_TOKENS);
        assertThat(calls).contains("updateItem");
    }

    @Test
    void theJobsOwnBudgetWinsOverTheDefaultBothWays() throws Exception {
        JobSpec generous = job("budget:\n  max_usd: 1000\n");
        BudgetGuard tightDefault = guard("0.01");
        assertThat(tightDefault.runLimit(generous)).isEqualByComparingTo("1000");
        tightDefault.reserve("r-own", 1, generous, price(generous), 10, 0, OUTPUT_TOKENS);
        assertThat(calls).contains("updateItem");

        JobSpec tight = job("budget:\n  max_usd: 0.10\n");
        assertThatThrownBy(() -> guard("25").reserve("r-tight", 1, tight, price(tight), 10, 0, OUTPUT_TOKENS))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessageContaining("above the job's budget.max_usd of $0.1000");
    }

    @Test
    void withoutADefaultAJobWithoutBudgetHasNoPerRunLimit() throws Exception {
        JobSpec job = job("");
        BudgetGuard guard = guard(null);
        assertThat(guard.runLimit(job)).isNull();
        guard.reserve("r-none", 1, job, price(job), 10, 0, OUTPUT_TOKENS);
        assertThat(calls).contains("updateItem");
    }

    @Test
    void theDefaultIsReadFromTheEnvironmentAndMustBeAPositiveAmount() {
        assertThat(BudgetGuard.defaultRunLimit(Map.of(BudgetGuard.DEFAULT_RUN_BUDGET_ENV, " 25 "))).isEqualByComparingTo("25");
        assertThat(BudgetGuard.defaultRunLimit(Map.of())).isNull();
        assertThat(BudgetGuard.defaultRunLimit(Map.of(BudgetGuard.DEFAULT_RUN_BUDGET_ENV, ""))).isNull();
        assertThatThrownBy(() -> BudgetGuard.defaultRunLimit(Map.of(BudgetGuard.DEFAULT_RUN_BUDGET_ENV, "0")))
                .hasMessageContaining(BudgetGuard.DEFAULT_RUN_BUDGET_ENV + " must be a positive amount");
        BudgetGuard fromEnv = BudgetGuard.fromEnv(Map.of(BudgetGuard.DEFAULT_RUN_BUDGET_ENV, "25",
                BudgetGuard.MONTHLY_BUDGET_ENV, "100"), new DynamoBudgetLedger(recordingEmptyTable(), "batchline"), Clock.systemUTC());
        assertThat(fromEnv.defaultRunLimit()).isEqualByComparingTo("25");
        assertThat(fromEnv.monthlyLimit()).isEqualByComparingTo("100");
    }
}
