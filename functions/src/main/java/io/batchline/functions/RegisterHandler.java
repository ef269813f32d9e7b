package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.Registered;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** State "Register run". */
@Named("register")
public class RegisterHandler implements RequestHandler<RunStart, Registered> {
    @Inject
    RegisterStage stage;

    @Override
    public Registered handleRequest(RunStart input, Context context) {
        return StageLog.around("register", context, input.runId(), null, () -> stage.register(input));
    }
}
