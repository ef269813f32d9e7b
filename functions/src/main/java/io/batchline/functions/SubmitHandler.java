package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.SubmitStage;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.idempotency.IdempotentStage;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** State "Submit batches". */
@Named(StageNames.SUBMIT)
public class SubmitHandler implements RequestHandler<SubmitRequest, PollState> {
    @Inject
    SubmitStage stage;
    @Inject
    IdempotentStage idempotency;

    @Override
    public PollState handleRequest(SubmitRequest input, Context context) {
        return StageLog.around(StageNames.SUBMIT, context, input.runId(), null,
                () -> idempotency.once("submit", input, context::getRemainingTimeInMillis, PollState.class,
                        () -> stage.submit(input)));
    }
}
