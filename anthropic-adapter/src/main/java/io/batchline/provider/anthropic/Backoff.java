package io.batchline.provider.anthropic;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next attempt: the server's retry-after when it gave one, else full jitter over an
 * exponential that doubles from {@code base} and is capped at {@code max}.
 */
final class Backoff {
    private final Duration base;
    private final Duration max;
    private final DoubleSupplier jitter;

    /** @param jitter values in [0,1) scaling each wait (full jitter) */
    Backoff(Duration base, Duration max, DoubleSupplier jitter) {
        this.base = Objects.requireNonNull(base, "base");
        this.max = Objects.requireNonNull(max, "max");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
    }

    /** The wait before retry number {@code attempt + 1}; never earlier than the server asks. */
    Duration delay(int attempt, Duration retryAfter) {
        if (retryAfter != null) return retryAfter;
        long cap = max.toMillis();
        long exp = base.toMillis() << Math.min(attempt, 20);
        long ceiling = Math.min(cap, exp < 0 ? cap : exp);
        return Duration.ofMillis((long) (jitter.getAsDouble() * ceiling));
    }

    /** A {@code retry-after} header in seconds; null for an HTTP date or garbage (our own backoff applies). */
    static Duration parseRetryAfter(String v) {
        try {
            double secs = Double.parseDouble(v.trim());
            return secs < 0 ? null : Duration.ofMillis((long) (secs * 1000));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
