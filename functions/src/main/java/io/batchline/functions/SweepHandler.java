package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.SweepStage;
import io.batchline.pipeline.SweepStage.SweepRequest;
import io.batchline.pipeline.SweepStage.SweepResult;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** EventBridge Scheduler target: starts a run for every inbox file that has none yet. */
@Named(StageNames.SWEEP)
public class SweepHandler implements RequestHandler<SweepRequest, SweepResult> {
    @Inject
    SweepStage stage;

    @Override
    public SweepResult handleRequest(SweepRequest input, Context context) {
        return stage.sweep(input);
    }
}
