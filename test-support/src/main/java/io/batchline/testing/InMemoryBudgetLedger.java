package io.batchline.testing;

import io.batchline.budget.BudgetLedger;
import io.batchline.budget.MonthTotals;
import io.batchline.budget.RunBudget;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link BudgetLedger} in memory with DynamoBudgetLedger's single-item conditions: a reservation is refused when
 * its tag is already open (ALREADY_RESERVED) or, with a limit, when the month's reservations would exceed it
 * (OVER_LIMIT); a settlement happens once (conditional on the run's first tag still being open); an attempt is
 * recorded once. {@link #markSettled} and {@link #markHeld} are unconditional.
 */
public final class InMemoryBudgetLedger implements BudgetLedger {

    private static final class Month {
        BigDecimal reserved = BigDecimal.ZERO;
        BigDecimal spent = BigDecimal.ZERO;
        long runs;
        final Set<String> open = new LinkedHashSet<>();
    }

    private static final class Run {
        String month;
        BigDecimal reserved = BigDecimal.ZERO;
        BigDecimal committed = BigDecimal.ZERO;
        final Map<Integer, BigDecimal> attempts = new TreeMap<>();
        final Set<String> tags = new LinkedHashSet<>();
        BigDecimal settled;
        boolean held;
    }

    private final Map<String, Month> months = new HashMap<>();
    private final Map<String, Run> runs = new HashMap<>();

    @Override
    public synchronized Reservation reserveInMonth(String month, String tag, BigDecimal amount, BigDecimal limit) {
        Month m = months.get(month);
        boolean open = m != null && m.open.contains(tag);
        if (open) return Reservation.ALREADY_RESERVED;
        if (limit != null) {
            BigDecimal room = limit.subtract(amount);
            if (room.signum() < 0) return Reservation.OVER_LIMIT;
            if (m != null && m.reserved.compareTo(room) > 0) return Reservation.OVER_LIMIT;
        }
        m = months.computeIfAbsent(month, k -> new Month());
        m.reserved = m.reserved.add(amount);
        m.open.add(tag);
        return Reservation.RESERVED;
    }

    @Override
    public synchronized MonthTotals month(String month) {
        Month m = months.get(month);
        return m == null ? MonthTotals.empty(month) : new MonthTotals(month, m.reserved, m.spent, m.runs);
    }

    @Override
    public synchronized boolean settleInMonth(String month, List<String> tags, BigDecimal reserved, BigDecimal spent) {
        if (tags.isEmpty()) return false;
        Month m = months.get(month);
        if (m == null || !m.open.contains(tags.get(0))) return false;
        m.reserved = m.reserved.subtract(reserved);
        m.spent = m.spent.add(spent);
        m.runs++;
        tags.forEach(m.open::remove);
        return true;
    }

    @Override
    public synchronized Optional<RunBudget> run(String runId) {
        Run r = runs.get(runId);
        if (r == null) return Optional.empty();
        return Optional.of(new RunBudget(runId, r.month, r.reserved, r.committed, new TreeMap<>(r.attempts),
                new ArrayList<>(r.tags), r.settled, r.held));
    }

    @Override
    public synchronized boolean recordAttempt(String runId, int attempt, String month, BigDecimal worst,
                                              BigDecimal committed, BigDecimal reserved, String newTag) {
        Run r = runs.get(runId);
        if (r != null && r.attempts.containsKey(attempt)) return false;
        r = runs.computeIfAbsent(runId, k -> new Run());
        r.month = month;
        r.attempts.put(attempt, worst);
        r.committed = committed;
        r.reserved = reserved;
        if (newTag != null) r.tags.add(newTag);
        return true;
    }

    @Override
    public synchronized void markSettled(String runId, BigDecimal spent) {
        Run r = runs.computeIfAbsent(runId, k -> new Run());
        r.settled = spent;
        r.held = false;
    }

    @Override
    public synchronized void markHeld(String runId) {
        runs.computeIfAbsent(runId, k -> new Run()).held = true;
    }
}
