package io.batchline.budget;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cost.Price;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.plan.Plan;
import io.batchline.report.Forecast;
import io.batchline.report.RunReportBuilder;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import io.batchline.run.RunKeys;
import io.batchline.run.RunStore;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * The budget guard. Right after an attempt is planned, and before anything of it is submitted, the worst
 * case of the whole run from here on is checked against the job's {@code budget.max_usd} (a job without one gets
 * the deployment's per-run default, {@value #DEFAULT_RUN_BUDGET_ENV}) and the account's monthly budget
 * ({@value #MONTHLY_BUDGET_ENV}) and reserved; a run that does not fit fails with
 * {@link BudgetExceededException} before any batch is created. When the run ends the reservation is replaced
 * by what the run actually spent.
 *
 * <p>Worst case of attempt n: every request's estimated input tokens at the dearer of the input and cache-write
 * rates, plus its full {@code max_tokens} of output ({@link Price#worstCase}). Retry rounds re-send a subset of
 * the requests, so attempt n's worst case also bounds each later round: the run needs
 * {@code committed (worst cases of attempts 1..n-1) + worst(n) x (max_attempts - n + 1)}, and the guard reserves
 * whatever of that the run does not hold yet. At attempt 1 that is worst(1) x max_attempts; later rounds
 * normally fit in it and reserve nothing more.
 */
public final class BudgetGuard {
    public static final String MONTHLY_BUDGET_ENV = "BATCHLINE_MONTHLY_BUDGET_USD";
    /** The most one run of a job without {@code budget.max_usd} may reserve (the deployment sets it; unset: none). */
    public static final String DEFAULT_RUN_BUDGET_ENV = "BATCHLINE_DEFAULT_RUN_BUDGET_USD";
    private static final Logger LOG = Logger.getLogger(BudgetGuard.class.getName());

    private final BudgetLedger ledger;
    private final BigDecimal monthlyLimit;
    private final BigDecimal defaultRunLimit;
    private final Clock clock;

    public BudgetGuard(BudgetLedger ledger, BigDecimal monthlyLimit, Clock clock) {
        this(ledger, monthlyLimit, null, clock);
    }

    /** {@code defaultRunLimit}: the per-run limit of a job without {@code budget.max_usd}; null for none. */
    public BudgetGuard(BudgetLedger ledger, BigDecimal monthlyLimit, BigDecimal defaultRunLimit, Clock clock) {
        this.ledger = ledger;
        this.monthlyLimit = monthlyLimit;
        this.defaultRunLimit = defaultRunLimit;
        this.clock = clock;
    }

    /** No ledger: nothing is checked or reserved. Only for stage tests that do not exercise the guard. */
    public static BudgetGuard off() {
        return new BudgetGuard(null, null, Clock.systemUTC());
    }

    /** On this ledger, with the limits the environment sets ({@value #MONTHLY_BUDGET_ENV}, {@value #DEFAULT_RUN_BUDGET_ENV}). */
    public static BudgetGuard fromEnv(Map<String, String> env, BudgetLedger ledger, Clock clock) {
        return new BudgetGuard(ledger, monthlyLimit(env), defaultRunLimit(env), clock);
    }

    static BigDecimal monthlyLimit(Map<String, String> env) {
        return positiveUsd(env, MONTHLY_BUDGET_ENV);
    }

    static BigDecimal defaultRunLimit(Map<String, String> env) {
        return positiveUsd(env, DEFAULT_RUN_BUDGET_ENV);
    }

    private static BigDecimal positiveUsd(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return null;
        try {
            BigDecimal limit = new BigDecimal(v.trim());
            if (limit.signum() <= 0) throw new NumberFormatException("not positive");
            return limit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a positive amount of US dollars, got '" + v + "'");
        }
    }

    public boolean enabled() {
        return ledger != null;
    }

    public BigDecimal monthlyLimit() {
        return monthlyLimit;
    }

    /** The deployment's per-run default for jobs without {@code budget.max_usd}; null when none is set. */
    public BigDecimal defaultRunLimit() {
        return defaultRunLimit;
    }

    /** The most one run of {@code job} may reserve: its {@code budget.max_usd}, else the per-run default, else none. */
    public BigDecimal runLimit(JobSpec job) {
        if (job.budget() != null && job.budget().maxUsd() != null) return job.budget().maxUsd();
        return defaultRunLimit;
    }

    private static boolean ownBudget(JobSpec job) {
        return job.budget() != null && job.budget().maxUsd() != null;
    }

    public String currentMonth() {
        return YearMonth.now(clock.withZone(ZoneOffset.UTC)).toString();
    }

    /** A job's escalation round and the price its model is charged at. */
    public record Escalation(io.batchline.escalate.EscalationRound round, Price price) {}

    /** {@link #reserve(String, int, JobSpec, Price, long, long, long)} for a planned attempt. */
    public Optional<RunBudget> reserve(String runId, JobSpec job, Price price, Plan plan) {
        return reserve(runId, job, price, plan, null);
    }

    /**
     * As above, for a job with an escalation: one of the rounds still possible is the escalation round, whose
     * worst case is every request of the attempt escalating at the escalation's price (see
     * {@link io.batchline.escalate.EscalationRound#worstCase}); null = the job has none.
     */
    public Optional<RunBudget> reserve(String runId, JobSpec job, Price price, Plan plan, Escalation escalation) {
        return reserve(runId, plan.attempt(), job, price, plan.requests(), plan.estimatedInputTokens(),
                plan.maxOutputTokens(), plan.largestRequestTokens(), escalation);
    }

    /**
     * Checks and reserves the worst case of attempt {@code attempt} (planned: {@code requests} requests,
     * {@code inputTokens} estimated input tokens, {@code outputTokens} = sum of max_tokens). Idempotent per
     * attempt: a repeated call (a Lambda retry of the format stage) reserves nothing more.
     *
     * @throws BudgetExceededException when the job's or the month's budget would be exceeded
     */
    public Optional<RunBudget> reserve(String runId, int attempt, JobSpec job, Price price, long requests,
                                       long inputTokens, long outputTokens) {
        return reserve(runId, attempt, job, price, requests, inputTokens, outputTokens, 0);
    }

    /**
     * {@link #reserve(String, int, JobSpec, Price, long, long, long)} where the largest request's prompt is estimated
     * at {@code largestRequestTokens}: above a prompt tier of the price (Haiku 5.5 over 100K), the whole worst case
     * is priced at that tier, as any request may be. Output includes thinking: max_tokens as sent carries its reserve.
     */
    public Optional<RunBudget> reserve(String runId, int attempt, JobSpec job, Price price, long requests,
                                       long inputTokens, long outputTokens, long largestRequestTokens) {
        return reserve(runId, attempt, job, price, requests, inputTokens, outputTokens, largestRequestTokens, null);
    }

    /** {@link #reserve(String, JobSpec, Price, Plan, Escalation)} with the plan's figures given one by one. */
    public Optional<RunBudget> reserve(String runId, int attempt, JobSpec job, Price price, long requests,
                                       long inputTokens, long outputTokens, long largestRequestTokens,
                                       Escalation escalation) {
        if (ledger == null) return Optional.empty();
        Optional<RunBudget> existing = ledger.run(runId);
        if (existing.isPresent() && existing.get().attempts().containsKey(attempt)) return existing;
        BigDecimal reserved = existing.map(RunBudget::reservedUsd).orElse(BigDecimal.ZERO);
        BigDecimal committed = existing.map(RunBudget::committedUsd).orElse(BigDecimal.ZERO);
        String month = existing.map(RunBudget::month).orElse(currentMonth());

        // the estimate of a request's prompt can be low by some percent: a margin keeps a request near the tier in it
        BigDecimal worst = price.worstCase(inputTokens, outputTokens, largestRequestTokens + largestRequestTokens / 10);
        int rounds = Math.max(1, job.lastAttempt() - attempt + 1);
        // the escalation round, while still ahead, at the escalation model's price instead of the job's
        BigDecimal escalationWorst = null;
        if (job.escalation() != null && escalation != null && rounds > 1) {
            rounds--;
            escalationWorst = escalation.round().worstCase(escalation.price(), requests, inputTokens,
                    largestRequestTokens);
        }
        BigDecimal needed = committed.add(worst.multiply(BigDecimal.valueOf(rounds)))
                .add(escalationWorst == null ? BigDecimal.ZERO : escalationWorst);
        String what = String.format(Locale.ROOT, "attempt %d of run %s: %,d requests, ~%,d input tokens estimated +"
                        + " %,d max output tokens at %s batch prices of %s = %s worst case", attempt, runId, requests,
                inputTokens, outputTokens, price.model(), price.asOf(), usd(worst))
                + (rounds > 1 ? String.format(Locale.ROOT, ", x%d to hold a reserve for up to %d retry or repair rounds",
                rounds, rounds - 1) : "")
                + (escalationWorst != null ? " + " + usd(escalationWorst) + " for the escalation round (every request"
                        + " escalating to " + escalation.price().model() + ")" : "")
                + (committed.signum() > 0 ? " + " + usd(committed) + " for earlier attempts" : "")
                + " = " + usd(needed);
        BigDecimal runLimit = runLimit(job);
        if (runLimit != null && needed.compareTo(runLimit) > 0) {
            throw new BudgetExceededException(what + (ownBudget(job)
                    ? ", above the job's budget.max_usd of " + usd(runLimit) + "; nothing was submitted. Raise"
                            + " budget.max_usd, lower max_tokens or max_attempts, or split the input."
                    : ", above the deployment's per-run default of " + usd(runLimit) + " (" + DEFAULT_RUN_BUDGET_ENV
                            + "; the job sets no budget.max_usd); nothing was submitted. Give the job its own"
                            + " budget.max_usd, lower max_tokens or max_attempts, or split the input."));
        }
        BigDecimal extra = needed.subtract(reserved);
        String tag = null;
        if (extra.signum() > 0) {
            tag = runId + "#a" + attempt;
            BudgetLedger.Reservation r = ledger.reserveInMonth(month, tag, extra, monthlyLimit);
            if (r == BudgetLedger.Reservation.OVER_LIMIT) {
                MonthTotals m = ledger.month(month);
                throw new BudgetExceededException(what + "; reserving " + usd(extra) + " more would take the"
                        + " account's month " + month + " (" + usd(m.reservedUsd()) + " reserved by open runs, "
                        + usd(m.spentUsd()) + " spent by finished runs) above " + MONTHLY_BUDGET_ENV + "="
                        + usd(monthlyLimit) + "; nothing was submitted. Wait for open runs to finish, or raise the"
                        + " monthly budget.");
            }
        } else {
            extra = BigDecimal.ZERO;
        }
        ledger.recordAttempt(runId, attempt, month, worst, committed.add(worst), reserved.add(extra), tag);
        LOG.info(() -> "budget: reserved " + what);
        return ledger.run(runId);
    }

    /** What settling a run left in its month, for the report's forecast. */
    public record Settlement(RunBudget run, MonthTotals month, BigDecimal monthlyLimit) {}

    /**
     * Replaces the run's reservation by what it spent, once (a repeat changes nothing), and returns the month's
     * totals afterwards. Empty when the guard is off or the run reserved nothing.
     */
    public Optional<Settlement> settle(String runId, BigDecimal spent) {
        if (ledger == null) return Optional.empty();
        Optional<RunBudget> run = ledger.run(runId);
        if (run.isEmpty()) return Optional.empty();
        RunBudget rb = run.get();
        if (!rb.settled()) {
            ledger.settleInMonth(rb.month(), rb.tags(), rb.reservedUsd(), spent);
            ledger.markSettled(runId, spent);
            rb = ledger.run(runId).orElse(rb);
        }
        return Optional.of(new Settlement(rb, ledger.month(rb.month()), monthlyLimit));
    }

    /**
     * A failed run gives back what it did not spend: its spend is the cost of the outcome parts collected so
     * far. When a batch of it was created but its results never collected, the spend is unknown (the provider
     * may still be processing it): the reservation is held, logged, and shown as held in the run's budget record.
     */
    public void releaseOnFailure(String runId, RunStore runs, ObjectStore store) {
        if (ledger == null) return;
        Optional<RunBudget> run = ledger.run(runId);
        if (run.isEmpty() || run.get().settled()) return;
        for (int attempt : run.get().attempts().keySet()) {
            for (ShardRecord s : runs.shards(runId, attempt)) {
                boolean uncollected = s.batchId() != null && s.status() != ShardRecord.ShardStatus.COLLECTED;
                if (uncollected || s.status() == ShardRecord.ShardStatus.SUBMITTING) {
                    ledger.markHeld(runId);
                    LOG.warning(() -> "budget: run " + runId + " failed with batch " + s.batchId() + " (shard "
                            + s.shard() + ", attempt " + s.attempt() + ") not collected; its reservation of "
                            + usd(run.get().reservedUsd()) + " stays held");
                    return;
                }
            }
        }
        BigDecimal spent = spentInParts(runId, store);
        settle(runId, spent);
    }

    /** The sum of cost_usd over every outcome part of the run, streamed. */
    static BigDecimal spentInParts(String runId, ObjectStore store) {
        AtomicReference<BigDecimal> sum = new AtomicReference<>(BigDecimal.ZERO);
        for (String part : store.list(RunKeys.partsPrefix(runId))) {
            JsonLines.forEachLine(store.open(part), line -> {
                JsonNode cost = Json.tree(line.getBytes(StandardCharsets.UTF_8)).get("cost_usd");
                if (cost != null && cost.isNumber()) sum.accumulateAndGet(cost.decimalValue(), BigDecimal::add);
            });
        }
        return sum.get();
    }

    static String usd(BigDecimal amount) {
        BigDecimal shown = amount.abs().compareTo(BigDecimal.ONE) >= 0 ? amount.setScale(2, RoundingMode.HALF_UP)
                : amount.setScale(Math.max(4, Math.min(amount.stripTrailingZeros().scale(), 8)), RoundingMode.HALF_UP);
        return "$" + shown.toPlainString();
    }

    /**
     * At the end of a run: settles its reservation with the report's cost and puts the budget section and the
     * monthly forecast into the report.
     */
    public void settleInto(RunReportBuilder report, String runId, JobSpec job, Instant now) {
        Optional<Settlement> settled = settle(runId, report.costUsd());
        ObjectNode budget = Json.MAPPER.createObjectNode();
        budget.put("max_usd", runLimit(job));
        if (!ownBudget(job) && defaultRunLimit != null) budget.put("max_usd_from", DEFAULT_RUN_BUDGET_ENV);
        budget.put("guard", enabled() ? "on" : "off");
        if (settled.isPresent()) {
            RunBudget rb = settled.get().run();
            MonthTotals m = settled.get().month();
            budget.put("reserved_usd", rb.reservedUsd());
            ObjectNode byAttempt = budget.putObject("worst_case_usd_by_attempt");
            rb.attempts().forEach((attempt, worst) -> byAttempt.put(Integer.toString(attempt), worst));
            budget.put("spent_usd", rb.settledUsd());
            budget.put("month", m.month());
            budget.put("month_spent_usd", m.spentUsd());
            budget.put("month_reserved_usd", m.reservedUsd());
            budget.put("monthly_limit_usd", monthlyLimit);
            report.forecast(Forecast.of(YearMonth.parse(m.month()), m.spentUsd(), now));
        } else {
            report.forecast(Forecast.of(YearMonth.now(clock.withZone(ZoneOffset.UTC)), report.costUsd(), now));
        }
        report.budget(budget);
    }

    /** For the operator view and tests. */
    public BudgetLedger ledger() {
        return ledger;
    }
}
