package io.batchline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's module on its own, as {@code ./batchline} runs {@code plan}, {@code synth}, {@code deploy} and
 * the operator commands given {@code --target FILE}: none of the offline stack on the classpath, and the commands
 * that need it say so instead of failing with a missing class.
 */
class CliWithoutOfflineStackTest {
    static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    static final Path SAMPLE = HOME.resolve("samples/ticket-triage");

    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) throws Exception {
        return Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void theClasspathHasNoEmulatorNoSimulatorAndNoOfflineStack() {
        // this test's classpath is the module's runtime dependencies plus the test libraries
        List<String> jars = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).getFileName().toString()).toList();
        assertThat(jars).noneMatch(name -> name.startsWith("s3proxy") || name.startsWith("elasticmq")
                || name.startsWith("jclouds") || name.startsWith("pekko") || name.startsWith("jetty")
                || name.startsWith("aws-lambda-java-runtime-interface-client") || name.startsWith("batchline-offline-stack"));
        for (String name : List.of("org.gaul.s3proxy.S3Proxy", "org.elasticmq.rest.sqs.SqsServer",
                "io.batchline.offline.sim.AnthropicSimulator", "io.batchline.offline.LocalStack",
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda")) {
            assertThatThrownBy(() -> Class.forName(name, false, getClass().getClassLoader()))
                    .as(name).isInstanceOf(ClassNotFoundException.class);
        }
    }

    @Test
    void planRunsOnTheSampleJobAndWritesThePlan(@TempDir Path dir) throws Exception {
        int code = run("plan", "--job", SAMPLE.resolve("job.yaml").toString(), "--out", dir.toString(),
                SAMPLE.resolve("tickets.jsonl").toString());

        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(dir.resolve("plan.json")).isRegularFile();
        assertThat(Files.readString(dir.resolve("plan.json"))).contains("\"worst_case_cost_usd\"");
        try (var shards = Files.list(dir.resolve("requests"))) {
            assertThat(shards.map(p -> p.getFileName().toString())).isNotEmpty().allMatch(n -> n.startsWith("shard-"));
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Plan for ").contains("worst case");
    }

    @Test
    void aCommandOfTheOfflineStackSaysWhatIsMissing() throws Exception {
        int code = run("local", "status");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("`local status` needs the offline stack (the offline-stack module")
                .doesNotContain("Exception");
        assertThat(run("local", "run", "--job", "job.yaml", "in.jsonl")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("`local run` needs the offline stack");
    }

    @Test
    void theOperatorCommandsTalkToTheTargetFilesStackFromThisModuleAlone(@TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String nobody = "http://127.0.0.1:" + closedPort;
        Path file = dir.resolve("batchline-target.json");
        Files.write(file, Json.bytes(Map.of("region", "eu-west-1", "bucket", "b", "table", "t",
                "state_machine_arn", "arn:aws:states:eu-west-1:123456789012:stateMachine:batchline-run",
                "review_queue_url", nobody + "/123456789012/review", "cancel_function", "batchline-cancel",
                "endpoints", Map.of("s3", nobody, "dynamodb", nobody, "sfn", nobody, "sqs", nobody, "lambda", nobody))));

        Exit status = process(dir, "status", "--target", file.toString());

        // it asked the stack's Step Functions (no one answers there) instead of looking for the offline stack
        assertThat(status.code()).as(status.err()).isEqualTo(1);
        assertThat(status.err()).startsWith("batchline: SdkClientException: Unable to execute HTTP request")
                .doesNotContain("offline stack");
        // rerun too: it checked the job spec, then asked the stack's table for the run
        Exit rerun = process(dir, "rerun", "run-1", "--job", SAMPLE.resolve("job.yaml").toAbsolutePath().toString(),
                "--target", file.toString());
        assertThat(rerun.code()).as(rerun.err()).isEqualTo(1);
        assertThat(rerun.err()).startsWith("batchline: SdkClientException: Unable to execute HTTP request")
                .doesNotContain("offline stack");
    }

    @Test
    void withoutATargetFileTheOperatorCommandsNeedTheOfflineStack(@TempDir Path dir) throws Exception {
        Exit status = process(dir, "status");

        assertThat(status.code()).isEqualTo(2);
        assertThat(status.err()).isEqualTo("batchline: without --target FILE this command needs the offline stack"
                + " (the offline-stack module: offline-stack/target/batchline-offline-stack.jar and"
                + " offline-stack/target/lib), which is not on this classpath (run it through ./batchline, which adds"
                + " it)" + System.lineSeparator());
        for (String[] command : List.of(new String[]{"history", "run-1"}, new String[]{"cancel", "run-1"},
                new String[]{"resume", "run-1"}, new String[]{"review", "--state", dir.toString()},
                new String[]{"grade", "run-1"}, new String[]{"compare", "run-1", "run-2"},
                new String[]{"rerun", "run-1", "--job", SAMPLE.resolve("job.yaml").toString()})) {
            assertThatThrownBy(() -> run(command)).as(command[0]).isInstanceOf(UserInputException.class)
                    .hasMessageStartingWith("without --target FILE this command needs the offline stack");
        }
    }

    @Test
    void anOperatorCommandsUsageErrorIsStillOne(@TempDir Path dir) throws Exception {
        Exit cancel = process(dir, "cancel", "--target", "batchline-target.json");

        assertThat(cancel.code()).isEqualTo(2);
        assertThat(cancel.err()).isEqualTo("batchline: cancel takes one RUN_ID (`./batchline status` lists the runs)"
                + System.lineSeparator() + Cli.USAGE);
        assertThatThrownBy(() -> run("status", "--target", "t.json", "--state", "s")).isInstanceOf(UsageException.class)
                .hasMessage("status takes --target FILE (a deployed stack) or --state DIR (the offline stack), not both");
        assertThatThrownBy(() -> run("compare", "run-1", "--target", "t.json")).isInstanceOf(UsageException.class)
                .hasMessage("compare takes two run ids, RUN_A RUN_B (`./batchline status --target t.json` lists the runs)");
        assertThatThrownBy(() -> run("rerun", "--job", "job.yaml", "--target", "t.json"))
                .isInstanceOf(UsageException.class)
                .hasMessage("rerun takes one RUN_ID (`./batchline status --target t.json` lists the runs)");
        assertThatThrownBy(() -> run("rerun", "run-1", "--target", "t.json")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--job");
        // the job spec is checked before the target is read: a missing target file is not the first complaint
        assertThatThrownBy(() -> run("rerun", "run-1", "--job", dir.resolve("no-job.yaml").toString(), "--target",
                "t.json")).isInstanceOf(UserInputException.class).hasMessageContaining("no-job.yaml");
    }

    @Test
    void calibratingWithTheSimulatorSaysWhatIsMissing(@TempDir Path dir) {
        assertThatThrownBy(() -> run("plan", "--calibrate", "sim", "--job", SAMPLE.resolve("job.yaml").toString(),
                "--out", dir.toString(), SAMPLE.resolve("tickets.jsonl").toString()))
                .isInstanceOf(UserInputException.class)
                .hasMessageContaining("plan --calibrate sim needs the Anthropic simulator of the offline stack");
        assertThat(dir.resolve("plan.json")).doesNotExist();
    }

    @Test
    void anUnknownCommandIsStillAUsageError() {
        assertThatThrownBy(() -> run("frobnicate")).isInstanceOf(UsageException.class)
                .hasMessage("unknown command: frobnicate");
    }

    @Test
    void helpPrintsTheUsage() throws Exception {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(Cli.USAGE);
    }

    /** What the command line's process answered: its exit code and what it wrote to stderr. */
    record Exit(int code, String err) {}

    /**
     * Runs {@code java -cp <this test's classpath> io.batchline.cli.Cli ARGS} in {@code dir}, as {@code ./batchline}
     * does, for the exit code its main gives. The SDK gets credentials of no one from the environment, so it looks
     * for none elsewhere (a profile, the instance metadata service).
     */
    static Exit process(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), Cli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
        builder.environment().put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        builder.environment().remove("AWS_SESSION_TOKEN");
        Process process = builder.start();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the command line ended").isTrue();
        return new Exit(process.exitValue(), err);
    }
}
