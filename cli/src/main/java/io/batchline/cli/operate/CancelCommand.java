package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.lambda.LambdaInvoker;
import io.batchline.cli.Target;
import java.io.PrintStream;
import java.util.Map;

/**
 * {@code ./batchline local cancel RUN_ID} ({@code ./batchline cancel --target FILE RUN_ID}): invokes the target's
 * {@code cancel} function with {"run_id": ...}, exactly as {@code aws lambda invoke --function-name <name>-cancel}
 * does. The run's
 * execution carries on to its end: what finished is kept, the rest fails with reason canceled.
 * Exit 0 when the cancel is recorded (or was already), 1 when the run had ended or does not exist.
 */
final class CancelCommand {
    private final PrintStream out;
    private final PrintStream err;

    CancelCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(String runId, Target target) throws Exception {
        // a run whose execution was stopped, timed out or lost with its stack has no execution to
        // carry a cancel to its end: its end is recorded, and the operator is told so
        var orphaned = target.endedRuns().recordEnd(runId);
        if (orphaned.isPresent()) {
            err.println("batchline: cannot cancel run " + runId + ": it already ended (" + orphaned.get()
                    + "); recorded as FAILED, its batches and budget reservation are kept: `"
                    + target.command("resume " + runId) + "` continues it");
            return 1;
        }
        LambdaInvoker.Answer answer = target.lambda().invoke(target.names().cancelFunction(),
                Map.of("run_id", runId));
        JsonNode body = answer.body();
        if (answer.functionError()) {
            err.println("batchline: cannot cancel run " + runId + ": " + answer.errorMessage());
            return 1;
        }
        boolean first = "cancel_requested".equals(body.path("status").asText());
        out.printf("batchline: run %s: %s at %s; %d batch(es) in flight asked to cancel at the provider%n", runId,
                first ? "cancel requested" : "cancel was already requested", body.path("requested_at").asText(),
                body.path("batches_canceling").asInt());
        out.println("batchline: the run carries on to its end: what finished is kept, the rest ends in failed.jsonl"
                + " with reason canceled; follow it with " + target.commandHere("status " + runId));
        return 0;
    }
}
