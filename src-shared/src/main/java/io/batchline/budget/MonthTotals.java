package io.batchline.budget;

import java.math.BigDecimal;

/**
 * The account's month record ({@code BUDGET#<yyyy-mm> / MONTH}): what open runs have reserved and what
 * settled runs actually spent, in USD.
 */
public record MonthTotals(String month, BigDecimal reservedUsd, BigDecimal spentUsd, long settledRuns) {
    public static MonthTotals empty(String month) {
        return new MonthTotals(month, BigDecimal.ZERO, BigDecimal.ZERO, 0);
    }
}
