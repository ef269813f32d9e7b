package io.batchline.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * report.json's status of a canceled run and its escalated items (failed on every allowed attempt), and how their
 * failed lines are classed.
 */
class CanceledAndEscalatedReportTest {

    private static OutcomeLine failed(long line, String reason, String batchId, int attempts) {
        return OutcomeLine.of("T-" + line, line, OutcomeKind.FAILED).reason(reason).free().attempts(attempts)
                .batchId(batchId).customId(batchId == null ? null : "a" + attempts + "-l" + line).build();
    }

    @Test
    void aCanceledRunSaysSoAndItsUnsentItemsAreCanceledNotBadInput() {
        Instant at = Instant.parse("2026-11-25T07:00:00Z");
        ObjectNode report = new RunReportBuilder().runId("r").job("j").status("canceled", at)
                .accept(failed(1, FailureReason.CANCELED_NOT_SENT, null, 1))
                .accept(failed(2, FailureReason.CANCELED_UNFINISHED, "msgbatch_1", 1))
                .accept(failed(3, "bad input line: not JSON", null, 0))
                .build();

        assertThat(report.get("status").asText()).isEqualTo("canceled");
        assertThat(report.get("canceled_at").asText()).isEqualTo(at.toString());
        assertThat(report.at("/error_classes/canceled/count").asLong()).isEqualTo(2);
        assertThat(report.at("/error_classes/input/count").asLong()).isEqualTo(1);
    }

    @Test
    void aRunNobodyCanceledHasStatusSucceededAndCountsItemsThatGaveUp() {
        ObjectNode report = new RunReportBuilder().runId("r").job("j")
                .accept(failed(1, "expired: the batch ended before this request was processed (gave up after 3 attempts)",
                        "msgbatch_3", 3))
                .accept(failed(2, "provider rejected the request: invalid_request_error: x", "msgbatch_1", 1))
                .build();

        assertThat(report.get("status").asText()).isEqualTo("succeeded");
        assertThat(report.has("canceled_at")).isFalse();
        assertThat(report.get("escalated_items").asLong()).isEqualTo(1);
        assertThat(io.batchline.metrics.RunMetrics.fromReport(report, "finalize").toJson(Instant.now())
                .get("EscalatedItems").asLong()).isEqualTo(1);
    }
}
