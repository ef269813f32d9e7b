package io.batchline.provider.anthropic;

import io.batchline.provider.ProviderException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Repeats one provider call while its failures may be retried: at most {@code maxRetries} more attempts, each after
 * the {@link Backoff}'s wait. Which failure may be retried is the attempt's decision; a retry-after longer than
 * {@link #MAX_HONOURED_RETRY_AFTER} is not waited out here but thrown, for the caller to schedule.
 */
final class Retrier {
    private static final Logger LOG = Logger.getLogger(Retrier.class.getName());
    static final Duration MAX_HONOURED_RETRY_AFTER = Duration.ofMinutes(5);

    /** What one attempt came to: a value, or a failure that may or may not be tried again. */
    record Outcome<T>(T value, ProviderException failure, boolean mayRetry) {
        static <T> Outcome<T> success(T value) {
            return new Outcome<>(value, null, false);
        }

        static <T> Outcome<T> failure(ProviderException failure, boolean mayRetry) {
            return new Outcome<>(null, Objects.requireNonNull(failure, "failure"), mayRetry);
        }
    }

    private final int maxRetries;
    private final Backoff backoff;
    private final Sleeper sleeper;

    Retrier(int maxRetries, Backoff backoff, Sleeper sleeper) {
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0");
        this.maxRetries = maxRetries;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Runs {@code attempt} until it succeeds or its failure is final. An attempt may also throw, which ends the
     * call at once.
     */
    <T> T run(String what, Supplier<Outcome<T>> attempt) {
        for (int retries = 0; ; retries++) {
            Outcome<T> outcome = attempt.get();
            ProviderException failure = outcome.failure();
            if (failure == null) return outcome.value();
            if (!outcome.mayRetry() || retries >= maxRetries) throw failure;
            if (failure.retryAfter() != null && failure.retryAfter().compareTo(MAX_HONOURED_RETRY_AFTER) > 0) {
                throw failure; // a long wait belongs to the caller (a Step Functions Wait), not a blocked thread
            }
            Duration wait = backoff.delay(retries, failure.retryAfter());
            if (LOG.isLoggable(Level.INFO)) {
                LOG.info(what + " failed (" + failure.getMessage() + "), retry " + (retries + 1) + "/"
                        + maxRetries + " in " + wait.toMillis() + " ms");
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure.addSuppressed(e);
                throw failure;
            }
        }
    }
}
