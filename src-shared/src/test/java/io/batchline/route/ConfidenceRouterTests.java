package io.batchline.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConfidenceRouterTests {

    private final ConfidenceRouter router = new ConfidenceRouter(new JobSpec.Confidence("confidence", 0.9, 0.7));

    @Test
    void exactlyAcceptAtIsAccepted() {
        Routing r = router.route(json("{\"confidence\": 0.9}"));

        assertThat(r.kind()).isEqualTo(OutcomeKind.ACCEPTED);
        assertThat(r.confidence()).isEqualTo(0.9);
        assertThat(r.reason()).isNull();
    }

    @Test
    void exactlyReviewAtIsReview() {
        Routing r = router.route(json("{\"confidence\": 0.7}"));

        assertThat(r.kind()).isEqualTo(OutcomeKind.REVIEW);
        assertThat(r.confidence()).isEqualTo(0.7);
        assertThat(r.reason()).isEqualTo("confidence 0.7 is below accept_at 0.9: needs review");
    }

    @Test
    void justBelowTheThresholdsFallsToTheNextTier() {
        assertThat(router.route(json("{\"confidence\": 0.8999}")).kind()).isEqualTo(OutcomeKind.REVIEW);
        assertThat(router.route(json("{\"confidence\": 0.8}")).reason())
                .isEqualTo("confidence 0.8 is below accept_at 0.9: needs review");
        Routing low = router.route(json("{\"confidence\": 0.55}"));
        assertThat(low.kind()).isEqualTo(OutcomeKind.REJECTED);
        assertThat(low.confidence()).isEqualTo(0.55);
        assertThat(low.reason()).isEqualTo("confidence 0.55 is below review_at 0.7");
    }

    @Test
    void boundsOfTheRangeAreValid() {
        assertThat(router.route(json("{\"confidence\": 1}")).kind()).isEqualTo(OutcomeKind.ACCEPTED);
        assertThat(router.route(json("{\"confidence\": 0}")).reason()).isEqualTo("confidence 0 is below review_at 0.7");
    }

    @Test
    void missingConfidenceIsRejectedNamingTheField() {
        Routing r = router.route(json("{\"category\": \"billing\"}"));

        assertThat(r.kind()).isEqualTo(OutcomeKind.REJECTED);
        assertThat(r.confidence()).isNull();
        assertThat(r.reason()).isEqualTo("confidence field 'confidence' is missing from the output");
        assertThat(router.route(json("{\"confidence\": null}")).reason())
                .isEqualTo("confidence field 'confidence' is missing from the output");
    }

    @Test
    void nonNumericConfidenceIsRejected() {
        Routing r = router.route(json("{\"confidence\": \"0.95\"}"));

        assertThat(r.kind()).isEqualTo(OutcomeKind.REJECTED);
        assertThat(r.confidence()).isNull();
        assertThat(r.reason()).isEqualTo("confidence field 'confidence' is not a number (found string)");
    }

    @Test
    void outOfRangeConfidenceIsRejected() {
        assertThat(router.route(json("{\"confidence\": 1.5}")))
                .isEqualTo(new Routing(OutcomeKind.REJECTED, null, "confidence field 'confidence' is 1.5, outside [0, 1]"));
        assertThat(router.route(json("{\"confidence\": -0.1}")).reason())
                .isEqualTo("confidence field 'confidence' is -0.1, outside [0, 1]");
    }

    @Test
    void pointerFieldReadsNestedConfidence() {
        ConfidenceRouter nested = new ConfidenceRouter(new JobSpec.Confidence("/meta/score", 0.8, 0.5));

        assertThat(nested.route(json("{\"meta\": {\"score\": 0.85}}")).kind()).isEqualTo(OutcomeKind.ACCEPTED);
        assertThat(nested.route(json("{\"meta\": {}}")).reason())
                .isEqualTo("confidence field '/meta/score' is missing from the output");
    }

    @Test
    void inconsistentThresholdsAreRefused() {
        assertThatThrownBy(() -> new ConfidenceRouter(new JobSpec.Confidence("confidence", 0.6, 0.7)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("confidence thresholds must satisfy 0 <= review_at <= accept_at <= 1, found review_at 0.7, accept_at 0.6");
        assertThatThrownBy(() -> new ConfidenceRouter(new JobSpec.Confidence(" ", 0.9, 0.7)))
                .hasMessage("confidence.field is missing");
    }

    @Test
    void numbersInReasonsReadAsTheShortestPlainDecimal() {
        java.util.Random random = new java.util.Random(3);
        java.util.List<Double> values = new java.util.ArrayList<>(java.util.List.of(0.0, -0.0, 1.0, 0.7, 0.1 + 0.2, 100.0,
                1e-4, 1e-3, 9.999e6, 1e7, 1.5e-10, 2e21, -0.5, -1e-9, Double.MIN_VALUE, Double.MAX_VALUE));
        for (int i = 0; i < 10_000; i++) {
            values.add(random.nextDouble());
            values.add(Math.round(random.nextDouble() * 100) / 100.0);
            values.add(Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL));
        }
        for (double v : values) {
            java.math.BigDecimal plain = java.math.BigDecimal.valueOf(v).stripTrailingZeros();
            String expected = (plain.scale() < 0 ? plain.setScale(0) : plain).toPlainString();
            assertThat(ConfidenceRouter.number(v)).as("%s", v).isEqualTo(expected);
        }
    }

    private static JsonNode json(String text) {
        return Json.tree(text.getBytes(StandardCharsets.UTF_8));
    }
}
