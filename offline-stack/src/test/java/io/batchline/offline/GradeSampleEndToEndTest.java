package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cli.Target;
import io.batchline.cli.operate.GradeCommand;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.grade.QualityGate;
import io.batchline.grade.WilsonInterval;
import io.batchline.json.Json;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.pipeline.PipelineConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Grading on the bundled sample, end to end: the sample run on the offline stack, then `grade` with the 100
 * spot-check items graded from their labels through the non-interactive form. The error-rate interval must hold
 * the true error rate of the whole run (every answered item against its label), and the gate must decide as its
 * rule says.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
@ExtendWith(StagesInThisJvm.ForCommands.class)
class GradeSampleEndToEndTest {
    private static final Path HOME = CliRun.HOME;
    private static final Path SAMPLE = HOME.resolve("samples/ticket-triage");
    @TempDir Path tmp;

    private CliRun grade(Path state, Path folders, String terminal, GradeCommand.Options options) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (Target target = Target.of(null, state, print)) {
            int code = new GradeCommand(print, new StringReader(terminal), Clock.systemUTC(), folders,
                    PipelineConfig.fromEnv(Map.of())).run(options, target);
            return new CliRun(code, out.toString(StandardCharsets.UTF_8));
        }
    }

    private static List<JsonNode> lines(Path file) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String l : Files.readAllLines(file)) if (!l.isBlank()) lines.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)));
        return lines;
    }

    private static boolean answeredRight(JsonNode outcome) {
        return outcome.at("/output/primary_category").asText("(no answer)").equals(outcome.path("ground_truth").asText());
    }

    @Test
    void gradingTheSamplesHundredItemsEstimatesTheTrueErrorRateAndTheGateDecidesByItsRule() throws Exception {
        assertThat(Files.readString(SAMPLE.resolve("job.yaml"))).contains("max_error_rate: 0.02");
        Path state = tmp.resolve("state");
        Path out = tmp.resolve("out");

        CliRun run = CliRun.of("local", "run", "--job", SAMPLE.resolve("job.yaml").toString(), "--state", state.toString(),
                "--out", out.toString(), SAMPLE.resolve("tickets.jsonl").toString());
        assertThat(run.code()).as(run.out()).isZero();
        Matcher m = Pattern.compile("Run (\\S+) finished").matcher(run.out());
        assertThat(m.find()).as(run.out()).isTrue();
        String runId = m.group(1);

        // the true error rate: every answered item of the run against its label
        long answered = 0, wrongInRun = 0;
        for (String kind : List.of("accepted", "review", "rejected")) {
            for (JsonNode o : lines(out.resolve(kind + ".jsonl"))) {
                answered++;
                if (!answeredRight(o)) wrongInRun++;
            }
        }
        double trueRate = (double) wrongInRun / answered;

        // the sample carries the labels: grade it from them, through a verdicts file
        List<JsonNode> sample = lines(out.resolve("sample.jsonl"));
        assertThat(sample).hasSize(100).allSatisfy(o -> assertThat(o.hasNonNull("ground_truth")).isTrue());
        StringBuilder csv = new StringBuilder("line,verdict,correct_value\n");
        long wrongInSample = 0;
        for (JsonNode o : sample) {
            boolean right = answeredRight(o);
            if (!right) wrongInSample++;
            csv.append(o.get("line").asLong()).append(right ? ",correct,\n" : ",wrong," + o.get("ground_truth").asText() + "\n");
        }
        Path verdicts = Files.writeString(tmp.resolve("verdicts.csv"), csv);

        Path folders = tmp.resolve("batchline-out");
        Files.createDirectories(folders.resolve(runId));
        // an interactive look first: the first item's input fields are shown; a skip decides nothing
        CliRun look = grade(state, folders, "s\nq\n", new GradeCommand.Options(runId, false, null, "ana"));
        assertThat(look.code()).as(look.out()).isZero();
        assertThat(look.out()).contains("[1/100] line " + sample.get(0).get("line").asLong())
                .contains("  subject: ").contains("  body: ").contains("c correct, w wrong, s skip, q quit > ")
                .contains("0 of 100 sample item(s) graded");

        CliRun graded = grade(state, folders, "", new GradeCommand.Options(runId, false, verdicts, "qa-bot"));
        assertThat(graded.code()).as(graded.out()).isZero();
        System.out.println(graded.out());

        JsonNode report = Json.tree(Files.readAllBytes(folders.resolve(runId).resolve("report.json")));
        JsonNode g = report.get("grading");
        assertThat(g.at("/sample/graded").asLong()).isEqualTo(100);
        assertThat(g.at("/sample/wrong").asLong()).isEqualTo(wrongInSample);
        WilsonInterval interval = new WilsonInterval(g.at("/sample/interval/low").asDouble(),
                g.at("/sample/interval/high").asDouble());
        System.out.printf("true error rate %.4f (%d of %d answered items); sample %d of 100 wrong, 95%% interval"
                + " [%.4f, %.4f]; verdict %s%n", trueRate, wrongInRun, answered, wrongInSample, interval.low(),
                interval.high(), g.get("verdict").asText());
        assertThat(interval.contains(trueRate)).as("interval %s holds the true rate %s", interval, trueRate).isTrue();
        assertThat(report.at("/quality/accuracy").asDouble()).as("the report's own accuracy agrees")
                .isLessThanOrEqualTo(1 - trueRate + 1e-9);

        // the gate, as configured (0.02), and at the interval's edges
        QualityGate.Outcome atTwoPercent = QualityGate.verdict(WilsonInterval.of95(wrongInSample, 100), 0.02);
        assertThat(g.get("verdict").asText()).isEqualTo(atTwoPercent.label());
        WilsonInterval exact = WilsonInterval.of95(wrongInSample, 100);
        assertThat(QualityGate.verdict(exact, Math.nextDown(exact.low()))).isEqualTo(QualityGate.Outcome.NEEDS_REPROCESS);
        assertThat(QualityGate.verdict(exact, exact.low())).isEqualTo(QualityGate.Outcome.UNDECIDED);
        assertThat(QualityGate.verdict(exact, exact.high())).isEqualTo(QualityGate.Outcome.UNDECIDED);
        assertThat(QualityGate.verdict(exact, Math.nextUp(exact.high()))).isEqualTo(QualityGate.Outcome.PASSED);

        // the outcome folder got graded.jsonl: one line per graded item, corrected where wrong
        List<JsonNode> gradedLines = lines(folders.resolve(runId).resolve("graded.jsonl"));
        assertThat(gradedLines).hasSize(100);
        for (JsonNode line : gradedLines) {
            assertThat(line.at("/output/primary_category").asText()).isEqualTo(line.get("ground_truth").asText());
            assertThat(line.at("/grade/grader").asText()).isEqualTo("qa-bot");
        }
        assertThat(Files.readString(folders.resolve(runId).resolve("report.html"))).contains("id=\"grading-verdict\"");

        // resumable: nothing is left; status shows the verdict
        CliRun again = grade(state, folders, "", new GradeCommand.Options(runId, false, null, "ana"));
        assertThat(again.out()).contains("nothing left to grade in run " + runId);
        CliRun status = CliRun.of("local", "status", runId, "--state", state.toString());
        assertThat(status.out()).contains("grading    " + g.get("verdict").asText() + ": error rate");
    }
}
