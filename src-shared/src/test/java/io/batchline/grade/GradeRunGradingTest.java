package io.batchline.grade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.json.Json;
import io.batchline.report.ReportPages;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Grading a finished run over its bucket: verdict files, the interactive session, and what is published. */
class GradeRunGradingTest {
    @TempDir Path dir;
    private static final String RUN = GradeTestRun.RUN;
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
    /** Not HTML (that is report-html's): a page that shows which report it was rendered from. */
    private static final ReportPages PAGES = report -> "page of a report graded " + report.at("/grading/verdict").asText();

    private static List<GradeRecord> file(RunGrading g, String name, String text) {
        return g.verdictsFrom(name, new StringReader(text), "ana", T0);
    }

    @Test
    void aVerdictsFileWithAnyBadRowIsRefusedWholeNamingTheLinesOfTheFile() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        RunGrading g = RunGrading.open(store, RUN, false, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        String csv = """
                line,verdict,correct_value
                1,correct,
                2,correct,
                3,maybe,
                5,wrong,
                7,wrong,refund
                9,wrong,billing
                x,correct,
                6,correct,
                """;
        assertThatThrownBy(() -> file(g, "v.csv", csv)).isInstanceOf(VerdictFileException.class)
                .hasMessageContaining("nothing was stored")
                .hasMessageContaining("line 3: input line 2 is not a sample item of this run")
                .hasMessageContaining("line 4: verdict 'maybe' is not correct, wrong or skip")
                .hasMessageContaining("line 5: no right value of primary_category given")
                .hasMessageContaining("line 6: 'refund' is not a value of primary_category (one of billing, technical, account)")
                .hasMessageContaining("line 7: wrong, but the right value 'billing' is the model's answer")
                .hasMessageContaining("line 8: 'x' is not a line number")
                .hasMessageContaining("line 9: input line 6 is not a sample item of this run (it is a review item: add --review)")
                .satisfies(e -> assertThat(((VerdictFileException) e).problems()).hasSize(7));
        assertThatThrownBy(() -> file(g, "v.jsonl", "{\"line\":1,\"verdict\":\"correct\"}\n[1]\n{\"line\":\"one\"}\n"))
                .hasMessageContaining("line 2: not a JSON object").hasMessageContaining("line 3: 'line' must be");
        assertThatThrownBy(() -> file(g, "v.txt", "1,correct")).hasMessageContaining("must end in .csv");
        assertThat(store.list(GradeKeys.prefix(RUN))).isEmpty();
    }

    @Test
    void csvAndJsonlVerdictsAreRecordsOfTheGrader() {
        RunGrading g = RunGrading.open(new GradeTestRun(dir, "0.02").store, RUN, true, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        List<GradeRecord> csv = file(g, "v.csv", "1,correct\n11,wrong,\"billing\"\n6,skip,\n");
        assertThat(csv).extracting(GradeRecord::line, GradeRecord::verdict, GradeRecord::from)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, Verdict.CORRECT, "sample"),
                        org.assertj.core.groups.Tuple.tuple(11L, Verdict.WRONG, "sample"),
                        org.assertj.core.groups.Tuple.tuple(6L, Verdict.SKIP, "review"));
        assertThat(csv.get(1).correctValue().asText()).isEqualTo("billing");
        assertThat(csv.get(1).modelValue().asText()).isEqualTo("technical");
        List<GradeRecord> jsonl = file(g, "v.jsonl", "{\"line\":13,\"verdict\":\"WRONG\",\"correct_value\":\"account\"}\n");
        assertThat(jsonl.get(0).grader()).isEqualTo("ana");
        assertThat(jsonl.get(0).at()).isEqualTo(T0);
    }

    @Test
    void publishingEstimatesFromTheSampleOnlyAndWritesSummaryGradedLinesAndTheReport() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        RunGrading g = RunGrading.open(store, RUN, true, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        // sample lines 1..19 odd: 1-9 answered billing (right), 11-19 technical (wrong); review 6 and 12 graded too
        StringBuilder csv = new StringBuilder();
        for (long line : GradeTestRun.sampleLines()) csv.append(line).append(line <= 10 ? ",correct\n" : ",wrong,billing\n");
        csv.append("6,correct\n12,wrong,billing\n");
        g.record("ana", T0, file(g, "v.csv", csv.toString()));

        RunGrading.Published p = g.publish(T0.plusSeconds(5));

        JsonNode summary = Json.tree(store.read(GradeKeys.summary(RUN)));
        assertThat(summary.at("/sample/graded").asLong()).isEqualTo(10);
        assertThat(summary.at("/sample/wrong").asLong()).isEqualTo(5);
        assertThat(summary.at("/sample/error_rate").asDouble()).isEqualTo(0.5);
        assertThat(summary.at("/sample/interval/low").asDouble()).isCloseTo(0.2366, within(0.0001));
        assertThat(summary.at("/sample/per_class/billing/wrong").asLong()).isZero();
        assertThat(summary.at("/sample/per_class/technical/wrong").asLong()).isEqualTo(5);
        // review decisions: 6 and 12 (review only) and 3, 9, 15 (sample items routed to review)
        assertThat(summary.at("/review/graded").asLong()).isEqualTo(5);
        assertThat(summary.at("/review/wrong").asLong()).isEqualTo(2);
        assertThat(summary.get("verdict").asText()).isEqualTo("needs_reprocess");
        assertThat(summary.get("graders").toString()).isEqualTo("[\"ana\"]");
        assertThat(p.summary().verdict()).isEqualTo(QualityGate.Outcome.NEEDS_REPROCESS);

        List<JsonNode> graded = store.readString(GradeKeys.gradedOutcomes(RUN)).lines()
                .map(l -> Json.tree(l.getBytes(StandardCharsets.UTF_8))).toList();
        assertThat(graded).extracting(n -> n.get("line").asLong())
                .containsExactly(1L, 3L, 5L, 6L, 7L, 9L, 11L, 12L, 13L, 15L, 17L, 19L);
        JsonNode wrong = graded.get(6);
        assertThat(wrong.at("/output/primary_category").asText()).isEqualTo("billing");
        assertThat(wrong.at("/grade/model_value").asText()).isEqualTo("technical");
        assertThat(wrong.at("/grade/correct_value").asText()).isEqualTo("billing");
        assertThat(wrong.at("/grade/verdict").asText()).isEqualTo("wrong");
        assertThat(wrong.at("/grade/grader").asText()).isEqualTo("ana");
        assertThat(wrong.at("/grade/at").asText()).isEqualTo("2026-12-05T10:00:00Z");
        assertThat(graded.get(0).get("grade").has("model_value")).isFalse();
        assertThat(wrong.get("ground_truth").asText()).isEqualTo("billing"); // the rest of the line as it was

        String report = store.readString(RunKeys.report(RUN));
        assertThat(report).startsWith(GradeTestRun.REPORT.substring(0, GradeTestRun.REPORT.length() - 1) + ",\"grading\":{");
        assertThat(Json.tree(report.getBytes(StandardCharsets.UTF_8)).at("/grading/verdict").asText()).isEqualTo("needs_reprocess");
        assertThat(store.readString(RunKeys.reportPage(RUN))).as("report.html, rendered again from the graded report")
                .isEqualTo("page of a report graded needs_reprocess");
    }

    @Test
    void gradingAgainReplacesTheReportsBlockAndKeepsTheRestByteForByte() {
        ObjectStore store = new GradeTestRun(dir, "0.9").store;
        RunGrading g = RunGrading.open(store, RUN, false, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        g.record("ana", T0, file(g, "v.csv", "1,correct\n"));
        g.publish(T0);
        RunGrading again = RunGrading.open(store, RUN, false, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        again.record("bo", T0.plusSeconds(1), file(again, "v.csv", "3,correct\n5,correct\n"));
        again.publish(T0.plusSeconds(2));

        String report = store.readString(RunKeys.report(RUN));
        String original = GradeTestRun.REPORT.substring(0, GradeTestRun.REPORT.length() - 1);
        assertThat(report).startsWith(original + ",\"grading\":{").containsOnlyOnce("\"grading\"");
        JsonNode grading = Json.tree(report.getBytes(StandardCharsets.UTF_8)).get("grading");
        assertThat(grading.at("/sample/graded").asLong()).isEqualTo(3);
        assertThat(grading.get("sessions").asInt()).isEqualTo(2);
        assertThat(grading.get("max_error_rate").asDouble()).isEqualTo(0.9);
    }

    @Test
    void theInteractiveSessionShowsTheTemplateFieldsAndTakesScriptedKeys() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        RunGrading g = RunGrading.open(store, RUN, false, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        List<GradableItem> todo = g.toGrade();
        assertThat(todo).extracting(GradableItem::line).containsExactlyElementsOf(GradeTestRun.sampleLines());
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        // 1 correct; 3: an unknown key, then wrong, a bad value, the model's own, then class 3 by number;
        // 5 skipped; 7 wrong with a name; then quit at 9
        String keys = "c\nx\nw\nrefund\nbilling\n3\ns\nW\ntechnical\nq\n";
        InteractiveGrader grader = new InteractiveGrader(new StringReader(keys),
                new PrintStream(shown, true, StandardCharsets.UTF_8), g.field(), "ana", Clock.fixed(T0, ZoneOffset.UTC));

        InteractiveGrader.Session s = grader.grade(todo, g.inputsOf(todo));

        assertThat(s.quit()).isTrue();
        assertThat(s.records()).extracting(r -> r.line() + " " + r.verdict().label() + " "
                        + (r.correctValue() == null ? "-" : r.correctValue().asText()))
                .containsExactly("1 correct -", "3 wrong account", "5 skip -", "7 wrong technical");
        String screen = shown.toString(StandardCharsets.UTF_8);
        assertThat(screen).contains("[1/10] line 1  id T-1  (sample item, outcome accepted, confidence 0.80)")
                .contains("  subject: s1").contains("  body: b1").doesNotContain("label").doesNotContain("extra")
                .contains("  answer: primary_category = billing")
                .contains("  type c, w, s or q")
                .contains("'refund' is not a value of primary_category")
                .contains("that is the model's answer")
                .contains("right primary_category (1 billing, 2 technical, 3 account)")
                .contains("reason: confidence 0.8 below accept_at 0.9");

        g.record("ana", T0, s.records());
        RunGrading resumed = RunGrading.open(store, RUN, false, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        assertThat(resumed.toGrade()).extracting(GradableItem::line).containsExactly(5L, 9L, 11L, 13L, 15L, 17L, 19L);
        InteractiveGrader.Session rest = new InteractiveGrader(new StringReader("c\nc\n"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), resumed.field(), "bo",
                Clock.fixed(T0, ZoneOffset.UTC)).grade(resumed.toGrade(), java.util.Map.of());
        assertThat(rest.quit()).as("the end of the input quits").isTrue();
        assertThat(rest.records()).extracting(GradeRecord::line).containsExactly(5L, 9L);
    }

    @Test
    void withReviewTheReviewItemsNotInTheSampleFollowTheSample() {
        RunGrading g = RunGrading.open(new GradeTestRun(dir, "0.02").store, RUN, true, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        assertThat(g.toGrade().stream().map(i -> i.line() + i.from().substring(0, 1)).collect(Collectors.joining(" ")))
                .isEqualTo("1s 3s 5s 7s 9s 11s 13s 15s 17s 19s 6r 12r 18r");
    }

    @Test
    void aRunWithoutAReportIsNotGradable() {
        ObjectStore store = new GradeTestRun(dir, "0.02").store;
        assertThatThrownBy(() -> RunGrading.open(store, "other-run", false, PAGES,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023)).hasMessageContaining("has no report.json");
    }
}
