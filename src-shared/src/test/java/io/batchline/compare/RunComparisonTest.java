package io.batchline.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.json.Json;
import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import io.batchline.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Comparing two crafted runs in a folder bucket: run A over lines 1-40, run B a rerun of lines 5-40 plus a line A
 * does not have, with one line whose id differs. Outcome lines are written out of order across the four files and
 * sorted in chunks of 7 (so through spilled files); every count is recomputed here from the lines written.
 */
class RunComparisonTest {
    static final String JOB = """
            name: triage
            model: claude-haiku-4-5-20251001
            user_template: "Subject: {{subject}}"
            max_tokens: 100
            ground_truth_field: label
            %s
            output_schema:
              type: object
              properties:
                primary_category: {type: string, enum: [billing, technical, account]}
                confidence: {type: number}
            """;
    static final String[] CLASSES = {"billing", "technical", "account"};
    static final String[] TIERS = {"accepted", "review", "rejected", "failed"};

    @TempDir Path tmp;

    record Item(long line, String id, String outcome, String answer, BigDecimal cost, String truth) {}

    private static String truth(long line) {
        return CLASSES[(int) (line % 3)];
    }

    private static List<Item> runA() {
        List<Item> items = new ArrayList<>();
        for (long line = 1; line <= 40; line++) {
            String outcome = TIERS[(int) (line % 4)];
            String answer = outcome.equals("failed") ? null : CLASSES[(int) ((line / 2) % 3)];
            items.add(new Item(line, "T-" + line, outcome, answer, new BigDecimal("0.0001" + line % 10), truth(line)));
        }
        return items;
    }

    private static List<Item> runB() {
        List<Item> items = new ArrayList<>();
        for (long line = 5; line <= 41; line++) {
            String outcome = TIERS[(int) ((line / 3) % 4)];
            String answer = outcome.equals("failed") ? null : CLASSES[(int) ((line / 3) % 3)];
            items.add(new Item(line, line == 17 ? "X-17" : "T-" + line, outcome, answer,
                    new BigDecimal("0.0002" + line % 7), truth(line)));
        }
        return items;
    }

    private static void put(ObjectStore store, String runId, String jobExtra, List<Item> items, long seed) {
        store.put(RunKeys.jobSnapshot(runId), JOB.formatted(jobExtra).getBytes(StandardCharsets.UTF_8), "application/yaml");
        store.put(RunKeys.report(runId), ("{\"run_id\":\"" + runId + "\",\"status\":\"succeeded\",\"cost_usd\":1.5}")
                .getBytes(StandardCharsets.UTF_8), "application/json");
        List<Item> shuffled = new ArrayList<>(items);
        Collections.shuffle(shuffled, new Random(seed));
        Map<String, StringBuilder> files = new TreeMap<>();
        for (Item i : shuffled) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("id", i.id());
            n.put("line", i.line());
            n.put("outcome", i.outcome());
            if (i.answer() != null) n.putObject("output").put("primary_category", i.answer()).put("confidence", 0.8);
            n.put("cost_usd", i.cost());
            n.put("ground_truth", i.truth());
            files.computeIfAbsent(i.outcome(), k -> new StringBuilder()).append(Json.string(n)).append('\n');
        }
        files.forEach((kind, text) -> store.put(RunKeys.run(runId) + "out/" + kind + ".jsonl",
                text.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson"));
    }

    private static void grade(ObjectStore store, String runId, String at, String lines) {
        store.put(RunKeys.run(runId) + "grades/" + at.replace(":", "") + "-qa.jsonl", lines.getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
    }

    @Test
    void comparesTheLinesBothRunsHaveAndCountsEverythingAsTheLinesSay() throws Exception {
        ObjectStore store = new FileObjectStore(tmp.resolve("bucket"));
        put(store, "run-a", "version: v1", runA(), 1);
        put(store, "run-b", "version: v2\nsystem: \"<script>alert(1)</script> Be careful.\"\nconfidence: {accept_at: 0.95}", runB(), 2);
        // A's grader: line 10 correct, line 12 wrong (right: account); B's grader, later: line 12 correct
        grade(store, "run-a", "2026-01-01T00:00:00Z", """
                {"line":10,"id":"T-10","verdict":"correct","grader":"qa","at":"2026-01-01T00:00:00Z"}
                {"line":12,"id":"T-12","verdict":"wrong","correct_value":"account","grader":"qa","at":"2026-01-01T00:00:01Z"}
                """);
        grade(store, "run-b", "2026-01-02T00:00:00Z", """
                {"line":12,"id":"T-12","verdict":"correct","grader":"qa","at":"2026-01-02T00:00:00Z"}
                {"line":30,"id":"T-30","verdict":"wrong","correct_value":"billing","grader":"qa","at":"2026-01-02T00:00:01Z"}
                """);
        ByteArrayOutputStream changedOut = new ByteArrayOutputStream();
        RunComparison.Result result = RunComparison.compare(store, "run-a", "run-b", tmp.resolve("spill"), changedOut, 7,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        JsonNode c = result.json();

        // recomputed from the items written
        Map<Long, Item> a = new TreeMap<>(), b = new TreeMap<>();
        runA().forEach(i -> a.put(i.line(), i));
        runB().forEach(i -> b.put(i.line(), i));
        long common = 0, changed = 0, truthA = 0, truthB = 0, differentIds = 0;
        BigDecimal costA = BigDecimal.ZERO, costB = BigDecimal.ZERO;
        Map<String, Map<String, Long>> tiers = new TreeMap<>(), answers = new TreeMap<>();
        List<Long> changedLines = new ArrayList<>();
        for (Item x : a.values()) {
            Item y = b.get(x.line());
            if (y == null) continue;
            if (!x.id().equals(y.id())) {
                differentIds++;
                continue;
            }
            common++;
            costA = costA.add(x.cost());
            costB = costB.add(y.cost());
            tiers.computeIfAbsent(x.outcome(), k -> new TreeMap<>()).merge(y.outcome(), 1L, Long::sum);
            answers.computeIfAbsent(String.valueOf(x.answer() == null ? "(no answer)" : x.answer()), k -> new TreeMap<>())
                    .merge(y.answer() == null ? "(no answer)" : y.answer(), 1L, Long::sum);
            if (x.truth().equals(x.answer())) truthA++;
            if (x.truth().equals(y.answer())) truthB++;
            if (!java.util.Objects.equals(x.answer(), y.answer())) {
                changed++;
                changedLines.add(x.line());
            }
        }
        assertThat(c.at("/items/common").asLong()).isEqualTo(common).isEqualTo(35);
        assertThat(c.at("/items/only_in_a").asLong()).isEqualTo(4);
        assertThat(c.at("/items/only_in_b").asLong()).isEqualTo(1);
        assertThat(c.at("/items/different_ids").asLong()).isEqualTo(differentIds).isEqualTo(1);
        assertThat(c.at("/changed/count").asLong()).isEqualTo(changed).isEqualTo(result.changed()).isPositive();
        List<Long> written = new ArrayList<>();
        for (String l : changedOut.toString(StandardCharsets.UTF_8).split("\n")) {
            JsonNode n = Json.tree(l.getBytes(StandardCharsets.UTF_8));
            written.add(n.get("line").asLong());
            assertThat(n.path("a").isNull() ? null : n.path("a").asText()).isEqualTo(a.get(n.get("line").asLong()).answer());
            assertThat(n.path("b").isNull() ? null : n.path("b").asText()).isEqualTo(b.get(n.get("line").asLong()).answer());
        }
        assertThat(written).as("changed.jsonl: every changed line, in line order").isEqualTo(changedLines);
        assertThat(Json.MAPPER.convertValue(c.get("tiers"), Map.class)).isEqualTo(Json.MAPPER.convertValue(tiers, Map.class));
        assertThat(Json.MAPPER.convertValue(c.get("confusion"), Map.class))
                .isEqualTo(Json.MAPPER.convertValue(answers, Map.class));
        assertThat(c.at("/ground_truth/labelled").asLong()).isEqualTo(common);
        assertThat(c.at("/ground_truth/a/correct").asLong()).isEqualTo(truthA);
        assertThat(c.at("/ground_truth/b/correct").asLong()).isEqualTo(truthB);
        assertThat(c.at("/ground_truth/a/accuracy").decimalValue())
                .isEqualByComparingTo(RunComparison.ratio(truthA, common));
        assertThat(c.at("/cost/a/total_usd").decimalValue()).isEqualByComparingTo(costA);
        assertThat(c.at("/cost/b/total_usd").decimalValue()).isEqualByComparingTo(costB);
        assertThat(c.at("/cost/a/per_item_usd").decimalValue())
                .isEqualByComparingTo(costA.divide(BigDecimal.valueOf(common), 8, java.math.RoundingMode.HALF_UP));

        // graded: line 10 right value = A's answer; line 12 = B's answer (B's verdict is later); line 30 = billing
        assertThat(c.at("/graded/items").asLong()).isEqualTo(3);
        assertThat(c.at("/graded/verdicts_a").asLong()).isEqualTo(2);
        assertThat(c.at("/graded/verdicts_b").asLong()).isEqualTo(2);
        String[] right = {a.get(10L).answer(), b.get(12L).answer(), "billing"};
        long[] lines = {10, 12, 30};
        long gradedA = 0, gradedB = 0;
        for (int i = 0; i < 3; i++) {
            if (right[i].equals(a.get(lines[i]).answer())) gradedA++;
            if (right[i].equals(b.get(lines[i]).answer())) gradedB++;
        }
        assertThat(c.at("/graded/a/correct").asLong()).isEqualTo(gradedA);
        assertThat(c.at("/graded/b/correct").asLong()).isEqualTo(gradedB);

        // prompt versions and what changed in the job
        assertThat(c.at("/a/prompt_version/label").asText()).isEqualTo("v1");
        assertThat(c.at("/b/prompt_version/label").asText()).isEqualTo("v2");
        assertThat(c.at("/a/prompt_version/hash").asText()).isNotEqualTo(c.at("/b/prompt_version/hash").asText());
        assertThat(c.get("same_prompt").asBoolean()).isFalse();
        List<String> fields = new ArrayList<>();
        for (JsonNode p : c.get("prompt_changes")) {
            fields.add(p.get("field").asText() + (p.get("request_shaping").asBoolean() ? " (request)" : ""));
        }
        assertThat(fields).containsExactly("system (request)", "confidence.accept_at", "version");
        JsonNode system = c.get("prompt_changes").get(0);
        assertThat(system.get("a").asText()).as("the loader's default").isEmpty();
        assertThat(system.get("b").asText()).isEqualTo("<script>alert(1)</script> Be careful.");

        assertThat(Files.list(tmp.resolve("spill"))).as("spilled files are deleted").isEmpty();
    }

    @Test
    void sameJobTwiceIsTheSamePromptAndNothingChanged() {
        ObjectStore store = new FileObjectStore(tmp.resolve("bucket"));
        put(store, "run-a", "", runA(), 1);
        put(store, "run-b", "", runA(), 3);
        JsonNode c = RunComparison.compare(store, "run-a", "run-b", tmp.resolve("spill"), null, 5,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).json();
        assertThat(c.get("same_prompt").asBoolean()).isTrue();
        assertThat(c.get("prompt_changes")).isEmpty();
        assertThat(c.at("/changed/count").asLong()).isZero();
        assertThat(c.at("/items/common").asLong()).isEqualTo(40);
        assertThat(c.has("graded")).isFalse();
    }

    @Test
    void runsThatCannotBeComparedAreRefusedWithEveryReason() {
        ObjectStore store = new FileObjectStore(tmp.resolve("bucket"));
        put(store, "run-a", "", runA(), 1);
        store.put(RunKeys.jobSnapshot("running"), JOB.formatted("").getBytes(StandardCharsets.UTF_8), "application/yaml");
        assertThatThrownBy(() -> RunComparison.compare(store, "nope", "running", tmp, null,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023))
                .isInstanceOf(CompareException.class)
                .satisfies(e -> assertThat(((CompareException) e).problems()).containsExactly(
                        "no run nope (`./batchline local status` lists the runs)",
                        "run running has not finished (no report.json yet): compare it when `./batchline local status`"
                                + " shows it finished"));
        List<Item> other = new ArrayList<>();
        for (long line = 41; line <= 50; line++) other.add(new Item(line, "T-" + line, "accepted", "billing", BigDecimal.ONE, "billing"));
        put(store, "run-c", "", other, 4);
        assertThatThrownBy(() -> RunComparison.compare(store, "run-a", "run-c", tmp.resolve("spill"), null,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023))
                .isInstanceOf(CompareException.class)
                .hasMessageContaining("no input line in common (40 and 10 outcome lines)")
                .hasMessageContaining("different inputs");
    }
}
