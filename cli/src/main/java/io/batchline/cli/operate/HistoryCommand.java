package io.batchline.cli.operate;

import io.batchline.cli.Target;
import io.batchline.cli.UserInputException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * {@code ./batchline local history RUN_ID} ({@code ./batchline history --target FILE RUN_ID}): the execution's
 * events from GetExecutionHistory, one line each, as the Step Functions console's event table shows them: id, time since start, type, state, and for
 * failures the error and cause. Payloads are S3 pointers and counts, so they are shown in full.
 */
final class HistoryCommand {
    private static final int DETAIL_CHARS = 160;
    private final PrintStream out;

    HistoryCommand(PrintStream out) {
        this.out = out;
    }

    int run(String runId, Target target) throws Exception {
        String arn = target.executionArn(runId);
        Instant start = null;
        out.printf("%5s  %8s  %-28s %-22s %s%n", "ID", "ELAPSED", "TYPE", "STATE", "DETAIL");
        try {
            for (HistoryEvent e : target.sfn().getExecutionHistoryPaginator(b -> b.executionArn(arn).maxResults(1000))
                    .events()) {
                if (start == null) start = e.timestamp();
                out.printf("%5d  %8s  %-28s %-22s %s%n", e.id(), RunFollower.clock(Duration.between(start,
                        e.timestamp())), e.typeAsString(), stateOf(e), detailOf(e));
            }
        } catch (ExecutionDoesNotExistException e) {
            throw new UserInputException("no run " + runId + " in this stack (`" + target.command("status")
                    + "` lists the runs)");
        }
        return 0;
    }

    private static String stateOf(HistoryEvent e) {
        if (e.stateEnteredEventDetails() != null) return e.stateEnteredEventDetails().name();
        if (e.stateExitedEventDetails() != null) return e.stateExitedEventDetails().name();
        return "";
    }

    private static String detailOf(HistoryEvent e) {
        String d = null;
        if (e.executionFailedEventDetails() != null) {
            d = e.executionFailedEventDetails().error() + ": " + e.executionFailedEventDetails().cause();
        } else if (e.taskFailedEventDetails() != null) {
            d = e.taskFailedEventDetails().error() + ": " + e.taskFailedEventDetails().cause();
        } else if (e.lambdaFunctionFailedEventDetails() != null) {
            d = e.lambdaFunctionFailedEventDetails().error() + ": " + e.lambdaFunctionFailedEventDetails().cause();
        } else if (e.stateExitedEventDetails() != null) {
            d = e.stateExitedEventDetails().output();
        } else if (e.executionSucceededEventDetails() != null) {
            d = e.executionSucceededEventDetails().output();
        } else if (e.executionStartedEventDetails() != null) {
            d = e.executionStartedEventDetails().input();
        }
        if (d == null) return "";
        d = d.replace('\n', ' ');
        return d.length() > DETAIL_CHARS ? d.substring(0, DETAIL_CHARS - 1) + "\u2026" : d;
    }
}
