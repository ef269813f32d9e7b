package io.batchline.grade;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.grade.QualityGate.Outcome;
import org.junit.jupiter.api.Test;

/** The gate: needs_reprocess strictly above the lower bound, passed strictly below the upper bound, else undecided. */
class GradeQualityGateTest {
    private static final WilsonInterval FIVE_OF_HUNDRED = WilsonInterval.of95(5, 100); // [0.0215, 0.1118]

    @Test
    void flipsToNeedsReprocessExactlyWhenTheLowerBoundExceedsTheLimit() {
        double low = FIVE_OF_HUNDRED.low();
        assertThat(QualityGate.verdict(FIVE_OF_HUNDRED, Math.nextDown(low))).isEqualTo(Outcome.NEEDS_REPROCESS);
        assertThat(QualityGate.verdict(FIVE_OF_HUNDRED, low)).isEqualTo(Outcome.UNDECIDED);
        assertThat(QualityGate.verdict(FIVE_OF_HUNDRED, 0.02)).isEqualTo(Outcome.NEEDS_REPROCESS);
    }

    @Test
    void flipsToPassedExactlyWhenTheUpperBoundIsBelowTheLimit() {
        double high = FIVE_OF_HUNDRED.high();
        assertThat(QualityGate.verdict(FIVE_OF_HUNDRED, Math.nextUp(high))).isEqualTo(Outcome.PASSED);
        assertThat(QualityGate.verdict(FIVE_OF_HUNDRED, high)).isEqualTo(Outcome.UNDECIDED);
        assertThat(QualityGate.verdict(FIVE_OF_HUNDRED, 0.12)).isEqualTo(Outcome.PASSED);
        assertThat(QualityGate.verdict(FIVE_OF_HUNDRED, 0.05)).isEqualTo(Outcome.UNDECIDED);
    }

    @Test
    void noLimitNoVerdict() {
        assertThat(QualityGate.verdict(FIVE_OF_HUNDRED, null)).isEqualTo(Outcome.NO_GATE);
    }

    @Test
    void zeroErrorsInAHundredDoNotYetPassATwoPercentGate() {
        WilsonInterval none = WilsonInterval.of95(0, 100); // [0, 0.037]
        assertThat(QualityGate.verdict(none, 0.02)).isEqualTo(Outcome.UNDECIDED);
        // at a zero rate the upper bound z^2 / (n + z^2) drops below 2% from n = 189 on
        assertThat(QualityGate.gradedItemsToDecide(0, 100, 0.02)).isEqualTo(189L);
        assertThat(QualityGate.verdict(WilsonInterval.of95(0, 189), 0.02)).isEqualTo(Outcome.PASSED);
        assertThat(QualityGate.verdict(WilsonInterval.of95(0, 188), 0.02)).isEqualTo(Outcome.UNDECIDED);
    }

    @Test
    void itemsToDecideAreNoneWhenTheRateIsTheLimitOrAlreadyDecided() {
        assertThat(QualityGate.gradedItemsToDecide(2, 100, 0.02)).isNull();
        assertThat(QualityGate.gradedItemsToDecide(5, 100, 0.12)).isEqualTo(100L);
        Long n = QualityGate.gradedItemsToDecide(5, 100, 0.03); // rate 5% against 3%: decided further on
        assertThat(n).isGreaterThan(100L);
        assertThat(QualityGate.verdict(WilsonInterval.of95(0.05 * n, n), 0.03)).isEqualTo(Outcome.NEEDS_REPROCESS);
        assertThat(QualityGate.verdict(WilsonInterval.of95(0.05 * (n - 1), n - 1), 0.03)).isEqualTo(Outcome.UNDECIDED);
    }
}
