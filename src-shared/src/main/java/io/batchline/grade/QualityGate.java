package io.batchline.grade;

import java.util.Locale;

/**
 * The run's quality verdict from the graded sample's error-rate interval and the job's
 * {@code sample.max_error_rate}: reprocess when even the interval's lower bound is above the limit, pass when even
 * its upper bound is below it, otherwise more grading is needed to tell.
 */
public final class QualityGate {
    private QualityGate() {}

    /** Beyond this many graded items the estimate is not worth chasing: "more than" is said instead. */
    static final long MAX_ITEMS_SUGGESTED = 1_000_000;

    public enum Outcome {
        PASSED, NEEDS_REPROCESS, UNDECIDED, NO_GATE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static Outcome verdict(WilsonInterval interval, Double maxErrorRate) {
        if (maxErrorRate == null) return Outcome.NO_GATE;
        if (interval.low() > maxErrorRate) return Outcome.NEEDS_REPROCESS;
        if (interval.high() < maxErrorRate) return Outcome.PASSED;
        return Outcome.UNDECIDED;
    }

    /**
     * Roughly how many graded items in all would decide the gate if the error rate stayed what it is now
     * ({@code wrong} of {@code graded}; with nothing graded yet, as if none were wrong): the smallest n whose
     * interval no longer holds the limit. Null when no number of items decides it (the rate equals the limit)
     * or when more than {@link #MAX_ITEMS_SUGGESTED} would be needed.
     */
    public static Long gradedItemsToDecide(long wrong, long graded, double maxErrorRate) {
        double rate = graded == 0 ? 0 : (double) wrong / graded;
        if (rate == maxErrorRate) return null;
        if (decides(rate, graded, maxErrorRate)) return graded;
        long low = Math.max(graded, 1), high = low;
        while (!decides(rate, high, maxErrorRate)) {
            if (high >= MAX_ITEMS_SUGGESTED) return null;
            low = high;
            high = Math.min(MAX_ITEMS_SUGGESTED, high * 2);
        }
        while (high - low > 1) { // the interval narrows as n grows, so the first deciding n is found by halving
            long mid = (low + high) / 2;
            if (decides(rate, mid, maxErrorRate)) high = mid;
            else low = mid;
        }
        return high;
    }

    private static boolean decides(double rate, long n, double maxErrorRate) {
        if (n == 0) return false;
        Outcome o = verdict(WilsonInterval.of95(rate * n, n), maxErrorRate);
        return o == Outcome.PASSED || o == Outcome.NEEDS_REPROCESS;
    }
}
