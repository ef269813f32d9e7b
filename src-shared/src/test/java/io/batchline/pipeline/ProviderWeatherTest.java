package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.provider.ProviderException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A failed provider call is put off to the state machine until the provider has failed every call for the whole
 * horizon (30 hours by default); then the run gives up with its batches kept for resume.
 */
class ProviderWeatherTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final long HORIZON = ProviderWeather.DEFAULT_HORIZON_SECONDS;

    private static ProviderWeather weather() {
        PipelineContext ctx = new PipelineContext(bucket -> null, null, null, null, PipelineConfig.fromEnv(Map.of()),
                Clock.fixed(NOW, ZoneOffset.UTC));
        return new ProviderWeather(ctx);
    }

    private static TransientStageException throttled(Duration retryAfter) {
        return new TransientStageException("checking msgbatch_1", new ProviderException(
                ProviderException.Kind.RATE_LIMITED, 429, "rate_limit_error", "slow down", "req_1", retryAfter, null));
    }

    @Test
    void theFirstFailureStartsTheStreakNow() {
        PollState state = weather().putOff(throttled(null), "run-1", 3, 2, 0, 0);

        assertThat(state.allEnded()).isFalse();
        assertThat(state.throttled()).isEqualTo(1);
        assertThat(state.throttledSince()).isEqualTo(NOW.getEpochSecond());
        assertThat(state.openBatches()).isEqualTo(2);
        assertThat(state.throttledCause()).isEqualTo("checking msgbatch_1");
    }

    @Test
    void aStreakJustInsideTheHorizonIsStillWaitedOut() {
        long since = NOW.getEpochSecond() - HORIZON;

        PollState state = weather().putOff(throttled(Duration.ofMinutes(10)), "run-1", 180, 4, 179, since);

        assertThat(state.throttled()).isEqualTo(180);
        assertThat(state.throttledSince()).as("the streak keeps its start").isEqualTo(since);
        assertThat(state.waitSeconds()).as("retry-after honoured").isGreaterThanOrEqualTo(600);
    }

    @Test
    void aStreakLongerThanTheHorizonGivesUpNamingResume() {
        long since = NOW.getEpochSecond() - HORIZON - 1;

        assertThatThrownBy(() -> weather().putOff(throttled(null), "run-1", 200, 4, 199, since))
                .isInstanceOfSatisfying(PermanentStageException.class,
                        e -> assertThat(e.code()).isEqualTo(ProviderWeather.GIVE_UP))
                .hasMessageContaining("for 1800 min")
                .hasMessageContaining("200 checks in a row")
                .hasMessageContaining("batchline resume run-1");
    }

    @Test
    void waitsFollowRetryAfterElseAJitteredBackoffWithinTheCap() {
        ProviderWeather weather = weather();
        PipelineConfig config = PipelineConfig.fromEnv(Map.of());
        for (int n = 1; n <= 30; n++) {
            int wait = weather.waitSeconds(n, null);
            assertThat(wait).isBetween(config.pollMinSeconds(),
                    Math.max(config.pollMinSeconds(), Math.min(config.pollMaxSeconds(), ProviderWeather.MAX_WAIT_SECONDS)));
        }
        assertThat(weather.waitSeconds(1, Duration.ofMinutes(20))).isEqualTo(1200);
        assertThat(weather.waitSeconds(1, Duration.ofDays(2))).as("a retry-after is capped at 6 h").isEqualTo(6 * 3600);
    }
}
