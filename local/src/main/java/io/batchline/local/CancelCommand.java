package io.batchline.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.pipeline.StageNames;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@code ./batchline local cancel RUN_ID}: invokes the stack's {@code cancel} function with
 * {"run_id": ...}, exactly as {@code aws lambda invoke --function-name <name>-cancel} does in AWS. The run's
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

    int run(String runId, Path stateDir) throws Exception {
        try (StackHandle stack = StackHandle.attachOrStart(stateDir, out)) {
            LocalStack.Endpoints ep = stack.endpoints();
            // a run whose execution was stopped, timed out or lost with its stack has no execution to
            // carry a cancel to its end: its end is recorded, and the operator is told so
            var sfn = ep.clients().sfn();
            var runs = new io.batchline.aws.dynamodb.DynamoRunStore(ep.clients().dynamoDb(), ep.table());
            var orphaned = RunExecutions.recordOrphanedEnd(sfn, ep, runs, runId);
            if (orphaned.isPresent()) {
                err.println("batchline: cannot cancel run " + runId + ": it already ended (" + orphaned.get()
                        + "); recorded as FAILED, its batches and budget reservation are kept: `./batchline local"
                        + " resume " + runId + "` continues it");
                return 1;
            }
            FunctionInvoker.Answer answer = FunctionInvoker.invoke(ep, StageNames.CANCEL, Map.of("run_id", runId));
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
                    + " with reason canceled; follow it with ./batchline local status " + runId
                    + (stateDir == null ? "" : " --state " + stateDir));
            return 0;
        }
    }
}
