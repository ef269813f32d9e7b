package io.batchline.rerun;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.grade.GradeLog;
import io.batchline.grade.GradeRecord;
import io.batchline.grade.Verdict;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.report.ErrorClass;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Which items of a finished run a rerun sends again: the input lines of the chosen outcome tiers, as a bitset of
 * 1-based line numbers built by streaming the run's outcome files (one bit per line, never the files themselves).
 *
 * <p>{@code failed} takes the items that failed after planning (at the provider, canceled, stopped by a failed
 * canary) but not the lines that failed before anything was sent (unreadable, a duplicate id, a template error):
 * those lines would fail again, or, for a duplicate whose first occurrence is not rerun, be taken as a new item.
 * {@code graded-wrong} takes the items whose latest verdict in the run's grades is wrong.
 */
public final class RerunSelection {
    private RerunSelection() {}

    /** A part of a run that can be selected. */
    public enum Tier {
        ACCEPTED("accepted"), REVIEW("review"), REJECTED("rejected"), FAILED("failed"), GRADED_WRONG("graded-wrong");

        private final String label;

        Tier(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What a rerun selects unless told otherwise. */
    public static final Set<Tier> DEFAULT = EnumSet.of(Tier.REVIEW, Tier.REJECTED);

    /** The tiers a comma-separated {@code --only} names; every unknown value is named in one message. */
    public static Set<Tier> parse(String only) {
        if (only == null) return EnumSet.copyOf(DEFAULT);
        Set<Tier> tiers = EnumSet.noneOf(Tier.class);
        List<String> unknown = new ArrayList<>();
        for (String part : only.split(",", -1)) {
            String v = part.trim().toLowerCase(Locale.ROOT);
            Tier found = null;
            for (Tier t : Tier.values()) if (t.label.equals(v)) found = t;
            if (found == null) unknown.add("'" + part.trim() + "'");
            else tiers.add(found);
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown --only value" + (unknown.size() == 1 ? " " : "s ")
                    + String.join(", ", unknown) + ": allowed are " + labels(EnumSet.allOf(Tier.class))
                    + " (comma-separated)");
        }
        return tiers;
    }

    /** The tiers as {@code --only} writes them, in a fixed order. */
    public static String labels(Set<Tier> tiers) {
        StringJoiner j = new StringJoiner(",");
        for (Tier t : Tier.values()) if (tiers.contains(t)) j.add(t.label);
        return j.toString();
    }

    /** The selected input lines of the run (its outcome files and grades in {@code store}). */
    public static BitSet select(ObjectStore store, String runId, Set<Tier> tiers) {
        BitSet lines = new BitSet();
        for (Tier t : tiers) {
            switch (t) {
                case ACCEPTED -> addLines(store.open(RunKeys.outcome(runId, OutcomeKind.ACCEPTED)), false, lines);
                case REVIEW -> addLines(store.open(RunKeys.outcome(runId, OutcomeKind.REVIEW)), false, lines);
                case REJECTED -> addLines(store.open(RunKeys.outcome(runId, OutcomeKind.REJECTED)), false, lines);
                case FAILED -> addLines(store.open(RunKeys.outcome(runId, OutcomeKind.FAILED)), true, lines);
                case GRADED_WRONG -> {
                    for (GradeRecord r : GradeLog.read(store, runId).decided().values()) {
                        if (r.verdict() == Verdict.WRONG) set(lines, r.line());
                    }
                }
            }
        }
        return lines;
    }

    /**
     * Adds the {@code line} of every outcome line of one file (streamed); with {@code onlyReprocessable} the lines
     * that failed before anything was sent are left out.
     */
    static void addLines(InputStream outcomeFile, boolean onlyReprocessable, BitSet into) {
        JsonLines.forEachLine(outcomeFile, text -> {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            if (onlyReprocessable && !reprocessable(Json.read(bytes, OutcomeLine.class))) return;
            JsonNode line = Json.tree(bytes).get("line");
            if (line == null || !line.canConvertToLong()) {
                throw new IllegalStateException("an outcome line without a line number: " + text);
            }
            set(into, line.asLong());
        });
    }

    /** Whether a failed item can be sent again: it failed after planning, not on reading or rendering its line. */
    static boolean reprocessable(OutcomeLine failed) {
        String reason = failed.reason() == null ? "" : failed.reason();
        return reason.startsWith(FailureReason.CANARY_FAILED) || ErrorClass.of(failed) != ErrorClass.INPUT;
    }

    private static void set(BitSet lines, long line) {
        if (line < 1 || line > Integer.MAX_VALUE) throw new IllegalStateException("line number out of range: " + line);
        lines.set((int) line);
    }
}
