package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.Formatted;
import io.batchline.idempotency.IdempotentStage;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** States "Plan and format" and "Plan retry round". */
@Named(StageNames.FORMAT)
public class FormatHandler implements RequestHandler<FormatRequest, Formatted> {
    @Inject
    FormatStage stage;
    @Inject
    IdempotentStage idempotency;

    @Override
    public Formatted handleRequest(FormatRequest input, Context context) {
        return StageLog.around(StageNames.FORMAT, context, input.runId(), null,
                () -> idempotency.once("format", input, context::getRemainingTimeInMillis, Formatted.class,
                        () -> stage.format(input)));
    }
}
