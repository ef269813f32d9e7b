package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.FinalizeStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.Finalized;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.idempotency.IdempotentStage;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** State "Finalize run". */
@Named(StageNames.FINALIZE)
public class FinalizeHandler implements RequestHandler<RunRef, Finalized> {
    @Inject
    FinalizeStage stage;
    @Inject
    IdempotentStage idempotency;

    @Override
    public Finalized handleRequest(RunRef input, Context context) {
        return StageLog.around(StageNames.FINALIZE, context, input.runId(), null,
                () -> idempotency.once("finalize", input, context::getRemainingTimeInMillis, Finalized.class,
                        () -> stage.finalize(input)));
    }
}
