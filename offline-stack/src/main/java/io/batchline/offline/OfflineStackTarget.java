package io.batchline.offline;

import io.batchline.aws.AwsClients;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.cli.OfflineTarget;
import io.batchline.cli.Target;
import io.batchline.cli.operate.RunExecutions;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads;
import io.batchline.run.RunRecord;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;

/**
 * The offline stack as the operator commands' {@link Target} ({@code --state DIR}), found through
 * {@code META-INF/services/io.batchline.cli.OfflineTarget}: the stack `local up` keeps, or one started for the
 * command and stopped with the target. Having no EventBridge rule, it records the end of a run whose executions
 * ended without doing so, as the deployment's {@code execution-ended} function does.
 */
public final class OfflineStackTarget implements OfflineTarget {
    @Override
    public Target open(Path stateDir, PrintStream out) throws Exception {
        StackHandle stack = StackHandle.attachOrStart(stateDir, out);
        OfflineStack.Endpoints ep = stack.endpoints();
        try {
            return new Target(new Target.Names(ep.clientEnv().get("AWS_REGION"), ep.bucket(), ep.table(),
                    ep.stateMachineArn(), ep.reviewQueueUrl(), OfflineStack.functionName(StageNames.CANCEL)),
                    ep.clientEnv(), "./batchline local", null, stateDir == null ? null : "--state " + stateDir,
                    stack.logDir(), runId -> recordOrphanedEnd(ep, runId), stack);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    /**
     * What the offline stack does where AWS has an EventBridge rule on ABORTED / TIMED_OUT / FAILED executions: a
     * run record still RUNNING whose executions all ended (stopped, timed out, or the stack was killed) gets its end
     * recorded as FAILED with the execution's status (ExecutionAborted, ExecutionTimedOut, ExecutionFailed) by the
     * stack's "mark-failed" function, which keeps the budget reservation held while batches are open. Returns the
     * error recorded; empty when nothing was to do.
     */
    private static Optional<String> recordOrphanedEnd(OfflineStack.Endpoints ep, String runId) throws Exception {
        AwsClients clients = ep.clients();
        try (var sfn = clients.sfn(); var dynamoDb = clients.dynamoDb()) {
            RunRecord record = new DynamoRunStore(dynamoDb, ep.table()).run(runId).orElse(null);
            if (record == null || record.status() != RunRecord.RunStatus.RUNNING) return Optional.empty();
            List<ExecutionListItem> executions = RunExecutions.of(sfn, ep.stateMachineArn(), runId);
            if (RunExecutions.running(executions).isPresent()) return Optional.empty();
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
            var answer = FunctionInvoker.invoke(ep, StageNames.MARK_FAILED,
                    new StagePayloads.MarkFailedRequest(runId, record.bucket(),
                            new StagePayloads.CaughtError(error, error + ": " + cause)));
            if (answer.functionError()) {
                throw new IllegalStateException("recording the end of run " + runId + ": " + answer.errorMessage());
            }
            return Optional.of(error + ": " + cause);
        }
    }
}
