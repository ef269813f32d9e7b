package io.batchline.pipeline;

import io.batchline.catalogue.ModelCatalogue;
import io.batchline.cost.StageMeter;
import io.batchline.plan.FormatCheckpoint;
import io.batchline.render.RequestShape;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Settings every stage reads, parsed once from the environment by the code that starts the process (the Lambda
 * wiring, the local command line); the same names in AWS and in the local stack.
 *
 * @param maxQueuedRequests      the provider's queue limit: requests this run keeps in unfinished batches at once
 *                               ({@code BATCHLINE_PROVIDER_MAX_QUEUED_REQUESTS}, default tier 1's 100,000)
 * @param batchCreatesPerMinute  batch creations this run makes per minute
 *                               ({@code BATCHLINE_PROVIDER_BATCH_CREATES_PER_MINUTE}, default tier 1's 50 RPM)
 * @param providerOutageHorizon  how long a provider outage is waited out before the run gives up
 *                               ({@value ProviderWeather#HORIZON_ENV}, default 30 h)
 * @param collectCheckpointEvery results collected between checkpoints ({@code BATCHLINE_COLLECT_CHECKPOINT_EVERY},
 *                               default {@value CollectCheckpoint#DEFAULT_EVERY}, at least 1)
 * @param collectGroupRequests   requests one "Collect shard" takes at most ({@code BATCHLINE_COLLECT_GROUP_REQUESTS},
 *                               default {@value PollStage#DEFAULT_COLLECT_GROUP_REQUESTS}, at least 1)
 * @param formatCheckpointEvery  lines formatted between checkpoints ({@code BATCHLINE_FORMAT_CHECKPOINT_EVERY},
 *                               default {@value FormatCheckpoint#DEFAULT_EVERY}, 0 = none)
 * @param models                 the model catalogue requests are rendered with: the bundled one, with the models
 *                               of {@value ModelCatalogue#MODELS_FILE_ENV} over it; read on first use
 * @param anthropicVersion       the API version requests are rendered for ({@value RequestShape#API_VERSION_ENV},
 *                               default 2023-06-01)
 * @param functionMemoryMb       the function's configured memory, for the run's AWS cost
 *                               ({@code AWS_LAMBDA_FUNCTION_MEMORY_SIZE}, default 1024)
 * @param chaosFile              the local stack's fault switch ({@code BATCHLINE_CHAOS_FILE}); null: off, as in AWS
 */
public record PipelineConfig(
        String table,
        String stateMachineArn,
        int pollMinSeconds,
        int pollMaxSeconds,
        long maxQueuedRequests,
        int batchCreatesPerMinute,
        Duration providerOutageHorizon,
        int collectCheckpointEvery,
        int collectGroupRequests,
        int formatCheckpointEvery,
        Supplier<ModelCatalogue> models,
        String anthropicVersion,
        int functionMemoryMb,
        String chaosFile) {

    /** Anthropic's tier 1 Message Batches limits (the lowest: a deployment on a higher tier raises them). */
    public static final long TIER1_MAX_QUEUED_REQUESTS = 100_000;
    public static final int TIER1_BATCH_CREATES_PER_MINUTE = 50;

    public PipelineConfig {
        if (maxQueuedRequests < 1) throw new IllegalArgumentException("BATCHLINE_PROVIDER_MAX_QUEUED_REQUESTS must be >= 1");
        if (batchCreatesPerMinute < 1) {
            throw new IllegalArgumentException("BATCHLINE_PROVIDER_BATCH_CREATES_PER_MINUTE must be >= 1");
        }
        Objects.requireNonNull(providerOutageHorizon, "providerOutageHorizon");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(anthropicVersion, "anthropicVersion");
    }

    /** With tier 1's provider limits. */
    public PipelineConfig(String table, String stateMachineArn, int pollMinSeconds, int pollMaxSeconds) {
        this(table, stateMachineArn, pollMinSeconds, pollMaxSeconds, TIER1_MAX_QUEUED_REQUESTS,
                TIER1_BATCH_CREATES_PER_MINUTE);
    }

    /** These provider limits, and every other setting at its default (as with an empty environment). */
    public PipelineConfig(String table, String stateMachineArn, int pollMinSeconds, int pollMaxSeconds,
                          long maxQueuedRequests, int batchCreatesPerMinute) {
        this(table, stateMachineArn, pollMinSeconds, pollMaxSeconds, maxQueuedRequests, batchCreatesPerMinute,
                Duration.ofSeconds(ProviderWeather.DEFAULT_HORIZON_SECONDS), CollectCheckpoint.DEFAULT_EVERY,
                PollStage.DEFAULT_COLLECT_GROUP_REQUESTS, FormatCheckpoint.DEFAULT_EVERY, ModelCatalogue::bundled,
                ModelCatalogue.API_VERSION_2023, DEFAULT_FUNCTION_MEMORY_MB, null);
    }

    static final int DEFAULT_FUNCTION_MEMORY_MB = 1024;

    public static PipelineConfig fromEnv(Map<String, String> env) {
        Map<String, String> modelsEnv = Map.copyOf(env);
        String chaosFile = env.get("BATCHLINE_CHAOS_FILE");
        return new PipelineConfig(
                env.getOrDefault("BATCHLINE_TABLE", "batchline"),
                env.get("BATCHLINE_STATE_MACHINE_ARN"),
                intOf(env, "BATCHLINE_POLL_MIN_SECONDS", 30),
                intOf(env, "BATCHLINE_POLL_MAX_SECONDS", 1800),
                intOf(env, "BATCHLINE_PROVIDER_MAX_QUEUED_REQUESTS", (int) TIER1_MAX_QUEUED_REQUESTS),
                intOf(env, "BATCHLINE_PROVIDER_BATCH_CREATES_PER_MINUTE", TIER1_BATCH_CREATES_PER_MINUTE),
                Duration.ofSeconds(Math.max(1, intOf(env, ProviderWeather.HORIZON_ENV,
                        ProviderWeather.DEFAULT_HORIZON_SECONDS))),
                Math.max(1, intOf(env, "BATCHLINE_COLLECT_CHECKPOINT_EVERY", CollectCheckpoint.DEFAULT_EVERY)),
                Math.max(1, intOf(env, "BATCHLINE_COLLECT_GROUP_REQUESTS", PollStage.DEFAULT_COLLECT_GROUP_REQUESTS)),
                Math.max(0, intOf(env, "BATCHLINE_FORMAT_CHECKPOINT_EVERY", FormatCheckpoint.DEFAULT_EVERY)),
                readOnce(() -> ModelCatalogue.fromEnvOrBundled(modelsEnv)),
                RequestShape.apiVersion(env),
                functionMemoryMb(env),
                chaosFile == null || chaosFile.isBlank() ? null : chaosFile);
    }

    /** Lambda sets it from the deployed configuration; anything unreadable counts as the default. */
    private static int functionMemoryMb(Map<String, String> env) {
        try {
            return Integer.parseInt(env.getOrDefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                    Integer.toString(DEFAULT_FUNCTION_MEMORY_MB)).trim());
        } catch (NumberFormatException e) {
            return DEFAULT_FUNCTION_MEMORY_MB;
        }
    }

    /** Reads the catalogue on first use and keeps it; a failed read is tried again next time. */
    private static Supplier<ModelCatalogue> readOnce(Supplier<ModelCatalogue> read) {
        return new Supplier<>() {
            private volatile ModelCatalogue catalogue;

            @Override
            public ModelCatalogue get() {
                ModelCatalogue c = catalogue;
                if (c == null) catalogue = c = read.get();
                return c;
            }
        };
    }

    /**
     * Hands the setting that code without a pipeline context reads (the stage meter's memory size) to its
     * process-wide holder.
     * The code that starts the process calls it once, right after parsing the configuration.
     */
    public void configureProcess() {
        StageMeter.configure(functionMemoryMb);
    }

    /** The model catalogue requests are rendered with and job specs are checked against. */
    public ModelCatalogue catalogue() {
        return models.get();
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
