package io.batchline.offline.sim;

import io.batchline.catalogue.ModelCatalogue;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * How the simulator behaves. Request and output faults are fractions of requests, chosen deterministically from
 * the seed and the custom_id (which carries the attempt: {@code a1-l17}, {@code a2-l17}), so the same batch always
 * fails the same way and a retried request draws again. HTTP faults are fractions of API calls, drawn from the
 * seed and the call's sequence number.
 *
 * @param stateDir             where batches, requests and results live; null = a temp dir removed on close
 * @param retryableErrorRate   fraction of requests that come back errored api_error / overloaded_error
 * @param invalidRequestRate   fraction that come back errored invalid_request_error
 * @param nonJsonRate          fraction that succeed with prose instead of the requested JSON
 * @param expiredRate          fraction that come back expired
 * @param requiredApiKey       the only key accepted; null = any non-empty key
 * @param maxBodyBytes         create body limit (the API's is 256 MB); over it: 413 request_too_large
 * @param maxRequests          requests per batch (the API's is 100,000)
 * @param cancelLatency        how long a batch stays {@code canceling}
 * @param http429Rate          fraction of API calls answered 429 rate_limit_error (with retry-after: 1)
 * @param http529Rate          fraction answered 529 overloaded_error
 * @param http500Rate          fraction answered 500 api_error; on create, half of them after the batch was created
 * @param fencedJsonRate       fraction that succeed with the JSON inside a markdown fence
 * @param schemaViolationRate  fraction that succeed with valid JSON breaking the request's schema
 * @param lowConfidenceRate    fraction that succeed with a confidence below 0.7
 * @param refusalRate          fraction that succeed with {@code stop_reason: "refusal"} and at most a short partial text
 * @param catalogue            the models the simulated API serves and the request rules each one enforces
 * @param outage               from the first batch created on, every API call is answered 429 rate_limit_error with
 *                             {@code retry-after: 600} for this long on {@code clock} (a provider-wide incident);
 *                             zero = none
 */
public record SimulatorConfig(
        int port,
        Duration processingTime,
        Duration expireAfter,
        Path stateDir,
        long seed,
        double retryableErrorRate,
        double invalidRequestRate,
        double nonJsonRate,
        double expiredRate,
        String requiredApiKey,
        long maxBodyBytes,
        int maxRequests,
        Duration cancelLatency,
        Clock clock,
        double http429Rate,
        double http529Rate,
        double http500Rate,
        double fencedJsonRate,
        double schemaViolationRate,
        double lowConfidenceRate,
        double refusalRate,
        ModelCatalogue catalogue,
        Duration outage) {

    public static final long API_MAX_BODY_BYTES = 256L * 1024 * 1024;
    public static final int API_MAX_REQUESTS = 100_000;
    public static final String FAULTS_ENV = "BATCHLINE_SIM_FAULTS";
    public static final String SEED_ENV = "BATCHLINE_SIM_SEED";
    public static final long DEFAULT_SEED = 42;

    /** The names {@code BATCHLINE_SIM_FAULTS} accepts, in the order they are documented. */
    private static final Map<String, BiConsumer<Builder, Double>> FAULTS = new LinkedHashMap<>();

    static {
        FAULTS.put("http429", Builder::http429Rate);
        FAULTS.put("http529", Builder::http529Rate);
        FAULTS.put("http500", Builder::http500Rate);
        FAULTS.put("errored", Builder::retryableErrorRate);
        FAULTS.put("invalid_request", Builder::invalidRequestRate);
        FAULTS.put("expired", Builder::expiredRate);
        FAULTS.put("invalid_json", Builder::nonJsonRate);
        FAULTS.put("fenced_json", Builder::fencedJsonRate);
        FAULTS.put("schema_violation", Builder::schemaViolationRate);
        FAULTS.put("low_confidence", Builder::lowConfidenceRate);
        FAULTS.put("refusal", Builder::refusalRate);
    }

    public SimulatorConfig {
        if (processingTime == null || processingTime.isNegative()) throw new IllegalArgumentException("processingTime");
        if (expireAfter == null || expireAfter.isNegative() || expireAfter.isZero()) throw new IllegalArgumentException("expireAfter");
        double[] all = {retryableErrorRate, invalidRequestRate, nonJsonRate, expiredRate, http429Rate, http529Rate,
                http500Rate, fencedJsonRate, schemaViolationRate, lowConfidenceRate, refusalRate};
        for (double r : all) {
            if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("a fault fraction must be in [0,1]: " + r);
        }
        if (retryableErrorRate + invalidRequestRate + nonJsonRate + expiredRate + fencedJsonRate
                + schemaViolationRate + lowConfidenceRate + refusalRate > 1.0 + 1e-9) {
            throw new IllegalArgumentException("request fault fractions add up to more than 1");
        }
        if (http429Rate + http529Rate + http500Rate > 1.0 + 1e-9) {
            throw new IllegalArgumentException("HTTP fault fractions add up to more than 1");
        }
        if (clock == null) clock = Clock.systemUTC();
        if (cancelLatency == null) cancelLatency = Duration.ofMillis(200);
        if (catalogue == null) catalogue = ModelCatalogue.bundled();
        if (outage == null) outage = Duration.ZERO;
        if (outage.isNegative()) throw new IllegalArgumentException("outage must not be negative: " + outage);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SimulatorConfig defaults() {
        return builder().build();
    }

    /** The spec entry of an outage: its length in seconds ({@code outage=10800}), not a fraction. */
    private static final String OUTAGE = "outage";

    /** The valid fault names, comma separated (for messages and docs). */
    public static String faultNames() {
        return String.join(", ", FAULTS.keySet()) + ", " + OUTAGE + " (seconds)";
    }

    /**
     * A config with the faults of a {@code BATCHLINE_SIM_FAULTS} spec ("http429=0.3,errored=0.05,...") and
     * otherwise defaults.
     *
     * @throws IllegalArgumentException naming the bad entry and the valid names
     */
    public static SimulatorConfig fromFaultSpec(String spec, long seed) {
        return builder().seed(seed).faults(spec).build();
    }

    /**
     * Applies {@code BATCHLINE_SIM_FAULTS} and {@code BATCHLINE_SIM_SEED} from {@code env} (either may be unset),
     * and serves the models of the catalogue {@code env} names ({@link ModelCatalogue#fromEnvOrBundled}).
     *
     * @throws IllegalArgumentException when any of them is malformed
     */
    public static Builder applyEnv(Builder b, Map<String, String> env) {
        b.catalogue(ModelCatalogue.fromEnvOrBundled(env));
        String seed = env.get(SEED_ENV);
        if (seed != null && !seed.isBlank()) {
            try {
                b.seed(Long.parseLong(seed.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(SEED_ENV + " must be an integer, not '" + seed + "'");
            }
        }
        String faults = env.get(FAULTS_ENV);
        if (faults != null && !faults.isBlank()) {
            try {
                b.faults(faults);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(FAULTS_ENV + ": " + e.getMessage(), e);
            }
        }
        return b;
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.port = port; b.processingTime = processingTime; b.expireAfter = expireAfter; b.stateDir = stateDir;
        b.seed = seed; b.retryableErrorRate = retryableErrorRate; b.invalidRequestRate = invalidRequestRate;
        b.nonJsonRate = nonJsonRate; b.expiredRate = expiredRate; b.requiredApiKey = requiredApiKey;
        b.maxBodyBytes = maxBodyBytes; b.maxRequests = maxRequests; b.cancelLatency = cancelLatency; b.clock = clock;
        b.http429Rate = http429Rate; b.http529Rate = http529Rate; b.http500Rate = http500Rate;
        b.fencedJsonRate = fencedJsonRate; b.schemaViolationRate = schemaViolationRate;
        b.lowConfidenceRate = lowConfidenceRate; b.refusalRate = refusalRate; b.catalogue = catalogue;
        b.outage = outage;
        return b;
    }

    public static final class Builder {
        private int port;
        private Duration processingTime = Duration.ofSeconds(2);
        private Duration expireAfter = Duration.ofHours(24);
        private Path stateDir;
        private long seed = DEFAULT_SEED;
        private double retryableErrorRate;
        private double invalidRequestRate;
        private double nonJsonRate;
        private double expiredRate;
        private String requiredApiKey;
        private long maxBodyBytes = API_MAX_BODY_BYTES;
        private int maxRequests = API_MAX_REQUESTS;
        private Duration cancelLatency = Duration.ofMillis(200);
        private Clock clock = Clock.systemUTC();
        private double http429Rate;
        private double http529Rate;
        private double http500Rate;
        private double fencedJsonRate;
        private double schemaViolationRate;
        private double lowConfidenceRate;
        private double refusalRate;
        private ModelCatalogue catalogue = ModelCatalogue.bundled();
        private Duration outage = Duration.ZERO;

        /** 0 = a random free port. */
        public Builder port(int v) { port = v; return this; }
        public Builder processingTime(Duration v) { processingTime = v; return this; }
        public Builder expireAfter(Duration v) { expireAfter = v; return this; }
        public Builder stateDir(Path v) { stateDir = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder retryableErrorRate(double v) { retryableErrorRate = v; return this; }
        public Builder invalidRequestRate(double v) { invalidRequestRate = v; return this; }
        public Builder nonJsonRate(double v) { nonJsonRate = v; return this; }
        public Builder expiredRate(double v) { expiredRate = v; return this; }
        public Builder requiredApiKey(String v) { requiredApiKey = v; return this; }
        public Builder maxBodyBytes(long v) { maxBodyBytes = v; return this; }
        public Builder maxRequests(int v) { maxRequests = v; return this; }
        public Builder cancelLatency(Duration v) { cancelLatency = v; return this; }
        public Builder clock(Clock v) { clock = v; return this; }
        public Builder http429Rate(double v) { http429Rate = v; return this; }
        public Builder http529Rate(double v) { http529Rate = v; return this; }
        public Builder http500Rate(double v) { http500Rate = v; return this; }
        public Builder fencedJsonRate(double v) { fencedJsonRate = v; return this; }
        public Builder schemaViolationRate(double v) { schemaViolationRate = v; return this; }
        public Builder lowConfidenceRate(double v) { lowConfidenceRate = v; return this; }
        public Builder refusalRate(double v) { refusalRate = v; return this; }
        public Builder catalogue(ModelCatalogue v) { catalogue = v; return this; }
        public Builder outage(Duration v) { outage = v; return this; }

        /** Sets the faults named in a spec like {@code "http429=0.3,errored=0.05"}; unnamed faults keep their value. */
        public Builder faults(String spec) {
            if (spec == null || spec.isBlank()) return this;
            for (String part : spec.split(",")) {
                if (part.isBlank()) continue;
                int eq = part.indexOf('=');
                String name = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                if (name.equals(OUTAGE)) {
                    String value = eq < 0 ? "" : part.substring(eq + 1).trim();
                    try {
                        outage = Duration.ofSeconds(Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("fault 'outage' needs its length in whole seconds: outage=10800");
                    }
                    if (outage.isNegative()) throw new IllegalArgumentException("fault 'outage': " + value + " is negative");
                    continue;
                }
                BiConsumer<Builder, Double> set = FAULTS.get(name);
                if (set == null) {
                    throw new IllegalArgumentException("unknown fault '" + name + "'; valid: " + faultNames());
                }
                if (eq < 0) throw new IllegalArgumentException("fault '" + name + "' needs a fraction: " + name + "=0.1");
                String value = part.substring(eq + 1).trim();
                double v;
                try {
                    v = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("fault '" + name + "': '" + value + "' is not a number");
                }
                if (!(v >= 0 && v <= 1)) {
                    throw new IllegalArgumentException("fault '" + name + "': " + value + " is not a fraction in [0,1]");
                }
                set.accept(this, v);
            }
            return this;
        }

        public SimulatorConfig build() {
            return new SimulatorConfig(port, processingTime, expireAfter, stateDir, seed, retryableErrorRate,
                    invalidRequestRate, nonJsonRate, expiredRate, requiredApiKey, maxBodyBytes, maxRequests,
                    cancelLatency, clock, http429Rate, http529Rate, http500Rate, fencedJsonRate,
                    schemaViolationRate, lowConfidenceRate, refusalRate, catalogue, outage);
        }
    }
}
