package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.pipeline.MarkFailedStage;
import io.batchline.pipeline.StagePayloads.RunFailure;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Issue 16: the target of the EventBridge rule on the state machine's "Step Functions Execution Status Change"
 * events with status ABORTED, TIMED_OUT or FAILED. An execution stopped in the console or timed out never reaches
 * "Mark run failed": this records the end on the run (only when its record still says RUNNING) and keeps the
 * reservation held while the run's batches are open, so `batchline resume` can finish it.
 */
@Named("execution-ended")
public class ExecutionEndedHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Inject
    MarkFailedStage stage;

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        JsonNode detail = Json.MAPPER.valueToTree(event).path("detail");
        String status = detail.path("status").asText(null);
        String name = detail.path("name").asText(null);
        String input = detail.path("input").asText("");
        JsonNode start = input.isBlank() ? Json.MAPPER.createObjectNode()
                : Json.tree(input.getBytes(StandardCharsets.UTF_8));
        String runId = start.path("run_id").asText(null);
        String bucket = start.path("bucket").asText(null);
        if (runId == null || bucket == null) return Map.of("recorded", false, "why", "not a run's execution");
        RunFailure recorded = StageLog.around("execution-ended", context, runId, null,
                () -> stage.recordExecutionEnd(runId, bucket, name, status));
        return recorded == null ? Map.of("recorded", false, "run_id", runId)
                : Map.of("recorded", true, "run_id", runId, "error", recorded.error());
    }
}
