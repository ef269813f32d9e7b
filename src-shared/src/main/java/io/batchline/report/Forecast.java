package io.batchline.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/**
 * The projected monthly cost "at the current rate": what the account has actually spent so far this
 * calendar month (UTC, settled runs in the budget ledger, this one included), per day elapsed, times the days
 * of the month. The days elapsed are counted as at least one, so a run on the 1st does not project its cost
 * times thirty from a few minutes of data. It projects spending that continues as it went; it knows nothing of
 * runs not started yet. Without a ledger (guard off) the month's spend is this run alone.
 */
@JsonPropertyOrder({"month", "month_spent_usd", "days_elapsed", "days_in_month", "projected_monthly_cost_usd",
        "basis"})
public record Forecast(
        @JsonProperty("month") String month,
        @JsonProperty("month_spent_usd") BigDecimal monthSpentUsd,
        @JsonProperty("days_elapsed") BigDecimal daysElapsed,
        @JsonProperty("days_in_month") int daysInMonth,
        @JsonProperty("projected_monthly_cost_usd") BigDecimal projectedMonthlyCostUsd,
        @JsonProperty("basis") String basis) {

    public static final String BASIS = "month spend so far / max(days elapsed, 1) x days in month (UTC)";

    public static Forecast of(YearMonth month, BigDecimal monthSpentUsd, Instant now) {
        Instant start = month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        BigDecimal elapsed = BigDecimal.valueOf(Duration.between(start, now).toSeconds())
                .divide(BigDecimal.valueOf(86_400L), 4, RoundingMode.HALF_UP);
        BigDecimal divisor = elapsed.max(BigDecimal.ONE);
        int days = month.lengthOfMonth();
        BigDecimal projected = monthSpentUsd.multiply(BigDecimal.valueOf(days))
                .divide(divisor, 6, RoundingMode.HALF_UP);
        return new Forecast(month.toString(), monthSpentUsd, elapsed, days, projected, BASIS);
    }
}
