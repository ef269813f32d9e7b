package io.batchline.pipeline;

import java.util.Map;

/**
 * Settings every stage reads from its environment; the same names in AWS and in the local stack.
 *
 * @param maxQueuedRequests     the provider's queue limit: requests this run keeps in unfinished batches at once
 *                              ({@code BATCHLINE_PROVIDER_MAX_QUEUED_REQUESTS}, default tier 1's 100,000)
 * @param batchCreatesPerMinute batch creations this run makes per minute
 *                              ({@code BATCHLINE_PROVIDER_BATCH_CREATES_PER_MINUTE}, default tier 1's 50 RPM)
 */
public record PipelineConfig(
        String table,
        String stateMachineArn,
        int pollMinSeconds,
        int pollMaxSeconds,
        long maxQueuedRequests,
        int batchCreatesPerMinute) {

    /** Anthropic's tier 1 Message Batches limits (the lowest: a deployment on a higher tier raises them). */
    public static final long TIER1_MAX_QUEUED_REQUESTS = 100_000;
    public static final int TIER1_BATCH_CREATES_PER_MINUTE = 50;

    public PipelineConfig {
        if (maxQueuedRequests < 1) throw new IllegalArgumentException("BATCHLINE_PROVIDER_MAX_QUEUED_REQUESTS must be >= 1");
        if (batchCreatesPerMinute < 1) {
            throw new IllegalArgumentException("BATCHLINE_PROVIDER_BATCH_CREATES_PER_MINUTE must be >= 1");
        }
    }

    /** With tier 1's provider limits. */
    public PipelineConfig(String table, String stateMachineArn, int pollMinSeconds, int pollMaxSeconds) {
        this(table, stateMachineArn, pollMinSeconds, pollMaxSeconds, TIER1_MAX_QUEUED_REQUESTS,
                TIER1_BATCH_CREATES_PER_MINUTE);
    }

    public static PipelineConfig fromEnv(Map<String, String> env) {
        return new PipelineConfig(
                env.getOrDefault("BATCHLINE_TABLE", "batchline"),
                env.get("BATCHLINE_STATE_MACHINE_ARN"),
                intOf(env, "BATCHLINE_POLL_MIN_SECONDS", 30),
                intOf(env, "BATCHLINE_POLL_MAX_SECONDS", 1800),
                intOf(env, "BATCHLINE_PROVIDER_MAX_QUEUED_REQUESTS", (int) TIER1_MAX_QUEUED_REQUESTS),
                intOf(env, "BATCHLINE_PROVIDER_BATCH_CREATES_PER_MINUTE", TIER1_BATCH_CREATES_PER_MINUTE));
    }

    /** Each wait is this much longer than the one before: a run learns an ended batch at most ~20% late. */
    static final double POLL_GROWTH = 1.2;

    /**
     * Adaptive polling ({@code $.poll.wait_seconds}): 30 s after the submit, then 20% longer each poll (36 s,
     * 43 s, 52 s, ...), capped at 30 min (reached after ~2.7 h). A quick batch is seen within a minute or two;
     * one that takes the provider's full 24 h costs ~66 polls, ~600 history events (far below 25,000, and one
     * tenth of a fixed 5 min interval). {@code BATCHLINE_POLL_MIN_SECONDS} / {@code _MAX_SECONDS} change the bounds.
     */
    public int waitAfterPoll(int polls) {
        double wait = pollMinSeconds * Math.pow(POLL_GROWTH, Math.min(polls, 200));
        return (int) Math.min(pollMaxSeconds, Math.max(pollMinSeconds, Math.round(wait)));
    }

    /** How many polls the schedule makes before {@code seconds} have passed since the submit (at least one). */
    public int pollsWithin(long seconds) {
        long waited = 0;
        int polls = 0;
        while (true) {
            waited += Math.max(1, waitAfterPoll(polls));
            polls++;
            if (waited >= seconds) return polls;
        }
    }

    /** A whole-number setting from the environment, or its default when unset or blank. */
    public static int intOf(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + v + "'");
        }
    }
}
