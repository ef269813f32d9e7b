package io.batchline.cli.operate;

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
 * The executions of one run: the first is named after the run, each resume {@code <run>-resume-<n>}. The offline
 * stack's target reads them too, to find a run whose executions all ended without recording its end.
 */
public final class RunExecutions {
    static final String RESUME_SUFFIX = "-resume-";

    private RunExecutions() {}

    /** The run's executions, oldest first. */
    public static List<ExecutionListItem> of(SfnClient sfn, String stateMachineArn, String runId) {
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

    public static Optional<ExecutionListItem> running(List<ExecutionListItem> executions) {
        return executions.stream().filter(e -> e.status() == ExecutionStatus.RUNNING).findFirst();
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
