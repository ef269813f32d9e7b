package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.CanaryStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.CanaryChecked;
import io.batchline.pipeline.StagePayloads.RunRef;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** State "Check canary". */
@Named(StageNames.CANARY)
public class CanaryHandler implements RequestHandler<RunRef, CanaryChecked> {
    @Inject
    CanaryStage stage;

    @Override
    public CanaryChecked handleRequest(RunRef input, Context context) {
        return StageLog.around(StageNames.CANARY, context, input.runId(), null, () -> stage.check(input));
    }
}
