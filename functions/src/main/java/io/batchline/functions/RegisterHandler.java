package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.RunStart;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** States "Register run" and, with {@code "resume": true}, "Resume run". */
@Named(StageNames.REGISTER)
public class RegisterHandler implements RequestHandler<RunStart, Object> {
    @Inject
    RegisterStage stage;

    @Override
    public Object handleRequest(RunStart input, Context context) {
        if (input.resuming()) {
            return StageLog.around(StageNames.REGISTER, context, input.runId(), null, () -> stage.resume(input));
        }
        return StageLog.around(StageNames.REGISTER, context, input.runId(), null, () -> stage.register(input));
    }
}
