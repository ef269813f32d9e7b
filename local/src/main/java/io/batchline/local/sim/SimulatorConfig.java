package io.batchline.local.sim;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * How the simulator behaves. Fault fractions are per request, chosen deterministically from the seed and the
 * custom_id, so the same batch always fails the same way.
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
        Clock clock) {

    public static final long API_MAX_BODY_BYTES = 256L * 1024 * 1024;
    public static final int API_MAX_REQUESTS = 100_000;

    public SimulatorConfig {
        if (processingTime == null || processingTime.isNegative()) throw new IllegalArgumentException("processingTime");
        if (expireAfter == null || expireAfter.isNegative() || expireAfter.isZero()) throw new IllegalArgumentException("expireAfter");
        if (retryableErrorRate + invalidRequestRate + nonJsonRate + expiredRate > 1.0) {
            throw new IllegalArgumentException("fault fractions add up to more than 1");
        }
        if (clock == null) clock = Clock.systemUTC();
        if (cancelLatency == null) cancelLatency = Duration.ofMillis(200);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SimulatorConfig defaults() {
        return builder().build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.port = port; b.processingTime = processingTime; b.expireAfter = expireAfter; b.stateDir = stateDir;
        b.seed = seed; b.retryableErrorRate = retryableErrorRate; b.invalidRequestRate = invalidRequestRate;
        b.nonJsonRate = nonJsonRate; b.expiredRate = expiredRate; b.requiredApiKey = requiredApiKey;
        b.maxBodyBytes = maxBodyBytes; b.maxRequests = maxRequests; b.cancelLatency = cancelLatency; b.clock = clock;
        return b;
    }

    public static final class Builder {
        private int port;
        private Duration processingTime = Duration.ofSeconds(2);
        private Duration expireAfter = Duration.ofHours(24);
        private Path stateDir;
        private long seed = 42;
        private double retryableErrorRate;
        private double invalidRequestRate;
        private double nonJsonRate;
        private double expiredRate;
        private String requiredApiKey;
        private long maxBodyBytes = API_MAX_BODY_BYTES;
        private int maxRequests = API_MAX_REQUESTS;
        private Duration cancelLatency = Duration.ofMillis(200);
        private Clock clock = Clock.systemUTC();

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

        public SimulatorConfig build() {
            return new SimulatorConfig(port, processingTime, expireAfter, stateDir, seed, retryableErrorRate,
                    invalidRequestRate, nonJsonRate, expiredRate, requiredApiKey, maxBodyBytes, maxRequests,
                    cancelLatency, clock);
        }
    }
}
