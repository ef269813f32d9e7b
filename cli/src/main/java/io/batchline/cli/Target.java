package io.batchline.cli;

import io.batchline.aws.AwsClients;
import io.batchline.aws.lambda.LambdaInvoker;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The Batchline deployment an operator command talks to: its names (bucket, table, state machine, review queue,
 * cancel function) and the SDK clients built for them on first use by {@link AwsClients} (timeouts, the SDK's
 * bounded retries, endpoint overrides). Either the offline stack ({@code --state DIR}, provided by the offline
 * stack's module as an {@link OfflineTarget}) or a deployed stack ({@code --target FILE}, see {@link TargetFile}). Closing it closes its
 * clients, and stops an offline stack started for the command.
 */
public final class Target implements AutoCloseable {
    /** What names a deployment: the stack's outputs. {@code cancelFunction} is a name or an ARN. */
    public record Names(String region, String bucket, String table, String stateMachineArn, String reviewQueueUrl,
                        String cancelFunction) {}

    /**
     * A run whose executions all ended without recording its end: in AWS an EventBridge rule records it; the
     * offline stack has none, so its target records it when a command finds one. Returns what was recorded.
     */
    public interface EndedRuns {
        EndedRuns RECORDED_BY_THE_DEPLOYMENT = runId -> Optional.empty();

        Optional<String> recordEnd(String runId) throws Exception;
    }

    private final Names names;
    private final String commandPrefix;
    private final String requiredOption;
    private final String location;
    private final String logs;
    private final EndedRuns endedRuns;
    private final AutoCloseable owned;
    private final Client<S3Client> s3;
    private final Client<DynamoDbClient> dynamoDb;
    private final Client<SfnClient> sfn;
    private final Client<SqsClient> sqs;
    private final Client<LambdaInvoker> lambda;

    /**
     * @param clientEnv      what {@link AwsClients} reads: region, endpoint overrides, S3 path style
     * @param commandPrefix  how the operator's commands on this target start, e.g. {@code ./batchline local}
     * @param requiredOption the option every command on this target needs ({@code --target FILE}), or null
     * @param location       an option the user chose ({@code --state DIR}), or null
     * @param logs           where the stack's functions log, as a person would look for it
     * @param owned          closed with the target (an offline stack started for one command), or null
     */
    public Target(Names names, Map<String, String> clientEnv, String commandPrefix, String requiredOption,
                  String location, String logs, EndedRuns endedRuns, AutoCloseable owned) {
        this.names = names;
        this.commandPrefix = commandPrefix;
        this.requiredOption = requiredOption;
        this.location = location;
        this.logs = logs;
        this.endedRuns = endedRuns;
        this.owned = owned;
        AwsClients clients = new AwsClients(clientEnv);
        this.s3 = new Client<>(clients::s3);
        this.dynamoDb = new Client<>(clients::dynamoDb);
        this.sfn = new Client<>(clients::sfn);
        this.sqs = new Client<>(clients::sqs);
        this.lambda = new Client<>(clients::lambda);
    }

    /** An SDK client built on first use (a command needs two or three of the five), closed with the target. */
    private static final class Client<T extends AutoCloseable> implements AutoCloseable {
        private final java.util.function.Supplier<T> build;
        private T client;

        Client(java.util.function.Supplier<T> build) {
            this.build = build;
        }

        synchronized T get() {
            if (client == null) client = build.get();
            return client;
        }

        @Override
        public synchronized void close() throws Exception {
            if (client != null) client.close();
        }
    }

    /**
     * The target a command names: the deployed stack of {@code --target FILE}, else the offline stack of
     * {@code --state DIR} (the one `local up` keeps there, or one started for the command).
     */
    public static Target of(Path targetFile, Path stateDir, PrintStream out) throws Exception {
        if (targetFile != null) return TargetFile.read(targetFile).open();
        OfflineTarget offline = ServiceLoader.load(OfflineTarget.class).findFirst().orElseThrow(() ->
                new UserInputException("without --target FILE this command needs " + Cli.OFFLINE_STACK
                        + ", which is not on this classpath (run it through ./batchline, which adds it)"));
        return offline.open(stateDir, out);
    }

    public Names names() {
        return names;
    }

    public S3Client s3() {
        return s3.get();
    }

    public DynamoDbClient dynamoDb() {
        return dynamoDb.get();
    }

    public SfnClient sfn() {
        return sfn.get();
    }

    public SqsClient sqs() {
        return sqs.get();
    }

    public LambdaInvoker lambda() {
        return lambda.get();
    }

    /** Where the stack's functions log: a folder of the offline stack, CloudWatch Logs for a deployed stack. */
    public String logs() {
        return logs;
    }

    public EndedRuns endedRuns() {
        return endedRuns;
    }

    /** The execution of a run: executions are named after their run id. */
    public String executionArn(String executionName) {
        return io.batchline.aws.sfn.StepFunctionsExecutionStarter.executionArn(names.stateMachineArn(), executionName);
    }

    /** An operator command on this target, as the user types it: {@code command("status RUN")}. */
    public String command(String words) {
        return commandPrefix + " " + words + (requiredOption == null ? "" : " " + requiredOption);
    }

    /** The same naming the location the user chose too ({@code --state DIR}) when there is one. */
    public String commandHere(String words) {
        return command(words) + (location == null ? "" : " " + location);
    }

    /** Whether this is the offline stack (its queues live in memory while it is up) rather than a deployed one. */
    public boolean offline() {
        return requiredOption == null;
    }

    /** Whether the target was named ({@code --state DIR} or {@code --target FILE}) rather than defaulted. */
    public boolean named() {
        return requiredOption != null || location != null;
    }

    @Override
    public void close() throws Exception {
        try (owned; s3; dynamoDb; sfn; sqs; lambda) {
            // closed in reverse order: the clients, then what the target owns
        }
    }
}
