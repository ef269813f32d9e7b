package io.batchline.budget;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * One run's budget record ({@code RUN#id / BUDGET}).
 *
 * @param month       the month the reservation was booked in (settlement goes to the same month)
 * @param reservedUsd what the run holds in that month: worst case of all attempts so far plus the retry reserve
 * @param committedUsd the sum of the worst cases of the attempts already planned
 * @param attempts    attempt -> its worst case, one entry per planned attempt (idempotency of a repeated format)
 * @param tags        the month record's open-reservation tags this run added
 * @param settledUsd  actual spend once settled, null while the reservation is open
 * @param held        true when a failed run kept its reservation because batches may still be spending
 */
public record RunBudget(String runId, String month, BigDecimal reservedUsd, BigDecimal committedUsd,
                        Map<Integer, BigDecimal> attempts, List<String> tags, BigDecimal settledUsd, boolean held) {
    public boolean settled() {
        return settledUsd != null;
    }
}
