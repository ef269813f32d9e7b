package io.batchline.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.pipeline.MarkFailedStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.RunFailure;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The target of the EventBridge rule on the state machine's "Step Functions Execution Status Change"
 * events with status ABORTED, TIMED_OUT or FAILED. An execution stopped in the console or timed out never reaches
 * "Mark run failed": this records the end on the run (only when its record still says RUNNING and the execution is
 * the run's latest: a late event of an execution a resume replaced changes nothing) and keeps the reservation
 * held while the run's batches are open, so `batchline resume` can finish it.
 */
@Named(StageNames.EXECUTION_ENDED)
public class ExecutionEndedHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    @Inject
    MarkFailedStage stage;

    /**
     * What the handler reads of the event: {@code detail.status}, {@code detail.name} (else the last part of
     * {@code detail.executionArn}), {@code detail.error} / {@code detail.cause} (FAILED executions), and the run id
     * and bucket from {@code detail.input}, the execution's input as a JSON string.
     */
    record ExecutionEnd(String runId, String bucket, String execution, String executionArn, String status,
                        String error, String cause) {
        boolean isRun() {
            return runId != null && bucket != null && execution != null;
        }
    }

    static ExecutionEnd parse(Map<String, Object> event) {
        JsonNode detail = Json.MAPPER.valueToTree(event).path("detail");
        String arn = text(detail, "executionArn");
        String name = text(detail, "name");
        if (name == null && arn != null) name = arn.substring(arn.lastIndexOf(':') + 1);
        String input = text(detail, "input");
        JsonNode start;
        try {
            start = input == null || input.isBlank() ? Json.MAPPER.createObjectNode()
                    : Json.tree(input.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException notJson) {
            start = Json.MAPPER.createObjectNode();
        }
        return new ExecutionEnd(text(start, "run_id"), text(start, "bucket"), name, arn, text(detail, "status"),
                text(detail, "error"), text(detail, "cause"));
    }

    /** A field's text; null when absent or JSON null (EventBridge sends "error": null for ABORTED). */
    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asText();
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        ExecutionEnd end = parse(event);
        if (!end.isRun()) return Map.of("recorded", false, "why", "not a run's execution");
        RunFailure recorded = StageLog.around(StageNames.EXECUTION_ENDED, context, end.runId(), null,
                () -> stage.recordExecutionEnd(end.runId(), end.bucket(), end.execution(), end.status(), end.error(),
                        end.cause()));
        return recorded == null ? Map.of("recorded", false, "run_id", end.runId())
                : Map.of("recorded", true, "run_id", end.runId(), "error", recorded.error());
    }
}
