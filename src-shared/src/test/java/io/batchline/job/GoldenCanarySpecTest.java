package io.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/** The job spec's golden and canary fields: bound with their defaults, refused with precise paths. */
class GoldenCanarySpecTest {
    private static JobSpec load(String extra) {
        return SmallJobs.with(extra);
    }

    @Test
    void goldenAndCanaryAreBound() {
        JobSpec job = load("""
                golden: {file: qa/golden.jsonl}
                canary: {items: 25, min_pass_rate: 0.8, max_cost_per_item_usd: 0.002}
                """);
        assertThat(job.golden().file()).isEqualTo("qa/golden.jsonl");
        assertThat(job.golden().labelFieldOr(null)).isEqualTo("label");
        assertThat(job.golden().labelFieldOr("truth")).isEqualTo("truth");
        assertThat(job.canary().items()).isEqualTo(25);
        assertThat(job.canary().minPassRate()).isEqualTo(0.8);
        assertThat(job.canary().maxCostPerItemUsd()).isEqualByComparingTo(new BigDecimal("0.002"));
    }

    @Test
    void badValuesAreRefusedByPath() {
        assertThatThrownBy(() -> load("golden: {file: ../secrets.jsonl}\n")).hasMessageContaining("$.golden.file");
        assertThatThrownBy(() -> load("golden: {file: /etc/golden.jsonl}\n")).hasMessageContaining("$.golden.file");
        assertThatThrownBy(() -> load("golden: {file: golden.txt}\n"))
                .hasMessageContaining("$.golden.file: 'golden.txt' must be a .jsonl or .csv file");
        assertThatThrownBy(() -> load("golden: {file: g.jsonl, label_field: subject}\n"))
                .hasMessageContaining("$.golden.label_field: 'subject' is a user_template field");
        assertThatThrownBy(() -> load("golden: {label_field: x}\n")).hasMessageContaining("$.golden").hasMessageContaining("file");
        assertThatThrownBy(() -> load("canary: {items: 0}\n")).hasMessageContaining("$.canary.items");
        assertThatThrownBy(() -> load("canary: {items: 5, min_pass_rate: 1.5}\n")).hasMessageContaining("$.canary.min_pass_rate");
        assertThatThrownBy(() -> load("canary: {items: 5, min_pass_rate: 0}\n"))
                .hasMessageContaining("$.canary: min_pass_rate 0 without max_cost_per_item_usd can never fail");
    }
}
