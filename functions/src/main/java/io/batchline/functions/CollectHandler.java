package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.Collected;
import io.batchline.idempotency.IdempotentStage;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** State "Collect shard" (one iteration of "Collect results"). */
@Named(StageNames.COLLECT)
public class CollectHandler implements RequestHandler<CollectRequest, Collected> {
    @Inject
    CollectStage stage;
    @Inject
    IdempotentStage idempotency;

    @Override
    public Collected handleRequest(CollectRequest input, Context context) {
        return StageLog.around(StageNames.COLLECT, context, input.runId(), input.shard(),
                () -> idempotency.once("collect", input, context::getRemainingTimeInMillis, Collected.class,
                        () -> stage.collect(input)));
    }
}
