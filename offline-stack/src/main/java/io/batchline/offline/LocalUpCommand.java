package io.batchline.offline;

import io.batchline.cli.UserInputException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code ./batchline local up}: the offline stack on fixed ports, kept up until Ctrl-C. */
final class LocalUpCommand {
    /** s3, sqs, dynamodb, sfn, lambda, anthropic */
    static final int[] PORTS = {4566, 9324, 8000, 8083, 9001, 8090};
    private final PrintStream out;

    LocalUpCommand(PrintStream out) {
        this.out = out;
    }

    int run(Path stateDir) throws Exception {
        if (StackHandle.StackFile.readLive(stateDir) != null) {
            throw new UserInputException("a stack is already up for " + stateDir + " (see "
                    + stateDir.resolve(StackHandle.StackFile.NAME) + ")");
        }
        OfflineStack stack = OfflineStack.start(OfflineStack.Options.forRun(StackHandle.home(), stateDir).withPorts(PORTS));
        OfflineStack.Endpoints e = stack.endpoints();
        StackHandle.StackFile.write(stateDir, e);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.deleteIfExists(stateDir.resolve(StackHandle.StackFile.NAME));
            } catch (Exception ignored) {
                // the pid check treats a leftover file as stale anyway
            }
            stack.close();
            stopped.countDown();
        }));
        out.printf("""
                batchline: the offline stack is up (state in %s); Ctrl-C stops it.
                  S3              %s   bucket %s
                  SQS             %s   intake %s
                  DynamoDB        %s   table %s
                  Step Functions  %s   %s
                  Lambda          %s
                  Anthropic sim   %s
                  function logs   %s
                Start a run as in AWS (any credentials will do):
                  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
                  aws --endpoint-url %s s3 cp samples/ticket-triage/job.yaml s3://%s/jobs/ticket-triage.yaml
                  aws --endpoint-url %s s3 cp samples/ticket-triage/tickets.jsonl s3://%s/inbox/ticket-triage/
                  aws --endpoint-url %s stepfunctions list-executions --state-machine-arn %s
                or: ./batchline local run --job samples/ticket-triage/job.yaml samples/ticket-triage/tickets.jsonl
                """, stateDir.toAbsolutePath(), e.s3(), e.bucket(), e.sqs(), e.intakeQueueUrl(), e.dynamodb(),
                e.table(), e.sfn(), e.stateMachineArn(), e.lambda(), e.anthropic(), e.logDir(), e.s3(), e.bucket(),
                e.s3(), e.bucket(), e.sfn(), e.stateMachineArn());
        stopped.await();
        return 0;
    }
}
