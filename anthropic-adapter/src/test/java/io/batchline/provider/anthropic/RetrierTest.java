package io.batchline.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.provider.ProviderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetrierTest {
    private final List<Duration> sleeps = new ArrayList<>();
    private final Retrier retrier =
            new Retrier(2, new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.5), sleeps::add);

    private static ProviderException overloaded(Duration retryAfter) {
        return new ProviderException(ProviderException.Kind.OVERLOADED, 529, "overloaded_error", "busy", null,
                retryAfter, null);
    }

    @Test
    void retriesAFailureThatMayBeRetriedUntilItSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        String answer = retrier.run("call", () -> calls.incrementAndGet() < 3
                ? Retrier.Outcome.failure(overloaded(null), true) : Retrier.Outcome.success("ok"));

        assertThat(answer).isEqualTo("ok");
        assertThat(calls).hasValue(3);
        assertThat(sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void givesUpAfterMaxRetriesAndAtOnceOnAFinalFailure() {
        AtomicInteger calls = new AtomicInteger();
        ProviderException busy = overloaded(null);
        assertThatThrownBy(() -> retrier.run("call", () -> {
            calls.incrementAndGet();
            return Retrier.Outcome.failure(busy, true);
        })).isSameAs(busy);
        assertThat(calls).hasValue(3);

        calls.set(0);
        assertThatThrownBy(() -> retrier.run("call", () -> {
            calls.incrementAndGet();
            return Retrier.Outcome.failure(busy, false);
        })).isSameAs(busy);
        assertThat(calls).hasValue(1);
    }

    @Test
    void leavesALongRetryAfterToTheCaller() {
        ProviderException later = overloaded(Retrier.MAX_HONOURED_RETRY_AFTER.plusSeconds(1));
        assertThatThrownBy(() -> retrier.run("call", () -> Retrier.Outcome.failure(later, true))).isSameAs(later);
        assertThat(sleeps).isEmpty();

        AtomicInteger calls = new AtomicInteger();
        retrier.run("call", () -> calls.incrementAndGet() == 1
                ? Retrier.Outcome.failure(overloaded(Duration.ofSeconds(7)), true) : Retrier.Outcome.success("ok"));
        assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
    }
}
