package io.batchline.cli.operate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cli.Cli;
import io.batchline.cli.UsageException;
import io.batchline.cli.UserInputException;
import io.batchline.json.Json;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import io.batchline.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compare command over a folder bucket (the end-to-end test runs it on the offline stack): the three files
 * it writes, its summary, its refusals, and that it leaves no sorting files behind.
 */
class CompareCommandTest {
    static final String JOB = """
            name: t
            model: claude-haiku-4-5-20251001
            user_template: "{{text}}"
            max_tokens: 100
            %s
            output_schema:
              type: object
              properties:
                label: {type: string, enum: [x, y]}
                confidence: {type: number}
            """;
    @TempDir Path tmp;

    private static void run(ObjectStore store, String id, String jobExtra, String... answers) {
        store.put(RunKeys.jobSnapshot(id), JOB.formatted(jobExtra).getBytes(StandardCharsets.UTF_8), "application/yaml");
        store.put(RunKeys.report(id), "{\"status\":\"succeeded\"}".getBytes(StandardCharsets.UTF_8), "application/json");
        StringBuilder accepted = new StringBuilder();
        for (int i = 0; i < answers.length; i++) {
            accepted.append(String.format("{\"id\":\"i%d\",\"line\":%d,\"outcome\":\"accepted\",\"output\":{\"label\":\"%s\","
                    + "\"confidence\":0.95},\"cost_usd\":0.001}%n", i + 1, i + 1, answers[i]));
        }
        store.put(RunKeys.outcome(id, io.batchline.outcome.OutcomeKind.ACCEPTED),
                accepted.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
    }

    @Test
    void writesTheComparisonAndItsPageAndPrintsTheSummary() throws Exception {
        ObjectStore store = new FileObjectStore(tmp.resolve("bucket"));
        run(store, "a", "", "x", "x", "y");
        run(store, "b", "version: v2\nsystem: Be brief.", "x", "y", "y");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path dir = tmp.resolve("cmp");
        int code = new CompareCommand(new PrintStream(out, true, StandardCharsets.UTF_8), PipelineConfig.fromEnv(Map.of())).compare(store, "a", "b", dir);
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).isZero();
        assertThat(text).contains("lines       3 in both; 0 only in A, 0 only in B")
                .contains("changed     1 answer(s) of label (33.3%)")
                .contains("line 2 i2: x -> y")
                .contains("accuracy    no labels")
                .contains("cost/item   A $0.001, B $0.001")
                .contains("prompt      changed: system; other job fields changed: version")
                .contains("(v2, sha256:");
        JsonNode c = Json.tree(Files.readAllBytes(dir.resolve("compare.json")));
        assertThat(c.at("/changed/count").asLong()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("changed.jsonl"))).hasSize(1);
        assertThat(Files.readString(dir.resolve("compare.html"))).contains("id=\"changed-count\">1<");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("compare.json", "compare.html", "changed.jsonl");
        }
    }

    @Test
    void refusesRunsItCannotCompareAndWritesNothingHalfDone() {
        ObjectStore store = new FileObjectStore(tmp.resolve("bucket"));
        run(store, "a", "", "x");
        store.put(RunKeys.jobSnapshot("running"), JOB.formatted("").getBytes(StandardCharsets.UTF_8), "application/yaml");
        Path dir = tmp.resolve("cmp");
        CompareCommand command = new CompareCommand(new PrintStream(new ByteArrayOutputStream()), PipelineConfig.fromEnv(Map.of()));
        assertThatThrownBy(() -> command.compare(store, "a", "running", dir))
                .isInstanceOf(UserInputException.class).hasMessageContaining("run running has not finished");
        assertThatThrownBy(() -> command.compare(store, "ghost", "a", dir))
                .isInstanceOf(UserInputException.class).hasMessageContaining("no run ghost");
        assertThat(dir.resolve("changed.jsonl")).doesNotExist();
        assertThat(dir.resolve("compare.json")).doesNotExist();
        assertThatThrownBy(() -> Cli.run(new String[]{"compare", "a"}, System.out, System.err))
                .isInstanceOf(UsageException.class).hasMessageContaining("two run ids");
    }
}
