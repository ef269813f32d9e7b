package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator as Anthropic's official TypeScript SDK (pinned in {@code offline-stack/package.json}) sees it: the SDK,
 * with its own default headers (Authorization: Bearer, anthropic-version 2026-10-21), runs every call the
 * pipeline relies on against a simulator that requires a key, and checks each answer field by field
 * ({@code src/test/node/official-sdk-fidelity.mjs}). A shape the SDK would not accept from the real API fails here.
 */
class OfficialSdkFidelityTest {
    private static final Path NODE = Path.of("node_modules/node/bin/node");
    private static final Path SCRIPT = Path.of("src/test/node/official-sdk-fidelity.mjs");
    private static final String KEY = "sk-ant-sim-fidelity";
    private static final List<String> CALLS = List.of("batches.create", "batches.retrieve", "batches.list",
            "batches.results", "batches.cancel", "batches.delete", "messages.countTokens", "messages.create",
            "models.list", "models.retrieve", "authentication", "headers");

    @TempDir Path tmp;
    private AnthropicSimulator sim;

    @AfterEach
    void stop() {
        if (sim != null) sim.close();
    }

    @Test
    void theOfficialTypeScriptSdkWorksAgainstTheSimulatorAndSeesTheDocumentedShapes() throws Exception {
        assertThat(NODE).as("Node 22 from npm ci (offline-stack/node_modules); run the Maven build once").isExecutable();
        assertThat(Path.of("node_modules/@anthropic-ai/sdk/package.json"))
                .as("@anthropic-ai/sdk is installed from offline-stack/package-lock.json: run npm ci in local/").exists();
        sim = AnthropicSimulator.start(SimulatorConfig.builder()
                .requiredApiKey(KEY)
                .processingTime(Duration.ofMillis(1500))
                .cancelLatency(Duration.ofMillis(100))
                .stateDir(tmp.resolve("sim"))
                .build());

        Path stdout = tmp.resolve("stdout.txt");
        Path stderr = tmp.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(NODE.toAbsolutePath().toString(), SCRIPT.toString())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        // only what the script is given: no ANTHROPIC_* from the machine may change what the SDK sends
        pb.environment().keySet().removeIf(k -> k.startsWith("ANTHROPIC_"));
        pb.environment().put("SIM_BASE_URL", sim.baseUrl().toString());
        pb.environment().put("SIM_API_KEY", KEY);
        Process p = pb.start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        String err = read(stderr);
        String out = read(stdout);
        assertThat(finished).as("the SDK script did not finish within 120 s; stderr:%n%s", err).isTrue();
        assertThat(p.exitValue()).as("exit code; summary:%n%s%nstderr:%n%s", out, err).isZero();

        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        System.out.println("official SDK fidelity: " + last);
        JsonNode summary = Json.MAPPER.readTree(last);
        assertThat(summary.path("ok").asBoolean()).as(last).isTrue();
        assertThat(summary.path("sdk_version").asText()).isNotEmpty();
        for (String call : CALLS) {
            JsonNode c = summary.path("checks").path(call);
            assertThat(c.isObject()).as("%s was not exercised: %s", call, last).isTrue();
            assertThat(c.path("ok").asBoolean()).as("%s: %s", call, c.path("failures")).isTrue();
            assertThat(c.path("checked").asInt()).as("%s checked nothing", call).isPositive();
        }
        // the path this test exists for: today's SDK defaults, not the old header pair
        assertThat(summary.path("headers").path("authorization").get(0).asText()).isEqualTo("Bearer <key>");
        assertThat(summary.path("headers").path("x_api_key").asBoolean()).isFalse();
        assertThat(summary.path("headers").path("anthropic_version").get(0).asText()).isEqualTo("2026-10-21");
        assertThat(summary.path("checks").path("models.list").path("count").asInt()).isGreaterThan(3);
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }
}
