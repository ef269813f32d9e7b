package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.cli.Target;
import io.batchline.cli.UserInputException;
import io.batchline.grade.GradableItem;
import io.batchline.grade.GradeFileException;
import io.batchline.grade.GradeKeys;
import io.batchline.grade.GradeRecord;
import io.batchline.grade.GradingSummary;
import io.batchline.grade.InteractiveGrader;
import io.batchline.grade.QualityGate;
import io.batchline.grade.RunGrading;
import io.batchline.grade.VerdictFileException;
import io.batchline.grade.WilsonInterval;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.report.html.HtmlReportPages;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./batchline grade RUN_ID [--review] [--verdicts FILE] [--grader NAME] [--state DIR | --target FILE]}: a
 * person grades a finished run's spot-check sample (and review items), in the terminal or from a file of verdicts graded
 * elsewhere; the verdicts are stored with the run, and the error-rate estimate and the quality gate's verdict
 * are printed and written to the run (see {@link RunGrading}).
 */
public final class GradeCommand {
    private final PrintStream out;
    private final Reader terminal;
    private final Clock clock;
    private final Path outcomeFolders;
    /** The catalogue and API version job specs are checked against. */
    private final PipelineConfig config;

    /** @param outcomeFolders where `local run` exports runs ({@code batchline-out}): graded.jsonl is copied there */
    public GradeCommand(PrintStream out, Reader terminal, Clock clock, Path outcomeFolders, PipelineConfig config) {
        this.out = out;
        this.terminal = terminal;
        this.clock = clock;
        this.outcomeFolders = outcomeFolders;
        this.config = config;
    }

    /** The options of one grading. {@code verdicts} null: interactive. */
    public record Options(String runId, boolean review, Path verdicts, String grader) {}

    public int run(Options options, Target target) throws IOException {
        return grade(new S3ObjectStore(target.s3(), target.names().bucket()), options);
    }

    int grade(ObjectStore bucket, Options o) throws IOException {
        RunGrading grading;
        try {
            grading = RunGrading.open(bucket, o.runId(), o.review(), new HtmlReportPages(), config.catalogue(),
                    config.anthropicVersion());
        } catch (IllegalStateException | GradeFileException e) {
            throw new UserInputException(e.getMessage());
        }
        Instant started = clock.instant();
        List<GradeRecord> session;
        if (o.verdicts() != null) {
            if (!Files.isRegularFile(o.verdicts())) throw new UserInputException("no verdicts file " + o.verdicts());
            try (Reader reader = Files.newBufferedReader(o.verdicts(), StandardCharsets.UTF_8)) {
                session = grading.verdictsFrom(o.verdicts().getFileName().toString(), reader, o.grader(), started);
            } catch (VerdictFileException e) {
                throw new UserInputException(e.getMessage());
            }
        } else {
            session = interactive(grading, o.grader());
        }
        String key = grading.record(o.grader(), started, session);
        if (key != null) out.printf("%nbatchline: %d verdict(s) stored in %s%n", session.size(), key);
        RunGrading.Published published = grading.publish(clock.instant());
        print(o.runId(), published);
        exportToOutcomeFolder(bucket, o.runId(), published);
        return 0;
    }

    private List<GradeRecord> interactive(RunGrading grading, String grader) {
        List<GradableItem> todo = grading.toGrade();
        int sample = grading.items().sample().size();
        if (todo.isEmpty()) {
            out.printf("batchline: nothing left to grade in run %s (%d sample items)%n", grading.runId(), sample);
            return List.of();
        }
        out.printf("Grading run %s as %s: %d item(s) to grade. Compared field: %s.%n", grading.runId(), grader,
                todo.size(), grading.field().name() == null ? "none (the schema has no enum field)"
                        : grading.field().name());
        out.println("Keys: c correct, w wrong (then the right value), s skip, q quit. Verdicts are stored when you"
                + " quit or finish; a later `grade` goes on with the items not graded yet.");
        InteractiveGrader.Session s = new InteractiveGrader(terminal, out, grading.field(), grader, clock)
                .grade(todo, grading.inputsOf(todo));
        if (s.quit()) out.printf("%nbatchline: stopped after %d verdict(s)%n", s.records().size());
        return s.records();
    }

    private void print(String runId, RunGrading.Published p) {
        GradingSummary s = p.summary();
        var e = s.sample();
        out.printf("%nRun %s: %,d of %,d sample item(s) graded, %,d wrong%n", runId, e.graded(), s.sampleItems(),
                e.wrong());
        out.printf("  error rate  %s (95%% Wilson interval %s)%n", percent(e.errorRate()), interval(e.interval()));
        if (e.perClass() != null && !e.perClass().isEmpty()) {
            out.printf("  per %s (the model's answer):%n", s.field().name());
            e.perClass().forEach((c, pc) -> out.printf("    %-18s %,5d graded %,5d wrong  %s (%s)%n", c, pc.graded(),
                    pc.wrong(), percent(pc.errorRate()), interval(pc.interval())));
        }
        out.printf("  review      %,d graded review item(s), %,d wrong (counted apart: the estimate is the random"
                + " sample's)%n", s.reviewCorrect() + s.reviewWrong(), s.reviewWrong());
        out.println("  verdict     " + verdictLine(s));
        out.printf("  written     %s, %s (%,d line(s)), report.json `grading`, report.html%n",
                GradeKeys.summary(runId), GradeKeys.gradedOutcomes(runId), p.gradedLines());
    }

    private static String verdictLine(GradingSummary s) {
        WilsonInterval i = s.sample().interval();
        return switch (s.verdict()) {
            case NO_GATE -> "none: the job sets no sample.max_error_rate";
            case NEEDS_REPROCESS -> "NEEDS_REPROCESS: the interval's lower bound " + percent(i.low())
                    + " is above max_error_rate " + percent(s.maxErrorRate());
            case PASSED -> "PASSED: the interval's upper bound " + percent(i.high()) + " is below max_error_rate "
                    + percent(s.maxErrorRate());
            case UNDECIDED -> "UNDECIDED: max_error_rate " + percent(s.maxErrorRate()) + " is inside the interval"
                    + (s.moreItemsToDecide() == null ? "" : String.format(Locale.ROOT,
                    "; at this error rate about %,d more graded item(s) would decide it", s.moreItemsToDecide()));
        };
    }

    /** The report's grading in one line, for `local status`; null for a run never graded. */
    static String gradingLine(JsonNode report) {
        JsonNode g = report.path("grading");
        if (!g.isObject()) return null;
        JsonNode s = g.path("sample");
        String verdict = g.path("verdict").asText();
        return String.format(Locale.ROOT, "%s: error rate %s (95%% %s-%s) on %,d graded sample item(s)%s",
                QualityGate.Outcome.NO_GATE.label().equals(verdict) ? "graded" : verdict,
                percent(s.path("error_rate").asDouble()), percent(s.at("/interval/low").asDouble()),
                percent(s.at("/interval/high").asDouble()), s.path("graded").asLong(),
                g.path("max_error_rate").isNumber() ? ", max " + percent(g.get("max_error_rate").asDouble()) : "");
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    private static String interval(WilsonInterval i) {
        return percent(i.low()) + " - " + percent(i.high());
    }

    /** Where `local run` exported this run, graded.jsonl and the updated report join the outcome files. */
    private void exportToOutcomeFolder(ObjectStore bucket, String runId, RunGrading.Published p) throws IOException {
        Path dir = outcomeFolders.resolve(runId);
        if (!Files.isDirectory(dir)) return;
        Files.write(dir.resolve("graded.jsonl"), p.gradedOutcomes());
        Files.write(dir.resolve("report.json"), bucket.read(RunKeys.report(runId)));
        try (InputStream html = bucket.open(RunKeys.reportPage(runId))) {
            Files.copy(html, dir.resolve("report.html"), StandardCopyOption.REPLACE_EXISTING);
        }
        out.println("  copied      graded.jsonl, report.json and report.html into " + dir);
    }
}
