package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.MDC;

/**
 * Puts run_id, shard, stage, function_request_id and cold_start into the logging MDC for the length of
 * one invocation, so every JSON log line of it carries them (quarkus-logging-json writes the MDC). Handlers
 * call {@link #around} and nothing else.
 */
final class StageLog {
    /** The first invocation of this JVM is the cold start; SnapStart restores count as warm. */
    private static final AtomicBoolean COLD = new AtomicBoolean(true);

    private StageLog() {}

    static <T> T around(String stage, Context context, String runId, Integer shard, Supplier<T> body) {
        MDC.put("stage", stage);
        MDC.put("cold_start", Boolean.toString(COLD.getAndSet(false)));
        if (context != null && context.getAwsRequestId() != null) MDC.put("function_request_id", context.getAwsRequestId());
        if (runId != null) MDC.put("run_id", runId);
        if (shard != null) MDC.put("shard", Integer.toString(shard));
        try {
            return io.batchline.cost.StageMeter.around(stage, runId, body); // the run's aws_cost
        } finally {
            MDC.clear();
        }
    }
}
