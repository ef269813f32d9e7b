package io.batchline.offline;

import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.run.RunRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The executions of one run (the first is named after the run, each resume {@code <run>-resume-<n>}) and
 * what the offline stack does where AWS has an EventBridge rule on ABORTED / TIMED_OUT / FAILED executions: a run
 * record still RUNNING whose executions all ended (stopped, timed out, or the stack was killed) gets its end
 * recorded by the stack's "mark-failed" function, which keeps the budget reservation held while batches are open.
 */
final class RunExecutions {
    static final String RESUME_SUFFIX = "-resume-";

    private RunExecutions() {}

    /** The run's executions, oldest first. */
    static List<ExecutionListItem> of(SfnClient sfn, String stateMachineArn, String runId) {
        List<ExecutionListItem> mine = new ArrayList<>();
        sfn.listExecutionsPaginator(b -> b.stateMachineArn(stateMachineArn)).executions().forEach(e -> {
            if (e.name().equals(runId) || e.name().startsWith(runId + RESUME_SUFFIX)) mine.add(e);
        });
        mine.sort(Comparator.comparing(ExecutionListItem::startDate));
        return mine;
    }

    /** The run an execution belongs to: its name, less a resume's {@code -resume-<n>}. */
    static String runOf(String executionName) {
        int at = executionName.lastIndexOf(RESUME_SUFFIX);
        if (at > 0 && executionName.substring(at + RESUME_SUFFIX.length()).matches("[0-9]+")) {
            return executionName.substring(0, at);
        }
        return executionName;
    }

    static Optional<ExecutionListItem> running(List<ExecutionListItem> executions) {
        return executions.stream().filter(e -> e.status() == ExecutionStatus.RUNNING).findFirst();
    }

    /**
     * A RUNNING record without a running execution: records its end as FAILED with the execution's status
     * (ExecutionAborted, ExecutionTimedOut, ExecutionFailed) and returns the error; empty when nothing was to do.
     */
    static Optional<String> recordOrphanedEnd(SfnClient sfn, OfflineStack.Endpoints ep, DynamoRunStore runs,
                                              String runId) throws Exception {
        RunRecord record = runs.run(runId).orElse(null);
        if (record == null || record.status() != RunRecord.RunStatus.RUNNING) return Optional.empty();
        List<ExecutionListItem> executions = of(sfn, ep.stateMachineArn(), runId);
        if (running(executions).isPresent()) return Optional.empty();
        ExecutionListItem last = executions.isEmpty() ? null : executions.get(executions.size() - 1);
        String status = last == null ? "MISSING" : last.statusAsString();
        String error = switch (status) {
            case "ABORTED" -> "ExecutionAborted";
            case "TIMED_OUT" -> "ExecutionTimedOut";
            case "FAILED" -> "ExecutionFailed";
            default -> "ExecutionEnded";
        };
        String cause = "the run's execution " + (last == null ? "is missing" : last.name() + " ended as " + status
                + (last.stopDate() == null ? "" : " at " + last.stopDate())) + " without recording the run's end"
                + " (stopped, timed out, or its stack was killed)";
        var a = FunctionInvoker.invoke(ep, StageNames.MARK_FAILED,
                new StagePayloads.MarkFailedRequest(runId, record.bucket(),
                        new StagePayloads.CaughtError(error, error + ": " + cause)));
        if (a.functionError()) throw new IllegalStateException("recording the end of run " + runId + ": "
                + a.errorMessage());
        return Optional.of(error + ": " + cause);
    }

    static Map<String, Object> resumeInput(RunRecord record) {
        Map<String, Object> in = new java.util.LinkedHashMap<>();
        in.put("run_id", record.runId());
        in.put("bucket", record.bucket());
        in.put("key", record.inputKey());
        in.put("etag", record.etag());
        in.put("job", record.job());
        in.put("resume", true);
        return in;
    }
}
