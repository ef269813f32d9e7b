package io.batchline.grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import io.batchline.report.ReportPages;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.Reader;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Grading one finished run, over the bucket that holds it: what is left to grade, storing a session's verdicts,
 * and publishing what they amount to (grades/summary.json, out/graded.jsonl, report.json's {@code grading} block
 * and report.html, rendered by the given {@link ReportPages}). Works on any {@link ObjectStore}, so the same code
 * grades a local or a deployed stack's runs.
 */
public final class RunGrading {
    private final ObjectStore store;
    private final String runId;
    private final JobSpec job;
    private final ComparedField field;
    private final GradableItems items;
    private final boolean withReview;
    private final ReportPages pages;
    private GradeLog log;

    private RunGrading(ObjectStore store, String runId, JobSpec job, GradableItems items, boolean withReview,
                       ReportPages pages, GradeLog log) {
        this.store = store;
        this.runId = runId;
        this.job = job;
        this.field = ComparedField.of(job);
        this.items = items;
        this.withReview = withReview;
        this.pages = pages;
        this.log = log;
    }

    /**
     * Opens a finished run for grading: its job snapshot, sample (and with {@code withReview} its review items) and
     * the verdicts stored so far. Throws IllegalStateException when the run has no report (not finished, or no
     * such run) or no sample; {@link GradeFileException} when a stored grading object is malformed. {@code pages}
     * renders report.html when the grading is published. The job snapshot is read against {@code catalogue} at
     * {@code apiVersion}.
     */
    public static RunGrading open(ObjectStore store, String runId, boolean withReview, ReportPages pages,
                                  ModelCatalogue catalogue, String apiVersion) {
        if (!store.exists(RunKeys.report(runId))) {
            throw new IllegalStateException("run " + runId + " has no report.json: it has not finished, or there is"
                    + " no such run");
        }
        JobSpec job = JobSpecLoader.load(store.read(RunKeys.jobSnapshot(runId)), catalogue, apiVersion);
        GradeLog log = GradeLog.read(store, runId);
        Set<Long> decided = log.decided().keySet();
        GradableItems items = GradableItems.read(store, runId, line -> withReview || decided.contains(line));
        if (items.sample().isEmpty() && !(withReview && !items.review().isEmpty())) {
            throw new IllegalStateException("run " + runId + " has no sample items to grade"
                    + (withReview ? " and no review items" : ""));
        }
        return new RunGrading(store, runId, job, items, withReview, pages, log);
    }

    public String runId() {
        return runId;
    }

    public JobSpec job() {
        return job;
    }

    public ComparedField field() {
        return field;
    }

    public GradableItems items() {
        return items;
    }

    public GradeLog log() {
        return log;
    }

    /** The items not graded yet (only skipped counts as not graded): the sample's, then the review items. */
    public List<GradableItem> toGrade() {
        return items.toGrade(withReview, log.decided().keySet());
    }

    /** The template fields of these items' input lines, read from the run's input; empty when it is gone. */
    public Map<Long, ObjectNode> inputsOf(List<GradableItem> these) {
        String key = inputKey();
        if (key == null || !store.exists(key)) return Map.of();
        Set<Long> lines = new HashSet<>();
        these.forEach(i -> lines.add(i.line()));
        return ItemInputs.read(store, key, job, lines);
    }

    /** The run's input key in this bucket, from report.json's {@code input} ({@code s3://bucket/key}). */
    String inputKey() {
        String input = Json.tree(store.read(RunKeys.report(runId))).path("input").asText("");
        if (!input.startsWith("s3://")) return null;
        int slash = input.indexOf('/', "s3://".length());
        return slash < 0 ? null : input.substring(slash + 1);
    }

    /** A verdicts file, checked whole against this run (see {@link VerdictFile}); nothing is stored yet. */
    public List<GradeRecord> verdictsFrom(String fileName, Reader reader, String grader, Instant at) {
        return VerdictFile.read(fileName, reader, items, field, withReview, grader, at);
    }

    /** Stores one session's verdicts as a new grading object; returns its key (null for an empty session). */
    public String record(String grader, Instant startedAt, List<GradeRecord> session) {
        String key = GradeLog.append(store, runId, grader, startedAt, session);
        log = log.with(session);
        return key;
    }

    /** What {@link #publish} wrote. */
    public record Published(GradingSummary summary, int gradedLines, byte[] gradedOutcomes, JsonNode report) {}

    /** Computes the summary from every stored verdict and writes summary.json, graded.jsonl and the report. */
    public Published publish(Instant now) {
        Map<Long, GradeRecord> decided = log.decided();
        Double max = job.sample() == null ? null : job.sample().maxErrorRate();
        GradingSummary summary = GradingSummary.of(field, items, decided, max, log.graders(), log.sessions(), now);
        ObjectNode block = summary.toJson();
        block.put("summary_key", GradeKeys.summary(runId));
        block.put("graded_key", GradeKeys.gradedOutcomes(runId));
        store.put(GradeKeys.summary(runId), Json.bytes(block), "application/json");
        byte[] graded = GradedOutcomes.render(field, items, decided);
        GradedOutcomes.write(store, runId, graded);
        JsonNode report = ReportGrading.addTo(store, runId, block, pages);
        int lines = 0;
        for (byte b : graded) if (b == '\n') lines++;
        return new Published(summary, lines, graded, report);
    }
}
