package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.CancelStage;
import io.batchline.pipeline.CancelStage.CancelRequest;
import io.batchline.pipeline.CancelStage.Canceled;
import io.batchline.pipeline.StageNames;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** Cancel a run, invoked by an operator with {"run_id": "..."}; not a state of the state machine. */
@Named(StageNames.CANCEL)
public class CancelHandler implements RequestHandler<CancelRequest, Canceled> {
    @Inject
    CancelStage stage;

    @Override
    public Canceled handleRequest(CancelRequest input, Context context) {
        return StageLog.around(StageNames.CANCEL, context, input == null ? null : input.runId(), null,
                () -> stage.cancel(input));
    }
}
