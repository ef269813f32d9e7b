package io.batchline.grade;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.quality.SpotCheckSample;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;

/**
 * A run's items that can be graded, by input line: the spot-check sample (sample.jsonl, the random sample the
 * error rate is estimated from) and the review items (out/review.jsonl, kept only when asked for or already
 * graded: a large run's review file is streamed, not held).
 */
public final class GradableItems {
    private final Map<Long, GradableItem> sample;
    private final Map<Long, GradableItem> review;
    private final Set<Long> reviewLines;

    GradableItems(Map<Long, GradableItem> sample, Map<Long, GradableItem> review, Set<Long> reviewLines) {
        this.sample = Collections.unmodifiableMap(sample);
        this.review = Collections.unmodifiableMap(review);
        this.reviewLines = Collections.unmodifiableSet(reviewLines);
    }

    /**
     * Reads sample.jsonl whole (it is small by design) and of review.jsonl the lines {@code keepReview} accepts.
     * A run finalized without a sample has none.
     */
    public static GradableItems read(ObjectStore store, String runId, LongPredicate keepReview) {
        Map<Long, GradableItem> sample = new LinkedHashMap<>();
        String sampleKey = SpotCheckSample.key(runId);
        Set<Long> noLines = new HashSet<>();
        if (store.exists(sampleKey)) readInto(store, sampleKey, GradeRecord.FROM_SAMPLE, l -> true, sample, noLines);
        Map<Long, GradableItem> review = new LinkedHashMap<>();
        Set<Long> reviewLines = new HashSet<>();
        String reviewKey = RunKeys.outcome(runId, OutcomeKind.REVIEW);
        if (store.exists(reviewKey)) {
            readInto(store, reviewKey, GradeRecord.FROM_REVIEW, keepReview, review, reviewLines);
        }
        return new GradableItems(sample, review, reviewLines);
    }

    private static void readInto(ObjectStore store, String key, String from, LongPredicate keep,
                                 Map<Long, GradableItem> into, Set<Long> allLines) {
        JsonLines.forEachLine(store.open(key), text -> {
            JsonNode n = Json.tree(text.getBytes(StandardCharsets.UTF_8));
            long line = n.path("line").asLong();
            allLines.add(line);
            if (keep.test(line)) into.put(line, new GradableItem(line, n.path("id").asText(null), from, n));
        });
    }

    public Map<Long, GradableItem> sample() {
        return sample;
    }

    public Map<Long, GradableItem> review() {
        return review;
    }

    /** The item on this line, as a sample item when it is one; null when it is neither. */
    public GradableItem item(long line) {
        GradableItem s = sample.get(line);
        return s != null ? s : review.get(line);
    }

    /** Whether the run routed this line to review (whether or not its item was kept). */
    public boolean isReviewLine(long line) {
        return reviewLines.contains(line);
    }

    public boolean inSample(long line) {
        return sample.containsKey(line);
    }

    /** The sample's items, then (with {@code withReview}) the review items not in the sample, each in line order. */
    public List<GradableItem> toGrade(boolean withReview, Set<Long> decided) {
        List<GradableItem> items = new ArrayList<>();
        for (GradableItem i : sample.values()) if (!decided.contains(i.line())) items.add(i);
        if (withReview) {
            for (GradableItem i : review.values()) {
                if (!sample.containsKey(i.line()) && !decided.contains(i.line())) items.add(i);
            }
        }
        items.sort((a, b) -> a.from().equals(b.from()) ? Long.compare(a.line(), b.line())
                : a.from().equals(GradeRecord.FROM_SAMPLE) ? -1 : 1);
        return items;
    }
}
