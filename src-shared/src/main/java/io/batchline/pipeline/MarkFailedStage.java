package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.pipeline.StagePayloads.CaughtError;
import io.batchline.pipeline.StagePayloads.MarkFailedRequest;
import io.batchline.pipeline.StagePayloads.RunFailure;
import io.batchline.run.RunRecord;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** "Mark run failed": records why the run failed and turns the caught error into words for the console. */
public final class MarkFailedStage {
    private static final Pattern CODED = Pattern.compile("^([A-Z][A-Za-z]{2,40}): (.*)$", Pattern.DOTALL);
    private final PipelineContext ctx;

    public MarkFailedStage(PipelineContext ctx) {
        this.ctx = ctx;
    }

    public RunFailure markFailed(MarkFailedRequest request) {
        RunFailure failure = describe(request.error());
        ctx.runs().run(request.runId()).ifPresent(run -> ctx.runs().finishRun(request.runId(),
                RunRecord.RunStatus.FAILED, ctx.clock().instant(), failure.error(), failure.cause()));
        try { // R6.2: give back the budget reservation the failed run did not spend
            ctx.budget().releaseOnFailure(request.runId(), ctx.runs(), ctx.store(request.bucket()));
        } catch (RuntimeException e) { // the run's own failure is what the console must show; the hold is safe
            java.util.logging.Logger.getLogger(MarkFailedStage.class.getName()).warning(() -> "budget reservation of run "
                    + request.runId() + " kept held: releasing it failed: " + e);
        }
        return failure;
    }

    /**
     * AWS puts the Lambda error as JSON in Cause ({"errorMessage","errorType",...}); the local executor writes
     * "Name: message". Either way the operator sees our code and our message, not a stack trace.
     */
    static RunFailure describe(CaughtError caught) {
        if (caught == null) return new RunFailure("RunFailed", "the run failed without an error description");
        String message = caught.cause() == null ? "" : caught.cause();
        if (message.startsWith("{")) {
            try {
                JsonNode node = Json.tree(message.getBytes(StandardCharsets.UTF_8));
                if (node.hasNonNull("errorMessage")) message = node.get("errorMessage").asText();
            } catch (RuntimeException notJson) {
                // keep the cause as it came
            }
        }
        String errorName = caught.error() == null ? "RunFailed" : caught.error();
        if (message.startsWith(errorName + ": ")) message = message.substring(errorName.length() + 2);
        Matcher coded = CODED.matcher(message);
        if (coded.matches()) return new RunFailure(coded.group(1), message);
        int dot = errorName.lastIndexOf('.');
        String simple = dot >= 0 && !errorName.startsWith("States.") && !errorName.startsWith("Lambda.")
                ? errorName.substring(dot + 1) : errorName;
        return new RunFailure(simple, message.isBlank() ? errorName : message);
    }
}
