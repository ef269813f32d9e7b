package io.batchline.pipeline;

import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.provider.ProviderException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * A provider storm (429, 529, 5xx, timeouts) while a run has batches is waited out by the state machine,
 * not failed after the client's and the Retry block's few minutes. "Submit batches" and "Check batches" turn a
 * passing failure into a {@link PollState} that says "not yet, check again in N s" ({@code retry-after} when the
 * provider sent one, else a capped exponential with full jitter); the "Wait for batches" state does the waiting,
 * so no Lambda sleeps and the execution history grows by one poll per wait. The streak's start travels in the
 * state; past {@link #horizon()} without one call going through (default 30 h: the provider's 24 h batch expiry
 * plus a margin) the run gives up as {@value #GIVE_UP}, and a failed run keeps its batches for
 * {@code batchline resume}.
 */
public final class ProviderWeather {
    private static final Logger LOG = Logger.getLogger(ProviderWeather.class.getName());
    public static final String HORIZON_ENV = "BATCHLINE_PROVIDER_OUTAGE_HORIZON_SECONDS";
    public static final int DEFAULT_HORIZON_SECONDS = 30 * 3600;
    /** The error a run fails with when the provider did not answer for a whole horizon. */
    public static final String GIVE_UP = "ProviderUnavailable";
    /** The longest wait between two tries, whatever the poll bounds (AWS's 30 min poll cap is too long here). */
    static final int MAX_WAIT_SECONDS = 900;

    private final PipelineContext ctx;

    ProviderWeather(PipelineContext ctx) {
        this.ctx = ctx;
    }

    Duration horizon() {
        return ctx.config().providerOutageHorizon();
    }

    /**
     * The state after a passing failure: wait and check again, or give up past the horizon.
     *
     * @param throttled      failures in a row before this one
     * @param throttledSince when the streak began (epoch seconds), 0 when this failure begins it
     */
    PollState putOff(TransientStageException e, String runId, int polls, int open, int throttled, long throttledSince) {
        Instant now = ctx.clock().instant();
        long since = throttledSince > 0 ? throttledSince : now.getEpochSecond();
        Duration stormy = Duration.between(Instant.ofEpochSecond(since), now);
        if (stormy.compareTo(horizon()) > 0) {
            throw new PermanentStageException(GIVE_UP, "the provider failed every call for " + stormy.toMinutes()
                    + " min (" + (throttled + 1) + " checks in a row; the last: " + e.getMessage() + "); the run's"
                    + " batches are kept on its shard records: `batchline resume " + runId + "` continues it", e);
        }
        int n = throttled + 1;
        int wait = waitSeconds(n, retryAfter(e));
        LOG.warning(() -> "run " + runId + ": provider call put off (" + e.getMessage() + "); " + n
                + " in a row since " + Instant.ofEpochSecond(since) + "; the state machine checks again in " + wait + " s");
        String cause = e.getMessage();
        if (cause != null && cause.length() > 500) cause = cause.substring(0, 500) + "...";
        return new PollState(false, wait, polls, open, List.of(), List.of(), n, since, cause);
    }

    /** retry-after when the provider sent one (never sooner), else full jitter over pollMin * 2^(n-1), capped. */
    int waitSeconds(int n, Duration retryAfter) {
        PipelineConfig c = ctx.config();
        int cap = Math.max(c.pollMinSeconds(), Math.min(c.pollMaxSeconds(), MAX_WAIT_SECONDS));
        double ceiling = Math.min(cap, c.pollMinSeconds() * Math.pow(2, Math.min(n - 1, 20)));
        int wait = (int) Math.round(c.pollMinSeconds() + ThreadLocalRandom.current().nextDouble()
                * Math.max(0, ceiling - c.pollMinSeconds()));
        if (retryAfter != null) wait = (int) Math.max(wait, Math.min(retryAfter.toSeconds(), 6 * 3600));
        return Math.max(1, wait);
    }

    static Duration retryAfter(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProviderException p && p.retryAfter() != null) return p.retryAfter();
            if (t.getCause() == t) break;
        }
        return null;
    }
}
