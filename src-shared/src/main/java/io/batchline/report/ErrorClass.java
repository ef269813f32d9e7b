package io.batchline.report;

import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;

/**
 * Why an item did not end accepted, as a small fixed set of classes for the error-rate metrics and the report.
 * Derived from the outcome line alone (its outcome, reason and whether it reached a batch), so it needs no
 * state and means the same in report.json, report.html and the metrics.
 */
public enum ErrorClass {
    /** bad input line or template error: failed before anything was sent */
    INPUT("input"),
    /** the provider refused the request (invalid_request_error and the like) */
    PROVIDER_REJECTED("provider_rejected"),
    /** transient provider failures (errored, expired, canceled, no result) on every attempt */
    PROVIDER_TRANSIENT("provider_transient"),
    /** the answer was not JSON */
    INVALID_OUTPUT("invalid_output"),
    /** JSON that does not meet the output schema */
    SCHEMA_MISMATCH("schema_mismatch"),
    /** valid output with confidence below review_at */
    LOW_CONFIDENCE("low_confidence"),
    /** the run was canceled by an operator before the item got a usable answer */
    CANCELED("canceled"),
    OTHER("other");

    private final String label;

    ErrorClass(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The class of a non-accepted, non-review line; null for accepted and review lines. */
    public static ErrorClass of(OutcomeLine line) {
        OutcomeKind kind = line.kind();
        String reason = line.reason() == null ? "" : line.reason();
        if (kind == OutcomeKind.ACCEPTED || kind == OutcomeKind.REVIEW) return null;
        if (kind == OutcomeKind.REJECTED) {
            if (reason.startsWith("invalid output")) return INVALID_OUTPUT;
            if (reason.startsWith("output does not match the schema")) return SCHEMA_MISMATCH;
            if (line.output() != null) return line.confidence() != null ? LOW_CONFIDENCE : SCHEMA_MISMATCH;
            return OTHER;
        }
        if (reason.startsWith(FailureReason.CANCELED)) return CANCELED; // before INPUT: an unsent item has no batch either
        if (line.batchId() == null) return INPUT;
        if (reason.startsWith("provider rejected")) return PROVIDER_REJECTED;
        if (reason.contains("gave up after")) return PROVIDER_TRANSIENT;
        return OTHER;
    }
}
