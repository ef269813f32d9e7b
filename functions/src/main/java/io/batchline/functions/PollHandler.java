package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** State "Check batches". */
@Named(StageNames.POLL)
public class PollHandler implements RequestHandler<PollRequest, PollState> {
    @Inject
    PollStage stage;

    @Override
    public PollState handleRequest(PollRequest input, Context context) {
        return StageLog.around(StageNames.POLL, context, input.runId(), null, () -> stage.poll(input));
    }
}
