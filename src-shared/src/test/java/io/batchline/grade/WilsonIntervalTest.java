package io.batchline.grade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The 95% Wilson score interval against values computed independently (e.g. R's prop.test without correction). */
class WilsonIntervalTest {
    private static final double EPS = 0.00005;

    @Test
    void noErrorsInAHundredStillAllowsAboutFourPercent() {
        WilsonInterval i = WilsonInterval.of95(0, 100);
        assertThat(i.low()).isEqualTo(0.0);
        assertThat(i.high()).isCloseTo(0.0370, within(EPS));
    }

    @Test
    void fiveInAHundred() {
        WilsonInterval i = WilsonInterval.of95(5, 100);
        assertThat(i.low()).isCloseTo(0.0215, within(EPS));
        assertThat(i.high()).isCloseTo(0.1118, within(EPS));
    }

    @Test
    void tenOfTenAndZeroOfTen() {
        WilsonInterval all = WilsonInterval.of95(10, 10);
        assertThat(all.low()).isCloseTo(0.7225, within(EPS));
        assertThat(all.high()).isEqualTo(1.0);
        WilsonInterval none = WilsonInterval.of95(0, 10);
        assertThat(none.low()).isEqualTo(0.0);
        assertThat(none.high()).isCloseTo(0.2775, within(EPS));
    }

    @Test
    void halfOfTwentyIsSymmetric() {
        WilsonInterval i = WilsonInterval.of95(10, 20);
        assertThat(i.low()).isCloseTo(0.2993, within(EPS));
        assertThat(i.high()).isCloseTo(0.7007, within(EPS));
        assertThat(i.contains(0.5)).isTrue();
    }

    @Test
    void nothingObservedIsTheWholeRangeAndNonsenseIsRefused() {
        assertThat(WilsonInterval.of95(0, 0)).isEqualTo(new WilsonInterval(0, 1));
        assertThatThrownBy(() -> WilsonInterval.of95(3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WilsonInterval.of95(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
