package io.batchline.pipeline;

import java.util.Map;

/** Settings every stage reads from its environment; the same names in AWS and in the local stack. */
public record PipelineConfig(
        String table,
        String stateMachineArn,
        int pollMinSeconds,
        int pollMaxSeconds) {

    public static PipelineConfig fromEnv(Map<String, String> env) {
        return new PipelineConfig(
                env.getOrDefault("BATCHLINE_TABLE", "batchline"),
                env.get("BATCHLINE_STATE_MACHINE_ARN"),
                intOf(env, "BATCHLINE_POLL_MIN_SECONDS", 30),
                intOf(env, "BATCHLINE_POLL_MAX_SECONDS", 300));
    }

    /**
     * Adaptive polling: starts at the minimum and grows by half each poll up to the maximum, so a batch that
     * takes the provider's full 24 h costs ~300 polls (~3,000 history events), far below the 25,000 limit.
     */
    public int waitAfterPoll(int polls) {
        double wait = pollMinSeconds * Math.pow(1.5, Math.min(polls, 40));
        return (int) Math.min(pollMaxSeconds, Math.max(pollMinSeconds, Math.round(wait)));
    }

    private static int intOf(Map<String, String> env, String name, int dflt) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of seconds, got '" + v + "'");
        }
    }
}
