package io.batchline.grade;

import io.batchline.run.RunKeys;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where a run's grading lives in its bucket: one object per grading session under {@code runs/<id>/grades/}
 * (named by its UTC start and grader, so the keys sort by time), the summary next to them, and graded.jsonl
 * with the run's other outcome files.
 */
public final class GradeKeys {
    private GradeKeys() {}

    private static final DateTimeFormatter SESSION_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    public static String prefix(String runId) {
        return RunKeys.run(runId) + "grades/";
    }

    /** {@code runs/<id>/grades/<UTC timestamp>-<grader>.jsonl}; the grader's name is kept to [A-Za-z0-9._-]. */
    public static String session(String runId, Instant startedAt, String grader) {
        return prefix(runId) + SESSION_TIME.format(startedAt) + "-" + safe(grader) + ".jsonl";
    }

    public static boolean isSession(String key) {
        return key.endsWith(".jsonl");
    }

    public static String summary(String runId) {
        return prefix(runId) + "summary.json";
    }

    public static String gradedOutcomes(String runId) {
        return RunKeys.run(runId) + "out/graded.jsonl";
    }

    static String safe(String grader) {
        String s = grader.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() ? "_" : s;
    }
}
