package io.batchline.budget;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

/**
 * Where the budget guard keeps its records: each month's reservations and spend, and each run's reservation by
 * attempt. Every write is a single conditional write, so concurrent runs stay honest without transactions; a
 * repeated call changes nothing.
 */
public interface BudgetLedger {

    enum Reservation { RESERVED, ALREADY_RESERVED, OVER_LIMIT }

    /**
     * Adds {@code amount} to the month's reservations under {@code tag}, unless the tag is already there (a
     * repeated call) or, with a limit, the month would then hold more than {@code limit}.
     */
    Reservation reserveInMonth(String month, String tag, BigDecimal amount, BigDecimal limit);

    MonthTotals month(String month);

    /**
     * Releases a run's reservation and books its actual spend, once. Returns false when it was already settled.
     */
    boolean settleInMonth(String month, List<String> tags, BigDecimal reserved, BigDecimal spent);

    Optional<RunBudget> run(String runId);

    /**
     * Records one attempt's worst case and the run's new totals, unless the attempt is recorded already. Returns
     * false when a repeat already recorded it.
     */
    boolean recordAttempt(String runId, int attempt, String month, BigDecimal worst, BigDecimal committed,
                          BigDecimal reserved, String newTag);

    void markSettled(String runId, BigDecimal spent);

    void markHeld(String runId);
}
