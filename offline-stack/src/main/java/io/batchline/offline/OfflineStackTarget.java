package io.batchline.offline;

import io.batchline.cli.OfflineTarget;
import io.batchline.cli.Target;
import io.batchline.pipeline.StageNames;
import java.io.PrintStream;
import java.nio.file.Path;

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
                    runId -> recordOrphanedEnd(ep, runId), stack);
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
    }

    private static java.util.Optional<String> recordOrphanedEnd(OfflineStack.Endpoints ep, String runId)
            throws Exception {
        io.batchline.aws.AwsClients clients = ep.clients();
        try (var sfn = clients.sfn(); var dynamoDb = clients.dynamoDb()) {
            return RunExecutions.recordOrphanedEnd(sfn, ep, new io.batchline.aws.dynamodb.DynamoRunStore(dynamoDb,
                    ep.table()), runId);
        }
    }
}
