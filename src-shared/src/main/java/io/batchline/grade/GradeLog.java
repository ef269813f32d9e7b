package io.batchline.grade;

import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The verdicts stored with a run: append-only, one object per grading session, never rewritten. Reading takes
 * every session in key (time) order and line order within it; per item the last correct or wrong verdict wins.
 * A skip is kept for the record but changes nothing: an item only skipped is still to be graded.
 */
public final class GradeLog {
    private final List<GradeRecord> records;
    private final int sessions;

    private GradeLog(List<GradeRecord> records, int sessions) {
        this.records = List.copyOf(records);
        this.sessions = sessions;
    }

    public static GradeLog empty() {
        return new GradeLog(List.of(), 0);
    }

    /** Reads every session object of the run; a malformed line stops the read, naming its object and line. */
    public static GradeLog read(ObjectStore store, String runId) {
        List<GradeRecord> all = new ArrayList<>();
        int sessions = 0;
        for (String key : store.list(GradeKeys.prefix(runId))) {
            if (!GradeKeys.isSession(key)) continue;
            sessions++;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(store.open(key), StandardCharsets.UTF_8))) {
                String text;
                for (int lineNo = 1; (text = in.readLine()) != null; lineNo++) {
                    if (text.isBlank()) continue;
                    try {
                        all.add(GradeRecord.fromJson(Json.MAPPER.readTree(text)));
                    } catch (IOException | IllegalArgumentException e) {
                        throw new GradeFileException("grading object " + key + " line " + lineNo + " is not a verdict: "
                                + e.getMessage() + " (grading objects are append-only: move this one aside to go"
                                + " on without it)");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + key, e);
            }
        }
        return new GradeLog(all, sessions);
    }

    /** Every record, skips included, in the order they were given. */
    public List<GradeRecord> records() {
        return records;
    }

    public int sessions() {
        return sessions;
    }

    /** Per line, the verdict that counts: the last correct or wrong one. */
    public Map<Long, GradeRecord> decided() {
        Map<Long, GradeRecord> last = new TreeMap<>();
        for (GradeRecord r : records) if (r.verdict() != Verdict.SKIP) last.put(r.line(), r);
        return Collections.unmodifiableMap(last);
    }

    public boolean isDecided(long line) {
        return decided().containsKey(line);
    }

    public TreeSet<String> graders() {
        TreeSet<String> names = new TreeSet<>();
        for (GradeRecord r : records) names.add(r.grader());
        return names;
    }

    /** This log with a session's records after its own, as a read after {@link #append} would see it. */
    public GradeLog with(List<GradeRecord> session) {
        if (session.isEmpty()) return this;
        List<GradeRecord> all = new ArrayList<>(records);
        all.addAll(session);
        return new GradeLog(all, sessions + 1);
    }

    /**
     * Stores one session's records as a new object and returns its key; nothing is written for an empty session.
     * An existing object is never replaced: a second session in the same millisecond gets a key of its own.
     */
    public static String append(ObjectStore store, String runId, String grader, Instant startedAt,
                                List<GradeRecord> session) {
        if (session.isEmpty()) return null;
        String key = GradeKeys.session(runId, startedAt, grader);
        for (int n = 2; store.exists(key); n++) {
            key = GradeKeys.session(runId, startedAt, grader + "-" + n);
        }
        try (OutputStream out = store.create(key, "application/x-ndjson")) {
            for (GradeRecord r : session) JsonLines.write(out, r.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + key, e);
        }
        return key;
    }
}
