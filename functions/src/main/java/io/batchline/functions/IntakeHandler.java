package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.IntakeStage;
import io.batchline.pipeline.SqsEvents.SqsBatchResponse;
import io.batchline.pipeline.SqsEvents.SqsEvent;
import io.batchline.pipeline.StageNames;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** S3 object-created events from the intake queue -> one execution per object. */
@Named(StageNames.INTAKE)
public class IntakeHandler implements RequestHandler<SqsEvent, SqsBatchResponse> {
    @Inject
    IntakeStage stage;

    @Override
    public SqsBatchResponse handleRequest(SqsEvent input, Context context) {
        return StageLog.around(StageNames.INTAKE, context, null, null, () -> stage.accept(input));
    }
}
