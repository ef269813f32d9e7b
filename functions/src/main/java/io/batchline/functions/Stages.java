package io.batchline.functions;

import io.batchline.aws.AwsClients;
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
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.util.Map;

/**
 * Builds the domain's stage services once per function instance, from the environment. Each deployed function
 * uses only its own stage; the others are cheap to construct and never called.
 */
@ApplicationScoped
public class Stages {
    private final Map<String, String> env = System.getenv();

    @Produces
    @ApplicationScoped
    PipelineContext context() {
        return PipelineContext.fromEnv(env);
    }

    /** Idempotency records around the stages that spend money or write outcomes (issue 6). */
    @Produces
    @ApplicationScoped
    IdempotentStage idempotency(PipelineContext ctx) {
        return ctx.idempotency();
    }

    @Produces
    @ApplicationScoped
    IntakeStage intake() {
        return new IntakeStage(new AwsClients(env).sfn(), PipelineConfig.fromEnv(env).stateMachineArn());
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
