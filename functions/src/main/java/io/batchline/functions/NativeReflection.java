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
        StagePayloads.RunStart.class, StagePayloads.Registered.class, StagePayloads.FormatRequest.class,
        StagePayloads.Formatted.class, StagePayloads.SubmitRequest.class, StagePayloads.PollRequest.class,
        StagePayloads.PollState.class, StagePayloads.CollectRequest.class, StagePayloads.Collected.class,
        StagePayloads.RunRef.class, StagePayloads.Finalized.class, StagePayloads.CaughtError.class,
        StagePayloads.MarkFailedRequest.class, StagePayloads.RunFailure.class,
        SqsEvents.SqsEvent.class, SqsEvents.SqsMessage.class, SqsEvents.BatchItemFailure.class,
        SqsEvents.SqsBatchResponse.class, SweepStage.SweepRequest.class, SweepStage.SweepResult.class,
        OutcomeLine.class, Usage.class, Price.class, BatchSummary.class})
public final class NativeReflection {
    private NativeReflection() {}
}
