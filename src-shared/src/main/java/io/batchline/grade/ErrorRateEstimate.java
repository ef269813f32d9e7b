package io.batchline.grade;

import java.util.Map;

/**
 * The error rate of the graded sample items ({@code wrong / (correct + wrong)}, skips left out) with its 95%
 * Wilson interval; per class (the model's answer in the compared field) when that field has classes.
 */
public record ErrorRateEstimate(long correct, long wrong, WilsonInterval interval, Map<String, ErrorRateEstimate> perClass) {

    public static ErrorRateEstimate of(long correct, long wrong, Map<String, ErrorRateEstimate> perClass) {
        return new ErrorRateEstimate(correct, wrong, WilsonInterval.of95(wrong, correct + wrong), perClass);
    }

    public long graded() {
        return correct + wrong;
    }

    /** wrong / graded; 0 when nothing is graded (the interval, [0, 1], says how little that means). */
    public double errorRate() {
        return graded() == 0 ? 0 : (double) wrong / graded();
    }
}
