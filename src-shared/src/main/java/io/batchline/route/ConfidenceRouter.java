package io.batchline.route;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.job.JobSpec;
import io.batchline.outcome.OutcomeKind;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Objects;

/**
 * Confidence tiers: ACCEPTED at or above accept_at, REVIEW at or above review_at, REJECTED below.
 * Immutable, so one router per job serves every thread.
 */
public final class ConfidenceRouter {

    private final String field;
    private final double acceptAt;
    private final double reviewAt;
    /** The thresholds as reasons show them, written once rather than per routed output. */
    private final String acceptAtText;
    private final String reviewAtText;

    public ConfidenceRouter(JobSpec.Confidence confidence) {
        Objects.requireNonNull(confidence, "confidence settings");
        if (confidence.field() == null || confidence.field().isBlank()) {
            throw new IllegalArgumentException("confidence.field is missing");
        }
        if (!(0 <= confidence.reviewAt() && confidence.reviewAt() <= confidence.acceptAt() && confidence.acceptAt() <= 1)) {
            throw new IllegalArgumentException("confidence thresholds must satisfy 0 <= review_at <= accept_at <= 1, found review_at "
                    + number(confidence.reviewAt()) + ", accept_at " + number(confidence.acceptAt()));
        }
        this.field = confidence.field();
        this.acceptAt = confidence.acceptAt();
        this.reviewAt = confidence.reviewAt();
        this.acceptAtText = number(acceptAt);
        this.reviewAtText = number(reviewAt);
    }

    /** Routes an output that already passed schema validation. */
    public Routing route(JsonNode validOutput) {
        JsonNode value = fieldValue(validOutput);
        if (value == null || value.isMissingNode() || value.isNull()) {
            return new Routing(OutcomeKind.REJECTED, null, "confidence field '" + field + "' is missing from the output");
        }
        if (!value.isNumber()) {
            return new Routing(OutcomeKind.REJECTED, null, "confidence field '" + field + "' is not a number (found "
                    + value.getNodeType().name().toLowerCase(Locale.ROOT) + ")");
        }
        double confidence = value.doubleValue();
        if (!(confidence >= 0 && confidence <= 1)) {
            return new Routing(OutcomeKind.REJECTED, null, "confidence field '" + field + "' is "
                    + value.asText() + ", outside [0, 1]");
        }
        if (confidence >= acceptAt) {
            return new Routing(OutcomeKind.ACCEPTED, confidence, null);
        }
        if (confidence >= reviewAt) {
            return new Routing(OutcomeKind.REVIEW, confidence, "confidence " + number(confidence)
                    + " is below accept_at " + acceptAtText + ": needs review");
        }
        return new Routing(OutcomeKind.REJECTED, confidence, "confidence " + number(confidence)
                + " is below review_at " + reviewAtText);
    }

    /** A name is a top-level property; a value starting with '/' is a JSON pointer into nested output. */
    private JsonNode fieldValue(JsonNode output) {
        if (output == null) {
            return null;
        }
        return field.startsWith("/") ? output.at(field) : output.get(field);
    }

    /** 0.7 rather than 0.7000000000000001 or 1.0E-4: the shortest decimal that reads back as the same double. */
    static String number(double value) {
        // Double.toString is what BigDecimal.valueOf reads; without an exponent it only needs a ".0" dropped
        String text = Double.toString(value);
        if (text.indexOf('E') < 0 && !text.startsWith("-")) {
            return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
        }
        BigDecimal plain = BigDecimal.valueOf(value).stripTrailingZeros();
        return (plain.scale() < 0 ? plain.setScale(0) : plain).toPlainString();
    }
}
