package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.functions.StagesInThisJvm;
import io.batchline.offline.sim.AnthropicSimulator;
import io.batchline.offline.sim.SimulatorConfig;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never paid twice: the same file run twice with the same --state gives the same run id, the same outcome
 * files and no new provider batch — across a full restart of the stack (S3, DynamoDB, executions and the
 * simulator's batches all persist in the state folder).
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
@ExtendWith(StagesInThisJvm.ForCommands.class)
class LocalRunRerunTest {
    private static final Path HOME = CliRun.HOME;
    @TempDir Path tmp;

    private static String runIdOf(String output) {
        Matcher m = Pattern.compile("Run (\\S+) finished").matcher(output);
        assertThat(m.find()).as("no summary in:%n%s", output).isTrue();
        return m.group(1);
    }

    private List<MessageBatch> simulatorBatches(Path state) {
        try (AnthropicSimulator sim = AnthropicSimulator.start(SimulatorConfig.builder()
                .stateDir(state.resolve("anthropic")).build())) {
            List<MessageBatch> all = new ArrayList<>();
            new AnthropicBatchesClient(ProviderConfig.of(sim.baseUrl(), () -> "k")).listAll(100).forEachRemaining(all::add);
            return all;
        }
    }

    @Test
    void theSameFileTwiceIsOneRunWithTheSameOutcomesAndNoNewBatch() throws Exception {
        Path input = tmp.resolve("tickets.jsonl");
        try (var lines = Files.lines(HOME.resolve("samples/ticket-triage/tickets.jsonl"))) {
            Files.write(input, lines.limit(30).toList());
        }
        Path state = tmp.resolve("state");
        String job = HOME.resolve("samples/ticket-triage/job.yaml").toString();

        CliRun first = CliRun.of("local", "run", "--job", job, "--state", state.toString(), "--out",
                tmp.resolve("out1").toString(), input.toString());
        assertThat(first.code()).as(first.out()).isZero();
        List<MessageBatch> batchesAfterFirst = simulatorBatches(state);

        CliRun second = CliRun.of("local", "run", "--job", job, "--state", state.toString(), "--out",
                tmp.resolve("out2").toString(), input.toString());

        assertThat(second.code()).as(second.out()).isZero();
        assertThat(second.out()).contains("already processed as run " + runIdOf(first.out()));
        assertThat(runIdOf(second.out())).isEqualTo(runIdOf(first.out()));
        assertThat(simulatorBatches(state)).extracting(MessageBatch::id)
                .containsExactlyElementsOf(batchesAfterFirst.stream().map(MessageBatch::id).toList())
                .isNotEmpty();
        for (String file : List.of("accepted.jsonl", "review.jsonl", "rejected.jsonl", "failed.jsonl", "report.json")) {
            assertThat(tmp.resolve("out2").resolve(file)).as(file).hasSameBinaryContentAs(tmp.resolve("out1").resolve(file));
        }
    }
}
