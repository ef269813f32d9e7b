package io.batchline.grade;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run's grading amounts to: the error-rate estimate from the graded sample items, the review decisions
 * counted apart (review items are the doubtful ones, not a random sample, so they never enter the estimate), and
 * the quality gate's verdict. Written as grades/summary.json and as report.json's {@code grading} block.
 *
 * <p>A sample item whose outcome is {@code review} counts in the estimate (it was drawn at random) and also among
 * the review decisions.
 */
public record GradingSummary(ComparedField field, int sampleItems, ErrorRateEstimate sample, long reviewCorrect,
                             long reviewWrong, Double maxErrorRate, QualityGate.Outcome verdict,
                             Long gradedItemsToDecide, Collection<String> graders, int sessions, Instant updatedAt) {

    public static GradingSummary of(ComparedField field, GradableItems items, Map<Long, GradeRecord> decided,
                                    Double maxErrorRate, Collection<String> graders, int sessions, Instant now) {
        long correct = 0, wrong = 0, reviewCorrect = 0, reviewWrong = 0;
        Map<String, long[]> byClass = new TreeMap<>();
        for (GradeRecord r : decided.values()) {
            GradableItem item = items.item(r.line());
            if (item == null) continue; // a verdict on a line the run no longer lists: nothing to count it against
            boolean isWrong = r.verdict() == Verdict.WRONG;
            if (items.inSample(r.line())) {
                if (isWrong) wrong++;
                else correct++;
                if (field.hasClasses()) {
                    long[] counts = byClass.computeIfAbsent(field.classOf(item.output()), c -> new long[2]);
                    counts[isWrong ? 1 : 0]++;
                }
            }
            if ("review".equals(item.outcome())) {
                if (isWrong) reviewWrong++;
                else reviewCorrect++;
            }
        }
        Map<String, ErrorRateEstimate> perClass = null;
        if (field.hasClasses()) {
            perClass = new TreeMap<>();
            for (Map.Entry<String, long[]> e : byClass.entrySet()) {
                perClass.put(e.getKey(), ErrorRateEstimate.of(e.getValue()[0], e.getValue()[1], null));
            }
        }
        ErrorRateEstimate estimate = ErrorRateEstimate.of(correct, wrong, perClass);
        QualityGate.Outcome verdict = QualityGate.verdict(estimate.interval(), maxErrorRate);
        Long toDecide = verdict == QualityGate.Outcome.UNDECIDED
                ? QualityGate.gradedItemsToDecide(wrong, estimate.graded(), maxErrorRate) : null;
        return new GradingSummary(field, items.sample().size(), estimate, reviewCorrect, reviewWrong, maxErrorRate,
                verdict, toDecide, graders, sessions, now);
    }

    /** Graded sample items still missing before the gate could decide at the current rate; null when unknown. */
    public Long moreItemsToDecide() {
        return gradedItemsToDecide == null ? null : Math.max(0, gradedItemsToDecide - sample.graded());
    }

    public ObjectNode toJson() {
        ObjectNode g = Json.MAPPER.createObjectNode();
        g.put("field", field.name());
        g.put("confidence_level", 0.95);
        ObjectNode s = g.putObject("sample");
        s.put("items", sampleItems);
        estimate(s, sample);
        if (sample.perClass() != null) {
            ObjectNode classes = s.putObject("per_class");
            sample.perClass().forEach((c, e) -> estimate(classes.putObject(c), e));
        }
        ObjectNode r = g.putObject("review");
        r.put("graded", reviewCorrect + reviewWrong);
        r.put("correct", reviewCorrect);
        r.put("wrong", reviewWrong);
        if (maxErrorRate == null) g.putNull("max_error_rate");
        else g.put("max_error_rate", maxErrorRate);
        g.put("verdict", verdict.label());
        if (moreItemsToDecide() == null) g.putNull("more_graded_items_to_decide");
        else g.put("more_graded_items_to_decide", moreItemsToDecide());
        graders.forEach(g.putArray("graders")::add);
        g.put("sessions", sessions);
        g.put("updated_at", updatedAt.toString());
        return g;
    }

    private static void estimate(ObjectNode into, ErrorRateEstimate e) {
        into.put("graded", e.graded());
        into.put("correct", e.correct());
        into.put("wrong", e.wrong());
        into.put("error_rate", rounded(e.errorRate()));
        into.putObject("interval").put("low", rounded(e.interval().low())).put("high", rounded(e.interval().high()));
    }

    static BigDecimal rounded(double v) {
        return BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_UP);
    }
}
