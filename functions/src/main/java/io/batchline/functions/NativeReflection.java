package io.batchline.functions;

import io.batchline.cost.Price;
import io.batchline.cost.Usage;
import io.batchline.report.BatchSummary;
import io.batchline.outcome.OutcomeLine;
import io.batchline.pipeline.SqsEvents;
import io.batchline.pipeline.StagePayloads;
import io.batchline.pipeline.SweepStage;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types Jackson reads or writes by reflection. A native image keeps only what is registered; the domain stays
 * free of Quarkus, so the registration lives here.
 */
@RegisterForReflection(targets = {
        StagePayloads.RunStart.class, StagePayloads.Registered.class, StagePayloads.Resumed.class, StagePayloads.FormatRequest.class,
        StagePayloads.Formatted.class, StagePayloads.CanaryChecked.class, StagePayloads.SubmitRequest.class, StagePayloads.PollRequest.class, StagePayloads.LastCheck.class,
        StagePayloads.PollState.class, StagePayloads.CollectGroup.class, StagePayloads.CollectRequest.class,
        StagePayloads.Collected.class,
        StagePayloads.RunRef.class, StagePayloads.Finalized.class, StagePayloads.CaughtError.class,
        StagePayloads.MarkFailedRequest.class, StagePayloads.RunFailure.class,
        SqsEvents.SqsEvent.class, SqsEvents.SqsMessage.class, SqsEvents.BatchItemFailure.class,
        SqsEvents.SqsBatchResponse.class, SweepStage.SweepRequest.class, SweepStage.SweepResult.class,
        io.batchline.pipeline.CancelStage.CancelRequest.class, io.batchline.pipeline.CancelStage.Canceled.class,
        OutcomeLine.class, Usage.class, Price.class, BatchSummary.class,
        io.batchline.idempotency.Invocation.class,
        io.batchline.job.JobSpec.class, io.batchline.job.JobSpec.Calibration.class,
        io.batchline.job.JobSpec.Confidence.class, io.batchline.job.JobSpec.Shard.class,
        io.batchline.job.JobSpec.Budget.class, io.batchline.job.JobSpec.Sample.class,
        io.batchline.job.JobSpec.ResultCache.class, io.batchline.job.JobSpec.Escalation.class,
        io.batchline.job.PromptVersion.class,
        // few_shot, long_inputs, strata (job spec) and the chunk outcomes parked between collect and finalize
        io.batchline.job.JobSpec.FewShot.class, io.batchline.job.JobSpec.Example.class,
        io.batchline.job.JobSpec.LongInputs.class, io.batchline.job.JobSpec.Stratum.class,
        io.batchline.job.JobSpec.When.class, io.batchline.outcome.ChunkOutcome.class,
        // golden and canary (job spec), and the plan the canary check reads back
        io.batchline.job.JobSpec.Golden.class, io.batchline.job.JobSpec.Canary.class,
        io.batchline.plan.Plan.class, io.batchline.plan.Plan.ShardPlan.class, io.batchline.plan.Plan.Invalid.class,
        io.batchline.plan.FormatCheckpoint.class})
public final class NativeReflection {
    private NativeReflection() {}
}
