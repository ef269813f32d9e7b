package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.MarkFailedStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.MarkFailedRequest;
import io.batchline.pipeline.StagePayloads.RunFailure;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** State "Mark run failed": the cause an operator reads in the console. */
@Named(StageNames.MARK_FAILED)
public class MarkFailedHandler implements RequestHandler<MarkFailedRequest, RunFailure> {
    @Inject
    MarkFailedStage stage;

    @Override
    public RunFailure handleRequest(MarkFailedRequest input, Context context) {
        return StageLog.around(StageNames.MARK_FAILED, context, input.runId(), null, () -> stage.markFailed(input));
    }
}
