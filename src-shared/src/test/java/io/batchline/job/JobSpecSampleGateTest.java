package io.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The sample's quality gate, {@code sample.max_error_rate}: bound when inside (0, 1), refused by path otherwise. */
class JobSpecSampleGateTest {
    private static JobSpec load(String extra) {
        return SmallJobs.with(extra);
    }

    @Test
    void maxErrorRateIsBoundWithTheRestOfTheSample() {
        JobSpec job = load("sample: {rate: 0.01, min: 100, max_error_rate: 0.02}\n");
        assertThat(job.sample().maxErrorRate()).isEqualTo(0.02);
        assertThat(job.sample().min()).isEqualTo(100);
    }

    @Test
    void withoutMaxErrorRateThereIsNoGate() {
        assertThat(load("sample: {min: 50}\n").sample().maxErrorRate()).isNull();
        assertThat(load("").sample()).isNull();
    }

    @Test
    void valuesOutsideTheOpenUnitIntervalAreRefusedByPath() {
        for (String bad : new String[] {"0", "1", "-0.1", "1.5"}) {
            assertThatThrownBy(() -> load("sample: {max_error_rate: " + bad + "}\n"))
                    .as(bad).isInstanceOf(JobSpecException.class)
                    .hasMessageContaining("$.sample.max_error_rate")
                    .hasMessageContaining("between 0 and 1");
        }
        assertThatThrownBy(() -> load("sample: {max_error_rate: two percent}\n"))
                .hasMessageContaining("$.sample.max_error_rate");
    }
}
