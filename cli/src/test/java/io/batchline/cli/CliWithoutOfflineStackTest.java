package io.batchline.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's module on its own, as {@code ./batchline plan} runs it: none of the offline stack on the
 * classpath, and the commands that need it say so instead of failing with a missing class.
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
        assertThat(run("rerun", "run-1", "--job", "job.yaml")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("`rerun` needs the offline stack");
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
}
