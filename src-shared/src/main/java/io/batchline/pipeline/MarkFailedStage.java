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
        RunFailure described = describe(request.error());
        String kept = keptBatches(request.runId());
        RunFailure failure = kept == null ? described : new RunFailure(described.error(), described.cause() + kept);
        ctx.runs().run(request.runId()).ifPresent(run -> ctx.runs().finishRun(request.runId(),
                RunRecord.RunStatus.FAILED, ctx.clock().instant(), failure.error(), failure.cause()));
        try { // give back the budget reservation the failed run did not spend
            ctx.budget().releaseOnFailure(request.runId(), ctx.runs(), ctx.store(request.bucket()));
        } catch (RuntimeException e) { // the run's own failure is what the console must show; the hold is safe
            java.util.logging.Logger.getLogger(MarkFailedStage.class.getName()).warning(() -> "budget reservation of run "
                    + request.runId() + " kept held: releasing it failed: " + e);
        }
        return failure;
    }

    /**
     * A failed run with batches keeps them. The shard records already say which batch each shard has and
     * whether it ended (results saved) or is still open at the provider; the cause says so, with the way on.
     *
     * @return " (kept: ...)" or null when the run created no batch
     */
    String keptBatches(String runId) {
        int created = 0;
        int ended = 0;
        int pending = 0;
        int unsent = 0;
        try {
            for (int attempt = 1; ; attempt++) {
                java.util.List<io.batchline.run.ShardRecord> shards = ctx.runs().shards(runId, attempt);
                if (shards.isEmpty()) break;
                for (io.batchline.run.ShardRecord s : shards) {
                    switch (s.status()) {
                        case SUBMITTED, SUBMITTING -> { created++; pending++; }
                        case ENDED -> { created++; ended++; }
                        case COLLECTED -> created++;
                        case PLANNED -> unsent++;
                        default -> { }
                    }
                }
            }
        } catch (RuntimeException e) {
            return null; // the failure itself is what the console must show
        }
        if (created == 0 || ended + pending == 0) return null;
        return " (kept: " + created + " batch(es) created, " + ended + " ended with results saved and not yet collected, "
                + pending + " still open at the provider, " + unsent + " shard(s) not sent; the budget reservation"
                + " stays held; `batchline resume " + runId + "` collects them without creating any batch again)";
    }

    /**
     * What the EventBridge rule on the state machine's ABORTED / TIMED_OUT / FAILED executions does: a run
     * whose record is still RUNNING although its execution ended without recording it (stopped, timed out,
     * crashed) is marked FAILED like "Mark run failed" does, keeping the reservation held while batches are open.
     * A run whose end was recorded is left as it is (a repeated event changes nothing), and so is a run that was
     * resumed since: only the run's latest execution (the record keeps the name of the last resume's; the first
     * is named after the run) may end it, checked in the same conditional write that records the end.
     *
     * @param executionName the execution that ended ({@code <run>} or {@code <run>-resume-<n>})
     * @param error         the event's error, if any (a FAILED execution's; null for ABORTED / TIMED_OUT)
     * @param cause         the event's cause, if any
     * @return the failure recorded, or null when there was nothing to record
     */
    public RunFailure recordExecutionEnd(String runId, String bucket, String executionName, String status,
                                         String error, String cause) {
        RunRecord run = ctx.runs().run(runId).orElse(null);
        if (run == null || run.status() != RunRecord.RunStatus.RUNNING || executionName == null) return null;
        String latest = ctx.runs().latestExecution(runId).orElse(null);
        if (!executionName.equals(latest)) {
            java.util.logging.Logger.getLogger(MarkFailedStage.class.getName()).info(() -> "run " + runId
                    + ": execution " + executionName + " ended as " + status + ", but the run's latest execution is "
                    + latest + ": nothing recorded");
            return null;
        }
        String code = switch (status == null ? "" : status) {
            case "ABORTED" -> "ExecutionAborted";
            case "TIMED_OUT" -> "ExecutionTimedOut";
            case "FAILED" -> "ExecutionFailed";
            default -> "ExecutionEnded";
        };
        String said = (error == null || error.isBlank() ? "" : " (" + error + (cause == null || cause.isBlank() ? ""
                : ": " + cap(cause)) + ")");
        String message = code + ": the run's execution " + executionName + " ended as " + status + said
                + " without recording the run's end";
        String kept = keptBatches(runId);
        RunFailure failure = new RunFailure(code, kept == null ? message : message + kept);
        if (!ctx.runs().finishRunOfExecution(runId, executionName, RunRecord.RunStatus.FAILED, ctx.clock().instant(),
                failure.error(), failure.cause())) {
            return null; // ended meanwhile, or a resume started meanwhile: that execution owns the run now
        }
        try { // like "Mark run failed": give back what the run did not spend, unless batches are open
            ctx.budget().releaseOnFailure(runId, ctx.runs(), ctx.store(bucket));
        } catch (RuntimeException e) {
            java.util.logging.Logger.getLogger(MarkFailedStage.class.getName()).warning(() -> "budget reservation of run "
                    + runId + " kept held: releasing it failed: " + e);
        }
        return failure;
    }

    /** {@link #recordExecutionEnd(String, String, String, String, String, String)} without an error or cause. */
    public RunFailure recordExecutionEnd(String runId, String bucket, String executionName, String status) {
        return recordExecutionEnd(runId, bucket, executionName, status, null, null);
    }

    /** An execution's cause may be long (a Lambda's JSON error): the record keeps its first 1000 characters. */
    private static String cap(String text) {
        return text.length() <= 1000 ? text : text.substring(0, 1000) + "...";
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
