package io.batchline.offline;

import io.batchline.pipeline.IntakeStage;
import io.batchline.aws.sfn.StepFunctionsExecutionStarter;
import io.batchline.pipeline.SweepStage;
import io.batchline.aws.s3.S3ObjectStore;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code ./batchline local sweep}: what the EventBridge "InboxSweep" schedule does in AWS, once, against the local
 * stack: a run for every inbox file that has none yet.
 */
final class LocalSweepCommand {
    private final PrintStream out;

    LocalSweepCommand(PrintStream out) {
        this.out = out;
    }

    int run(Path stateDir, String job) throws Exception {
        try (StackHandle stack = StackHandle.attachOrStart(stateDir, out)) {
            OfflineStack.Endpoints ep = stack.endpoints();
            var clients = ep.clients();
            var s3 = clients.s3();
            SweepStage sweep = new SweepStage(bucket -> new S3ObjectStore(s3, bucket),
                    new IntakeStage(new StepFunctionsExecutionStarter(clients.sfn(), ep.stateMachineArn())), ep.bucket());
            SweepStage.SweepResult r = sweep.sweep(new SweepStage.SweepRequest(SweepStage.MODE_INBOX, null, job));
            out.printf("batchline: swept s3://%s/inbox/%s: %d file(s); started %d run(s)%s; %d already started,"
                            + " %d already run, %d not inputs%n", ep.bucket(), job == null ? "" : job + "/", r.files(),
                    r.started().size(), r.started().isEmpty() ? "" : " " + String.join(", ", r.started()),
                    r.alreadyStarted(), r.alreadyRun(), r.ignored());
            if (!r.started().isEmpty()) {
                out.println("batchline: follow them with: aws --endpoint-url " + ep.sfn()
                        + " stepfunctions list-executions --state-machine-arn " + ep.stateMachineArn());
            }
            return 0;
        }
    }
}
