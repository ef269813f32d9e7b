package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cli.Target;
import io.batchline.cli.UserInputException;
import io.batchline.cli.operate.GradeCommand;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.offline.report.HeadlessChromium;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.pipeline.PipelineConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two prompt versions of the sample on the offline stack, then `compare`: run A is the shipped job over the first
 * 300 tickets; run B a variant whose user template leaves the subject out (labelled {@code version: v2-body-only})
 * over the same 300 lines with every fifth one blank, so B is a rerun of a subset with its line numbers kept. A's
 * spot-check sample is graded from the labels. Every figure compare prints and writes is recomputed here from the
 * outcome files both runs exported and from the labels in tickets.jsonl.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
@ExtendWith(StagesInThisJvm.ForCommands.class)
class CompareRunsEndToEndTest {
    private static final Path HOME = CliRun.HOME;
    private static final Path SAMPLE = HOME.resolve("samples/ticket-triage");
    private static final int TICKETS = 300;
    @TempDir Path tmp;

    private String run(Path job, Path input, Path state, Path out) throws Exception {
        CliRun run = CliRun.of("local", "run", "--job", job.toString(), "--state", state.toString(), "--out", out.toString(),
                input.toString());
        assertThat(run.code()).as(run.out()).isZero();
        Matcher m = Pattern.compile("Run (\\S+) finished").matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        return m.group(1);
    }

    private record Outcome(String id, String outcome, String answer, BigDecimal cost) {}

    /** line -> outcome, from the four outcome files of an exported run. */
    private static Map<Long, Outcome> outcomes(Path dir) throws Exception {
        Map<Long, Outcome> byLine = new TreeMap<>();
        for (String kind : List.of("accepted", "review", "rejected", "failed")) {
            for (String l : Files.readAllLines(dir.resolve(kind + ".jsonl"))) {
                if (l.isBlank()) continue;
                JsonNode o = Json.tree(l.getBytes(StandardCharsets.UTF_8));
                JsonNode answer = o.at("/output/primary_category");
                Outcome prev = byLine.put(o.get("line").asLong(), new Outcome(o.get("id").asText(), kind,
                        answer.isTextual() ? answer.asText() : null, o.get("cost_usd").decimalValue()));
                assertThat(prev).isNull();
            }
        }
        return byLine;
    }

    @Test
    void comparingTwoPromptVersionsOfTheSampleCountsWhatTheOutcomeFilesSay() throws Exception {
        List<String> tickets = Files.readAllLines(SAMPLE.resolve("tickets.jsonl")).subList(0, TICKETS);
        Map<Long, String> labels = new HashMap<>();
        for (int i = 0; i < TICKETS; i++) {
            labels.put(i + 1L, Json.tree(tickets.get(i).getBytes(StandardCharsets.UTF_8)).get("label").asText());
        }
        Path inputA = Files.write(tmp.resolve("tickets-a.jsonl"), tickets);
        List<String> subset = new ArrayList<>();
        for (int i = 0; i < TICKETS; i++) subset.add((i + 1) % 5 == 0 ? "" : tickets.get(i));
        Path inputB = Files.write(tmp.resolve("tickets-b.jsonl"), subset);

        // the variant: the same job without the subject in the user message, with a version label
        Path variantDir = Files.createDirectories(tmp.resolve("variant"));
        Files.copy(SAMPLE.resolve("golden.jsonl"), variantDir.resolve("golden.jsonl"));
        String shipped = Files.readString(SAMPLE.resolve("job.yaml"));
        String variant = shipped.replaceFirst("user_template: \\|\n  Subject: \\{\\{subject}}\n\n", "user_template: |\n")
                .replace("name: ticket-triage\n", "name: ticket-triage\nversion: v2-body-only\n");
        assertThat(variant).isNotEqualTo(shipped).contains("version: v2-body-only").doesNotContain(
                "user_template: |\n  Subject:");
        Path variantJob = Files.writeString(variantDir.resolve("job.yaml"), variant);

        Path state = tmp.resolve("state");
        Path outA = tmp.resolve("out-a"), outB = tmp.resolve("out-b");
        long started = System.nanoTime();
        String a = run(SAMPLE.resolve("job.yaml"), inputA, state, outA);
        String b = run(variantJob, inputB, state, outB);
        System.out.printf("two runs of %d tickets: %.1f s%n", TICKETS, (System.nanoTime() - started) / 1e9);

        // A's spot-check sample graded from the labels
        StringBuilder csv = new StringBuilder("line,verdict,correct_value\n");
        List<Long> sampleLines = new ArrayList<>();
        for (String l : Files.readAllLines(outA.resolve("sample.jsonl"))) {
            if (l.isBlank()) continue;
            JsonNode o = Json.tree(l.getBytes(StandardCharsets.UTF_8));
            long line = o.get("line").asLong();
            sampleLines.add(line);
            boolean right = labels.get(line).equals(o.at("/output/primary_category").asText(null));
            csv.append(line).append(right ? ",correct,\n" : ",wrong," + labels.get(line) + "\n");
        }
        Path verdicts = Files.writeString(tmp.resolve("verdicts.csv"), csv);
        ByteArrayOutputStream gradeOut = new ByteArrayOutputStream();
        PrintStream gradePrint = new PrintStream(gradeOut, true, StandardCharsets.UTF_8);
        int graded;
        try (Target target = Target.of(null, state, gradePrint)) {
            graded = new GradeCommand(gradePrint, new StringReader(""), Clock.systemUTC(), tmp.resolve("no-folders"),
                    PipelineConfig.fromEnv(Map.of())).run(new GradeCommand.Options(a, false, verdicts, "qa"), target);
        }
        assertThat(graded).as(gradeOut.toString(StandardCharsets.UTF_8)).isZero();

        Path dir = tmp.resolve("compare");
        started = System.nanoTime();
        CliRun compare = CliRun.of("compare", a, b, "--out", dir.toString(), "--state", state.toString());
        System.out.printf("compare: %.1f s%n", (System.nanoTime() - started) / 1e9);
        System.out.println(compare.out());
        assertThat(compare.code()).as(compare.out()).isZero();
        JsonNode c = Json.tree(Files.readAllBytes(dir.resolve("compare.json")));

        // recomputed from the outcome files and the labels
        Map<Long, Outcome> ra = outcomes(outA), rb = outcomes(outB);
        assertThat(ra).hasSize(TICKETS);
        assertThat(rb).hasSize(TICKETS - TICKETS / 5);
        long common = 0, changed = 0, rightA = 0, rightB = 0, gradedA = 0, gradedB = 0, gradedItems = 0;
        BigDecimal costA = BigDecimal.ZERO, costB = BigDecimal.ZERO;
        Map<String, Map<String, Long>> tiers = new TreeMap<>();
        List<Long> changedLines = new ArrayList<>();
        for (var e : ra.entrySet()) {
            Outcome x = e.getValue(), y = rb.get(e.getKey());
            if (y == null) continue;
            assertThat(y.id()).isEqualTo(x.id());
            common++;
            costA = costA.add(x.cost());
            costB = costB.add(y.cost());
            tiers.computeIfAbsent(x.outcome(), k -> new TreeMap<>()).merge(y.outcome(), 1L, Long::sum);
            String label = labels.get(e.getKey());
            if (label.equals(x.answer())) rightA++;
            if (label.equals(y.answer())) rightB++;
            if (sampleLines.contains(e.getKey())) {
                gradedItems++;
                if (label.equals(x.answer())) gradedA++;
                if (label.equals(y.answer())) gradedB++;
            }
            if (!Objects.equals(x.answer(), y.answer())) {
                changed++;
                changedLines.add(e.getKey());
            }
        }
        System.out.printf("common %d, changed %d, accuracy A %d/%d, B %d/%d, graded %d%n", common, changed, rightA,
                common, rightB, common, gradedItems);
        assertThat(c.at("/items/common").asLong()).isEqualTo(common).isEqualTo(TICKETS - TICKETS / 5);
        assertThat(c.at("/items/only_in_a").asLong()).isEqualTo(TICKETS / 5);
        assertThat(c.at("/items/only_in_b").asLong()).isZero();
        assertThat(c.at("/changed/count").asLong()).isEqualTo(changed).as("the subject matters to some answers")
                .isPositive();
        List<Long> written = new ArrayList<>();
        for (String l : Files.readAllLines(dir.resolve("changed.jsonl"))) {
            written.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).get("line").asLong());
        }
        assertThat(written).isEqualTo(changedLines);
        assertThat(c.at("/ground_truth/labelled").asLong()).isEqualTo(common);
        assertThat(c.at("/ground_truth/a/correct").asLong()).isEqualTo(rightA);
        assertThat(c.at("/ground_truth/b/correct").asLong()).isEqualTo(rightB);
        assertThat(c.at("/graded/items").asLong()).isEqualTo(gradedItems).isPositive();
        assertThat(c.at("/graded/a/correct").asLong()).isEqualTo(gradedA);
        assertThat(c.at("/graded/b/correct").asLong()).isEqualTo(gradedB);
        assertThat(Json.string(c.get("tiers"))).isEqualTo(Json.string(tiers));
        assertThat(c.at("/cost/a/total_usd").decimalValue()).isEqualByComparingTo(costA);
        assertThat(c.at("/cost/b/total_usd").decimalValue()).isEqualByComparingTo(costB);

        // the prompt versions: recorded in each report, named in the comparison with what changed
        JsonNode reportA = Json.tree(Files.readAllBytes(outA.resolve("report.json")));
        JsonNode reportB = Json.tree(Files.readAllBytes(outB.resolve("report.json")));
        assertThat(reportA.at("/prompt_version/hash").asText()).matches("sha256:[0-9a-f]{16}");
        assertThat(reportA.at("/prompt_version/label").isMissingNode()).isTrue();
        assertThat(reportB.at("/prompt_version/label").asText()).isEqualTo("v2-body-only");
        assertThat(c.at("/a/prompt_version")).isEqualTo(reportA.get("prompt_version"));
        assertThat(c.at("/b/prompt_version")).isEqualTo(reportB.get("prompt_version"));
        assertThat(c.get("same_prompt").asBoolean()).isFalse();
        List<String> fields = new ArrayList<>();
        c.get("prompt_changes").forEach(p -> fields.add(p.get("field").asText()));
        assertThat(fields).containsExactly("user_template", "version");
        assertThat(Files.readString(outB.resolve("report.html"))).contains("v2-body-only");

        // the terminal: changed items, both accuracies, cost per item, the changed fields
        assertThat(compare.out()).contains(String.format("changed     %,d answer(s) of primary_category", changed))
                .contains(String.format("against the labels of %,d item(s)", common))
                .contains("cost/item   A $").contains("prompt      changed: user_template; other job fields changed:"
                        + " version");
        String html = Files.readString(dir.resolve("compare.html"));
        assertThat(html).contains("id=\"changed-count\">" + changed + "<").contains("v2-body-only")
                .doesNotContain("<script").doesNotContain("http://").doesNotContain("https://");
        CliRun status = CliRun.of("local", "status", b, "--state", state.toString());
        assertThat(status.out()).contains("prompt     " + reportB.at("/prompt_version/hash").asText() + " (v2-body-only)");

        // the page in a real browser: rendered without a refused resource, the counts in the DOM
        HeadlessChromium.Result dom = HeadlessChromium.run(dir.resolve("compare.html"), tmp, "--dump-dom");
        assertThat(dom.exit()).as("chromium stderr: %s", dom.stderr()).isZero();
        assertThat(dom.stderr()).doesNotContain("Refused to").doesNotContain("net::ERR").doesNotContain("Uncaught");
        assertThat(dom.stdout()).contains("id=\"changed-count\">" + changed + "<").contains("id=\"accuracy-a\"")
                .contains("<section id=\"confusion\">");
        Path shot = Path.of(System.getProperty("java.io.tmpdir"), "batchline-compare.png");
        HeadlessChromium.Result png = HeadlessChromium.run(dir.resolve("compare.html"), tmp, "--screenshot=" + shot,
                "--window-size=900,2400", "--hide-scrollbars");
        assertThat(png.exit()).as("chromium stderr: %s", png.stderr()).isZero();
        assertThat(Files.size(shot)).isPositive();

        // bad input: exit 2 with the reason (Cli.main turns this exception into exit code 2)
        assertThatThrownBy(() -> CliRun.of("compare", a, "no-such-run", "--out", tmp.resolve("x").toString(), "--state",
                state.toString())).isInstanceOf(UserInputException.class)
                .hasMessageContaining("no run no-such-run");
    }
}
