package io.batchline.functions;

import io.batchline.aws.AwsWiring;
import io.batchline.idempotency.IdempotentStage;
import io.batchline.pipeline.CancelStage;
import io.batchline.pipeline.CanaryStage;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.FinalizeStage;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.IntakeStage;
import io.batchline.pipeline.MarkFailedStage;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.SubmitStage;
import io.batchline.pipeline.SweepStage;
import io.batchline.provider.anthropic.Sleeper;
import io.batchline.report.html.HtmlReportPages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Builds the domain's stage services once per function instance, from the environment: the one place a function
 * reads it. Each deployed function uses only its own stage; the others are cheap to construct and never called.
 */
@ApplicationScoped
public class Stages {
    private final Map<String, String> env;
    private final Sleeper providerWaits;

    /** The function's wiring: from the Lambda environment. */
    public Stages() {
        this(System.getenv(), Sleeper.REAL);
    }

    /**
     * The same wiring from another environment (the offline stack's tests host the stages in their own JVM), the
     * provider client's waits between attempts passing through {@code providerWaits}.
     */
    Stages(Map<String, String> env, Sleeper providerWaits) {
        this.env = Map.copyOf(env);
        this.providerWaits = providerWaits;
    }

    /** Parsed once; the process-wide settings (content logging, chaos switch, stage meter) are set here. */
    @Produces
    @Singleton
    PipelineConfig config() {
        PipelineConfig config = PipelineConfig.fromEnv(env);
        config.configureProcess();
        return config;
    }

    @Produces
    @ApplicationScoped
    PipelineContext context(PipelineConfig config) {
        // the domain adds what it learns mid-invocation (batch_id) to the MDC StageLog fills
        return AwsWiring.pipelineContext(env, config, new HtmlReportPages(), providerWaits)
                .logFields(org.jboss.logging.MDC::put);
    }

    /** Idempotency records around the stages that spend money or write outcomes. */
    @Produces
    @ApplicationScoped
    IdempotentStage idempotency(PipelineContext ctx) {
        return ctx.idempotency();
    }

    @Produces
    @ApplicationScoped
    IntakeStage intake(PipelineConfig config) {
        return AwsWiring.intakeStage(env, config);
    }

    @Produces
    @ApplicationScoped
    RegisterStage register(PipelineContext ctx) {
        return new RegisterStage(ctx);
    }

    @Produces
    @ApplicationScoped
    FormatStage format(PipelineContext ctx) {
        return new FormatStage(ctx);
    }

    @Produces
    @ApplicationScoped
    SubmitStage submit(PipelineContext ctx) {
        return new SubmitStage(ctx);
    }

    @Produces
    @ApplicationScoped
    PollStage poll(PipelineContext ctx) {
        return new PollStage(ctx);
    }

    @Produces
    @ApplicationScoped
    CollectStage collect(PipelineContext ctx) {
        return new CollectStage(ctx);
    }

    @Produces
    @ApplicationScoped
    CanaryStage canary(PipelineContext ctx) {
        return new CanaryStage(ctx);
    }

    @Produces
    @ApplicationScoped
    FinalizeStage finalizeStage(PipelineContext ctx) {
        return new FinalizeStage(ctx);
    }

    @Produces
    @ApplicationScoped
    MarkFailedStage markFailed(PipelineContext ctx) {
        return new MarkFailedStage(ctx);
    }

    @Produces
    @ApplicationScoped
    CancelStage cancel(PipelineContext ctx) {
        return new CancelStage(ctx);
    }

    @Produces
    @ApplicationScoped
    SweepStage sweep(PipelineContext ctx, IntakeStage intake) {
        return new SweepStage(ctx::store, intake, env.get("BATCHLINE_BUCKET"));
    }
}
