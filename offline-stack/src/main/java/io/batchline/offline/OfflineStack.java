package io.batchline.offline;

import io.batchline.aws.AwsClients;
import io.batchline.offline.aws.DynamoEmulator;
import io.batchline.offline.aws.S3Emulator;
import io.batchline.offline.aws.SqsEmulator;
import io.batchline.offline.aws.SqsEventSourceMapping;
import io.batchline.offline.lambda.LambdaHost;
import io.batchline.offline.lambda.ProcessFunctionSpec;
import io.batchline.offline.lambda.StageFunctionHost;
import io.batchline.offline.sfn.StepFunctionsConfig;
import io.batchline.offline.sfn.StepFunctionsEmulator;
import io.batchline.offline.sim.AnthropicSimulator;
import io.batchline.offline.sim.SimulatorConfig;
import io.batchline.pipeline.StageNames;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The offline AWS stack, wired as the deployment wires AWS: S3 -> SQS intake notifications, the SQS -> Lambda
 * trigger, one Lambda function per stage of {@link StageNames} running the packaged artifact (nothing here
 * schedules the sweep or forwards execution events: `local sweep`, and `local cancel` / `local resume` recording
 * the end of a run whose execution ended without it, stand in for those; both functions answer invokes), the
 * state machine from statemachine/batchline-run.asl.json with its ARNs substituted, DynamoDB with the project's
 * table, and the Anthropic simulator in place of api.anthropic.com.
 */
public final class OfflineStack implements AutoCloseable {
    public static final String BUCKET = "batchline-local";
    public static final String TABLE = "batchline";
    public static final String STATE_MACHINE = "batchline-run";

    /** Where everything answers; also what `local up` writes to stack.json for `local run` to attach to. */
    public record Endpoints(URI s3, URI sqs, URI dynamodb, URI sfn, URI lambda, URI anthropic, String bucket,
                            String table, String stateMachineArn, String intakeQueueUrl, String reviewQueueUrl,
                            String logDir) {

        /** The environment every function and client of this stack gets: only endpoints differ from AWS. */
        public Map<String, String> clientEnv() {
            Map<String, String> env = new HashMap<>();
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "test");
            env.put("AWS_SECRET_ACCESS_KEY", "test");
            env.put("AWS_ENDPOINT_URL_S3", s3.toString());
            env.put("AWS_ENDPOINT_URL_SQS", sqs.toString());
            env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamodb.toString());
            env.put("AWS_ENDPOINT_URL_SFN", sfn.toString());
            env.put("AWS_ENDPOINT_URL_LAMBDA", lambda.toString());
            env.put("BATCHLINE_S3_PATH_STYLE", "true");
            return env;
        }

        public AwsClients clients() {
            return new AwsClients(clientEnv());
        }

        /** The execution of a run: executions are named after their run id. */
        public String executionArn(String runId) {
            return io.batchline.aws.sfn.StepFunctionsExecutionStarter.executionArn(stateMachineArn, runId);
        }
    }

    /**
     * @param ports           fixed ports for `local up` (s3, sqs, dynamodb, sfn, lambda, anthropic), or null for free ones
     * @param simulatorTime   how long a simulated batch stays in_progress: 1 s for `local run` (the first poll, 1 s
     *                        after the submit, finds it ended; a longer time only adds polls and waiting)
     * @param pollSeconds     the functions' polling interval bounds (min, max): short locally, 30 s..30 min in AWS
     * @param retryIntervalScale the state machine's Retry intervals last their time x this (1.0 = as in AWS)
     * @param stageFunctions  who answers the stages' invokes; null = the packaged functions, one process each
     */
    public record Options(Path home, Path stateDir, int[] ports, Duration simulatorTime, int[] pollSeconds,
                          double waitTimeScale, double retryIntervalScale, Map<String, String> extraFunctionEnv,
                          java.util.function.UnaryOperator<SimulatorConfig.Builder> simulator,
                          StageFunctionHost stageFunctions) {
        public static Options forRun(Path home, Path stateDir) {
            // BATCHLINE_SIM_FAULTS / BATCHLINE_SIM_SEED from the command line's environment inject provider faults
            return new Options(home, stateDir, null, Duration.ofSeconds(1), new int[] {1, 5}, 1.0, 1.0, Map.of(),
                    b -> SimulatorConfig.applyEnv(b, System.getenv()), null);
        }

        /**
         * The stages answered by {@code host} instead of the packaged functions' processes: for tests whose point
         * is a run's behaviour rather than the artifact (which {@code local run} and the chaos suite still run).
         */
        public Options withStageFunctions(StageFunctionHost host) {
            return new Options(home, stateDir, ports, simulatorTime, pollSeconds, waitTimeScale, retryIntervalScale,
                    extraFunctionEnv, simulator, host);
        }

        public Options withPorts(int[] fixed) {
            return new Options(home, stateDir, fixed, simulatorTime, pollSeconds, waitTimeScale, retryIntervalScale,
                    extraFunctionEnv, simulator, stageFunctions);
        }

        /** Adjusts the Anthropic simulator (processing time, injected faults) for tests and demos. */
        public Options withSimulator(java.util.function.UnaryOperator<SimulatorConfig.Builder> adjust) {
            return new Options(home, stateDir, ports, simulatorTime, pollSeconds, waitTimeScale, retryIntervalScale,
                    extraFunctionEnv, adjust, stageFunctions);
        }

        /**
         * The state machine's Retry intervals shortened (x {@code scale}), for tests whose functions fail on
         * purpose and whose point is what the retries do, not how long they wait.
         */
        public Options withRetryIntervalScale(double scale) {
            return new Options(home, stateDir, ports, simulatorTime, pollSeconds, waitTimeScale, scale,
                    extraFunctionEnv, simulator, stageFunctions);
        }

        /**
         * The state machine's Wait states shortened (x {@code scale}), for tests whose runs are put off on purpose
         * (a provider storm) and whose point is what the put-offs do, not how long they wait.
         */
        public Options withWaitTimeScale(double scale) {
            return new Options(home, stateDir, ports, simulatorTime, pollSeconds, scale, retryIntervalScale,
                    extraFunctionEnv, simulator, stageFunctions);
        }

        /** Extra environment for every function (e.g. the chaos switch BATCHLINE_CHAOS_FILE). */
        public Options withFunctionEnv(Map<String, String> env) {
            return new Options(home, stateDir, ports, simulatorTime, pollSeconds, waitTimeScale, retryIntervalScale,
                    Map.copyOf(env), simulator, stageFunctions);
        }
    }

    private final List<AutoCloseable> parts = new ArrayList<>();
    private Endpoints endpoints;
    private LambdaHost lambda;

    private OfflineStack() {}

    public static OfflineStack start(Options o) throws Exception {
        OfflineStack stack = new OfflineStack();
        try {
            stack.boot(o);
            return stack;
        } catch (Exception e) {
            stack.close();
            throw e;
        }
    }

    private void boot(Options o) throws Exception {
        Path home = o.home().toAbsolutePath().normalize();
        Path nodeModules = home.resolve("offline-stack/node_modules");
        Path runnerJar = o.stageFunctions() == null ? findRunnerJar(home) : null;
        Path state = o.stateDir() == null ? null : o.stateDir().toAbsolutePath();
        Path logDir = state != null ? state.resolve("logs") : Files.createTempDirectory("batchline-logs");
        Files.createDirectories(logDir);
        int[] p = o.ports() == null ? new int[6] : o.ports();

        SimulatorConfig simConfig = o.simulator().apply(SimulatorConfig.builder().port(p[5])
                .processingTime(o.simulatorTime()).stateDir(sub(state, "anthropic"))).build();
        AnthropicSimulator sim = AnthropicSimulator.start(simConfig);
        // compressed time: each Wait state moves the simulator's clock by its full length and itself passes
        // 10,000x faster, so "24 h" batches take the polls the ASL schedule gives, in seconds
        var compressed = simConfig.clock() instanceof io.batchline.offline.sim.WaitDrivenClock c ? c : null;
        parts.add(sim);
        SqsEmulator sqs = SqsEmulator.start(p[1]);
        parts.add(sqs);
        String intakeQueue = sqs.createQueue("batchline-intake", Duration.ofSeconds(90), "batchline-intake-dlq", 5);
        String reviewQueue = sqs.createQueue("batchline-review", Duration.ofSeconds(30), "batchline-review-dlq", 5);
        S3Emulator s3 = S3Emulator.start(p[0], sub(state, "s3"));
        parts.add(s3);
        DynamoEmulator ddb = DynamoEmulator.start(nodeModules, p[2], sub(state, "dynamodb"));
        parts.add(ddb);
        if (o.stageFunctions() != null) parts.add(o.stageFunctions()::close); // closed after the Lambda host stops
        lambda = LambdaHost.start(p[4]);
        parts.add(lambda);
        StepFunctionsEmulator sfn = StepFunctionsEmulator.start(StepFunctionsConfig.of(nodeModules,
                        lambda.invokeEndpoint()).withPort(p[3]).withStateDir(sub(state, "stepfunctions"))
                .withTimeScales(compressed != null ? Math.min(o.waitTimeScale(), 1e-4) : o.waitTimeScale(),
                        o.retryIntervalScale()));
        parts.add(sfn);
        if (compressed != null) sfn.onWaitState(compressed::advance);
        String smArn = sfn.createStateMachine(STATE_MACHINE, definition(home));

        endpoints = new Endpoints(s3.endpoint(), sqs.endpoint(), ddb.endpoint(), sfn.endpoint(), lambda.invokeEndpoint(),
                sim.baseUrl(), BUCKET, TABLE, smArn, intakeQueue, reviewQueue, logDir.toString());
        AwsClients clients = endpoints.clients();
        var s3Client = clients.s3();
        if (!s3Client.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(BUCKET))) {
            s3Client.createBucket(b -> b.bucket(BUCKET));
        }
        DynamoEmulator.ensureTable(clients.dynamoDb(), TABLE);
        s3.addNotification("inbox/", null, URI.create(intakeQueue));

        Map<String, String> fnEnv = new HashMap<>(endpoints.clientEnv());
        fnEnv.put("BATCHLINE_TABLE", TABLE);
        fnEnv.put("BATCHLINE_BUCKET", BUCKET);
        fnEnv.put("BATCHLINE_STATE_MACHINE_ARN", smArn);
        fnEnv.put("BATCHLINE_REVIEW_QUEUE_URL", reviewQueue);
        fnEnv.put("BATCHLINE_POLL_MIN_SECONDS", Integer.toString(o.pollSeconds()[0]));
        fnEnv.put("BATCHLINE_POLL_MAX_SECONDS", Integer.toString(o.pollSeconds()[1]));
        fnEnv.put("ANTHROPIC_BASE_URL", sim.baseUrl().toString());
        fnEnv.put("ANTHROPIC_API_KEY", "sk-ant-local-simulator");
        fnEnv.putAll(o.extraFunctionEnv());
        for (String stage : StageNames.ALL) {
            if (o.stageFunctions() != null) {
                lambda.registerLocalFunction(functionName(stage),
                        o.stageFunctions().function(stage, Map.copyOf(fnEnv)));
                continue;
            }
            lambda.registerProcessFunction(functionName(stage), ProcessFunctionSpec.quarkus(runnerJar, stage)
                    .withEnv(fnEnv).withMemoryMb(512).withTimeout(Duration.ofMinutes(15))
                    .withMaxConcurrency(stage.equals(StageNames.COLLECT) ? 2 : 1)
                    .withLogFile(logDir.resolve(functionName(stage) + ".log")));
        }
        SqsEventSourceMapping trigger = new SqsEventSourceMapping(sqs.client(), intakeQueue, lambda.invokeEndpoint(),
                functionName(StageNames.INTAKE));
        parts.add(trigger);
        trigger.start();
    }

    public static String functionName(String stage) {
        return "batchline-" + stage;
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    /**
     * The ASL as deployed, with each ${StageFunctionArn} placeholder bound to this stack's function; a placeholder
     * that is not a state-machine stage's (see {@link StageNames#STATE_MACHINE_STAGES}) is refused.
     */
    static String definition(Path home) throws IOException {
        String asl = Files.readString(home.resolve("statemachine/batchline-run.asl.json"), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("\\$\\{([A-Za-z]+FunctionArn)}").matcher(asl);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String stage = StageNames.stateMachineStageOf(m.group(1)).orElseThrow(() -> new IllegalStateException(
                    "the ASL names an unknown function: " + m.group() + "; the state machine's stages are "
                            + StageNames.STATE_MACHINE_STAGES));
            m.appendReplacement(out, Matcher.quoteReplacement(LambdaHost.functionArn(functionName(stage))));
        }
        m.appendTail(out);
        return out.toString();
    }

    static Path findRunnerJar(Path home) throws IOException {
        String override = System.getProperty("batchline.functions.dir");
        Path target = override != null ? Path.of(override) : home.resolve("functions/target");
        if (Files.isDirectory(target)) {
            try (var files = Files.list(target)) {
                var jar = files.filter(f -> f.getFileName().toString().endsWith("-runner.jar")).findFirst();
                if (jar.isPresent()) return jar.get();
            }
        }
        throw new IllegalStateException("no packaged functions in " + target + ": run ./mvnw -B -DskipTests package");
    }

    private static Path sub(Path state, String name) throws IOException {
        if (state == null) return null;
        Path dir = state.resolve(name);
        Files.createDirectories(dir);
        return dir;
    }

    @Override
    public void close() {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                System.err.println("batchline: stopping " + parts.get(i).getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        parts.clear();
    }
}
