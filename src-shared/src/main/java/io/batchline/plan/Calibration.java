package io.batchline.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.render.TokenEstimator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

/**
 * Calibrates the token estimator against the provider's count_tokens: a seeded uniform sample of the
 * rendered requests is counted, and the estimate's error on it is reported as the {@code calibration} block of
 * plan.json and report.json. Relative error = (estimate - counted) / counted, per request.
 */
public final class Calibration {
    private Calibration() {}

    public static final int DEFAULT_SAMPLE = 20;
    /** A hard cap: count_tokens is free but rate limited, and 20 already say how far off the estimate is. */
    public static final int MAX_SAMPLE = 200;

    /** How many requests the job wants counted: {@code calibration.sample}, default 20, 0 = off. */
    public static int sampleSize(JobSpec job) {
        Integer n = job.calibration() == null ? null : job.calibration().sample();
        return n == null ? DEFAULT_SAMPLE : Math.max(0, Math.min(n, MAX_SAMPLE));
    }

    /** {@code calibration.seed}, else one derived from the run id: the same run samples the same requests. */
    public static long seed(JobSpec job, String runId) {
        Long s = job.calibration() == null ? null : job.calibration().seed();
        return s != null ? s : runId.hashCode() * 0x9E3779B97F4A7C15L;
    }

    /** A seeded reservoir of rendered params: memory is the sample, never the input. */
    public static final class Sample {
        private final int size;
        private final SplittableRandom random;
        private final List<ObjectNode> params = new ArrayList<>();
        private long seen;

        public Sample(int size, long seed) {
            this.size = size;
            this.random = new SplittableRandom(seed);
        }

        public void offer(ObjectNode requestParams) {
            seen++;
            if (size <= 0) return;
            if (params.size() < size) {
                params.add(requestParams);
            } else {
                long j = random.nextLong(seen);
                if (j < size) params.set((int) j, requestParams);
            }
        }

        public List<ObjectNode> params() {
            return List.copyOf(params);
        }

        public long seen() {
            return seen;
        }
    }

    /**
     * Counts the sample with {@code countTokens} and reports the estimator's error. A request whose count fails
     * for a passing reason is left out ({@code count_failures}); any other failure, or all of them failing, is
     * thrown: the caller then records why calibration was skipped ({@link #skipped}).
     *
     * @param provider where the counts came from (a base URL), for the reader
     */
    public static ObjectNode measure(Sample sample, ToLongFunction<ObjectNode> countTokens, String provider) {
        List<ObjectNode> params = sample.params();
        long estimated = 0;
        long counted = 0;
        double sumAbs = 0;
        double sumSigned = 0;
        double max = 0;
        int over = 0;
        int under = 0;
        int failures = 0;
        List<ObjectNode> measured = new ArrayList<>();
        for (ObjectNode p : params) {
            long c;
            try {
                c = countTokens.applyAsLong(p);
            } catch (io.batchline.provider.ProviderException x) {
                // a passing failure (after the client's retries) loses one request of the sample, not the sample
                if (!x.retryable() || ++failures == params.size()) throw x;
                continue;
            }
            measured.add(p);
            long e = TokenEstimator.estimate(p);
            estimated += e;
            counted += c;
            double rel = c == 0 ? 0 : (double) (e - c) / c;
            sumAbs += Math.abs(rel);
            sumSigned += rel;
            max = Math.max(max, Math.abs(rel));
            if (e > c) over++;
            else if (e < c) under++;
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("measured", !measured.isEmpty());
        n.put("provider", provider);
        n.put("sample_size", measured.size());
        if (failures > 0) n.put("count_failures", failures);
        n.put("requests", sample.seen());
        n.put("estimated_input_tokens", estimated);
        n.put("counted_input_tokens", counted);
        int k = Math.max(1, measured.size());
        n.put("mean_relative_error", round(sumAbs / k));
        n.put("max_relative_error", round(max));
        n.put("mean_signed_error", round(sumSigned / k));
        n.put("errs", over == measured.size() && over > 0 ? "over" : under == measured.size() && under > 0 ? "under"
                : over == 0 && under == 0 ? "exact" : "both");
        n.put("overestimated", over);
        n.put("underestimated", under);
        n.put("counted_to_estimated", estimated == 0 ? BigDecimal.ZERO : round((double) counted / estimated));
        return n;
    }

    /** The block when nothing was counted, saying why. */
    public static ObjectNode skipped(String reason) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("measured", false);
        n.put("skipped", reason);
        return n;
    }

    private static BigDecimal round(double v) {
        return BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_UP);
    }
}
