package io.batchline.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.grade.ComparedField;
import io.batchline.grade.GradeFileException;
import io.batchline.grade.GradeLog;
import io.batchline.grade.GradeRecord;
import io.batchline.grade.Verdict;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.job.PromptVersion;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.quality.QualityBuilder;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Two finished runs side by side, item by item: typically the same input under two prompt versions, or a run and a
 * rerun of some of its lines. Items are matched by input line (and must carry the same id there); each run's
 * outcome lines are put in line order on disk first ({@link LineSortedItems}), so memory stays bounded however large
 * the runs are, apart from the graded verdicts (a person's work, small) and the class tables.
 *
 * <p>What comes out ({@code compare.json}): both runs' prompt versions and the job-spec fields that differ; how many
 * lines both have and how many only one; the items whose answer in the compared field changed (the first
 * {@value #CHANGED_SHOWN} here, every one in {@code changed.jsonl}); tier moves (A's outcome to B's); accuracy of
 * both against the input's labels and against graded verdicts; the confusion of A's answers against B's; cost per
 * item of both. Everything is over the lines both runs have.
 */
public final class RunComparison {
    /** Changed items listed in compare.json; changed.jsonl has them all. */
    public static final int CHANGED_SHOWN = 50;
    public static final String NO_ANSWER = QualityBuilder.NO_ANSWER;
    /** Answer classes tracked in the confusion before further ones are grouped (a free-text field). */
    static final int MAX_CLASSES = 200;
    static final String OTHER = "(other)";

    private RunComparison() {}

    /** One side of a comparison, as stored in the bucket. */
    record Side(String runId, JobSpec job, JsonNode report, ComparedField field, PromptVersion prompt,
                Map<Long, GradeRecord> verdicts) {

        static Side open(ObjectStore store, String runId, ModelCatalogue catalogue, String apiVersion,
                         List<String> problems) {
            boolean hasJob = store.exists(RunKeys.jobSnapshot(runId));
            if (!store.exists(RunKeys.report(runId))) {
                problems.add(hasJob ? "run " + runId + " has not finished (no report.json yet): compare it when"
                        + " `./batchline local status` shows it finished"
                        : "no run " + runId + " (`./batchline local status` lists the runs)");
                return null;
            }
            if (!hasJob) {
                problems.add("run " + runId + " has no frozen job spec (" + RunKeys.jobSnapshot(runId) + ")");
                return null;
            }
            JobSpec job = JobSpecLoader.load(store.read(RunKeys.jobSnapshot(runId)), catalogue, apiVersion);
            JsonNode report = Json.tree(store.read(RunKeys.report(runId)));
            PromptVersion prompt = PromptVersion.fromReport(report);
            if (prompt == null) prompt = PromptVersion.of(job); // a run reported before prompt versions
            Map<Long, GradeRecord> verdicts;
            try {
                verdicts = GradeLog.read(store, runId).decided();
            } catch (GradeFileException e) {
                problems.add(e.getMessage());
                return null;
            }
            return new Side(runId, job, report, ComparedField.of(job), prompt, verdicts);
        }
    }

    /** What a comparison wrote: compare.json's tree, and how many lines went to changed.jsonl. */
    public record Result(ObjectNode json, long changed) {}

    /**
     * Compares run {@code a} with run {@code b} in {@code store}, writing every changed item to {@code changed}
     * (JSON lines); {@code spillDir} takes the temporary sorted files. Throws {@link CompareException} naming
     * every reason the two runs cannot be compared. The runs' job snapshots are read against {@code catalogue} at
     * {@code apiVersion}.
     */
    public static Result compare(ObjectStore store, String a, String b, Path spillDir, OutputStream changed,
                                 ModelCatalogue catalogue, String apiVersion) {
        return compare(store, a, b, spillDir, changed, LineSortedItems.DEFAULT_CHUNK, catalogue, apiVersion);
    }

    static Result compare(ObjectStore store, String a, String b, Path spillDir, OutputStream changed, int chunk,
                          ModelCatalogue catalogue, String apiVersion) {
        List<String> problems = new ArrayList<>();
        Side sa = Side.open(store, a, catalogue, apiVersion, problems);
        Side sb = Side.open(store, b, catalogue, apiVersion, problems);
        if (!problems.isEmpty()) throw new CompareException(problems);
        try (LineSortedItems ia = read(store, sa, spillDir, chunk);
             LineSortedItems ib = read(store, sb, spillDir, chunk)) {
            Join join = new Join(sa, sb, changed);
            join.run(ia.sorted(), ib.sorted());
            if (join.common == 0) {
                throw new CompareException(List.of("runs " + a + " and " + b + " have no input line in common ("
                        + ia.size() + " and " + ib.size() + " outcome lines"
                        + (join.idMismatch > 0 ? ", " + join.idMismatch + " line(s) with different ids" : "")
                        + "): they ran over different inputs"));
            }
            return new Result(join.toJson(ia.size(), ib.size()), join.changed);
        }
    }

    private static LineSortedItems read(ObjectStore store, Side side, Path spillDir, int chunk) {
        LineSortedItems items = new LineSortedItems(spillDir, chunk);
        for (OutcomeKind kind : OutcomeKind.values()) {
            String key = RunKeys.outcome(side.runId(), kind);
            if (!store.exists(key)) continue;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(store.open(key), StandardCharsets.UTF_8))) {
                String text;
                while ((text = in.readLine()) != null) {
                    if (text.isBlank()) continue;
                    items.add(ComparedItem.of(Json.tree(text.getBytes(StandardCharsets.UTF_8)), side.field()));
                }
            } catch (IOException e) {
                items.close();
                throw new UncheckedIOException("reading " + key, e);
            }
        }
        return items;
    }

    /** The sorted merge of both runs' items and every count it makes. */
    private static final class Join {
        final Side a, b;
        final OutputStream changedOut;
        long common, onlyA, onlyB, idMismatch, changed;
        final ArrayNode changedShown = Json.MAPPER.createArrayNode();
        final Map<String, Map<String, Long>> tiers = new TreeMap<>();
        final Map<String, Map<String, Long>> confusion = new TreeMap<>();
        final java.util.Set<String> classes = new java.util.TreeSet<>();
        long labelled, truthA, truthB, onlyARight, onlyBRight;
        long graded, gradedA, gradedB, verdictsA, verdictsB;
        BigDecimal costA = BigDecimal.ZERO, costB = BigDecimal.ZERO;

        Join(Side a, Side b, OutputStream changedOut) {
            this.a = a;
            this.b = b;
            this.changedOut = changedOut;
        }

        void run(Iterator<ComparedItem> ia, Iterator<ComparedItem> ib) {
            ComparedItem x = ia.hasNext() ? ia.next() : null;
            ComparedItem y = ib.hasNext() ? ib.next() : null;
            while (x != null || y != null) {
                if (y == null || (x != null && x.line() < y.line())) {
                    onlyA++;
                    x = ia.hasNext() ? ia.next() : null;
                } else if (x == null || y.line() < x.line()) {
                    onlyB++;
                    y = ib.hasNext() ? ib.next() : null;
                } else {
                    if (Objects.equals(x.id(), y.id())) pair(x, y);
                    else idMismatch++;
                    x = ia.hasNext() ? ia.next() : null;
                    y = ib.hasNext() ? ib.next() : null;
                }
            }
        }

        private void pair(ComparedItem x, ComparedItem y) {
            common++;
            costA = costA.add(x.costUsd());
            costB = costB.add(y.costUsd());
            tiers.computeIfAbsent(x.outcome(), k -> new TreeMap<>()).merge(y.outcome(), 1L, Long::sum);
            confusion.computeIfAbsent(cls(x.answer()), k -> new TreeMap<>()).merge(cls(y.answer()), 1L, Long::sum);
            String truth = x.truth() != null ? x.truth() : y.truth();
            boolean rightA = false, rightB = false;
            if (truth != null) {
                labelled++;
                rightA = truth.equals(x.answer());
                rightB = truth.equals(y.answer());
                if (rightA) truthA++;
                if (rightB) truthB++;
                if (rightA && !rightB) onlyARight++;
                if (rightB && !rightA) onlyBRight++;
            }
            GradeRecord va = a.verdicts().get(x.line());
            GradeRecord vb = b.verdicts().get(y.line());
            if (va != null) verdictsA++;
            if (vb != null) verdictsB++;
            String right = rightValue(va, vb, x, y);
            if (right != null) {
                graded++;
                if (right.equals(x.answer())) gradedA++;
                if (right.equals(y.answer())) gradedB++;
            }
            if (!Objects.equals(x.answer(), y.answer())) {
                changed++;
                ObjectNode c = Json.MAPPER.createObjectNode();
                c.put("line", x.line());
                if (x.id() != null) c.put("id", x.id());
                c.put("a", x.answer());
                c.put("b", y.answer());
                c.put("a_outcome", x.outcome());
                c.put("b_outcome", y.outcome());
                if (truth != null) c.put("ground_truth", truth);
                if (right != null) c.put("graded_value", right);
                if (changedShown.size() < CHANGED_SHOWN) changedShown.add(c);
                if (changedOut != null) JsonLines.write(changedOut, c);
            }
        }

        /**
         * The right answer of an item as the graders gave it: a verdict of "correct" vouches for the answer it was
         * given on, a "wrong" one names the right value; with a verdict on both runs' answers the later one counts.
         * Null when no verdict fixes it.
         */
        private static String rightValue(GradeRecord va, GradeRecord vb, ComparedItem x, ComparedItem y) {
            String fromA = valueOf(va, x), fromB = valueOf(vb, y);
            if (fromA == null) return fromB;
            if (fromB == null) return fromA;
            return vb.at().isAfter(va.at()) ? fromB : fromA;
        }

        private static String valueOf(GradeRecord v, ComparedItem item) {
            if (v == null) return null;
            if (v.verdict() == Verdict.CORRECT) return item.answer();
            return ComparedItem.answerText(v.correctValue());
        }

        private String cls(String answer) {
            if (answer == null) return NO_ANSWER;
            if (classes.contains(answer)) return answer;
            if (classes.size() >= MAX_CLASSES) return OTHER;
            classes.add(answer);
            return answer;
        }

        ObjectNode toJson(long itemsA, long itemsB) {
            ObjectNode j = Json.MAPPER.createObjectNode();
            j.set("a", side(a, itemsA));
            j.set("b", side(b, itemsB));
            j.put("same_prompt", a.prompt().hash().equals(b.prompt().hash()));
            j.set("prompt_changes", JobSpecDiff.of(a.job(), b.job()));
            ObjectNode items = j.putObject("items");
            items.put("common", common);
            items.put("only_in_a", onlyA);
            items.put("only_in_b", onlyB);
            items.put("different_ids", idMismatch);
            ObjectNode ch = j.putObject("changed");
            ch.put("count", changed);
            ch.put("rate", ratio(changed, common));
            ch.put("file", "changed.jsonl");
            ch.set("first", changedShown);
            ObjectNode t = j.putObject("tiers");
            tiers.forEach((from, row) -> {
                ObjectNode r = t.putObject(from);
                row.forEach(r::put);
            });
            ObjectNode c = j.putObject("confusion");
            confusion.forEach((from, row) -> {
                ObjectNode r = c.putObject(from);
                row.forEach(r::put);
            });
            if (labelled > 0) {
                ObjectNode g = j.putObject("ground_truth");
                g.put("labelled", labelled);
                g.putObject("a").put("correct", truthA).put("accuracy", ratio(truthA, labelled));
                g.putObject("b").put("correct", truthB).put("accuracy", ratio(truthB, labelled));
                g.put("only_a_right", onlyARight);
                g.put("only_b_right", onlyBRight);
            }
            if (graded > 0 || verdictsA > 0 || verdictsB > 0) {
                ObjectNode g = j.putObject("graded");
                g.put("items", graded);
                g.put("verdicts_a", verdictsA);
                g.put("verdicts_b", verdictsB);
                g.putObject("a").put("correct", gradedA).put("accuracy", ratio(gradedA, graded));
                g.putObject("b").put("correct", gradedB).put("accuracy", ratio(gradedB, graded));
            }
            ObjectNode cost = j.putObject("cost");
            BigDecimal perA = perItem(costA), perB = perItem(costB);
            cost.putObject("a").put("total_usd", costA).put("per_item_usd", perA);
            cost.putObject("b").put("total_usd", costB).put("per_item_usd", perB);
            cost.put("per_item_change_usd", perB.subtract(perA));
            return j;
        }

        private BigDecimal perItem(BigDecimal total) {
            return common == 0 ? BigDecimal.ZERO : total.divide(BigDecimal.valueOf(common), 8, RoundingMode.HALF_UP)
                    .stripTrailingZeros();
        }

        private static ObjectNode side(Side s, long items) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("run_id", s.runId());
            n.put("job", s.job().name());
            n.set("prompt_version", s.prompt().toJson());
            n.put("model", s.job().model());
            n.put("compared_field", s.field().name());
            n.put("items", items);
            n.put("status", s.report().path("status").asText(null));
            if (s.report().path("cost_usd").isNumber()) n.put("run_cost_usd", s.report().get("cost_usd").decimalValue());
            return n;
        }
    }

    static BigDecimal ratio(long a, long b) {
        return b == 0 ? BigDecimal.ZERO.setScale(4) : BigDecimal.valueOf(a).divide(BigDecimal.valueOf(b), 4,
                RoundingMode.HALF_UP);
    }
}
