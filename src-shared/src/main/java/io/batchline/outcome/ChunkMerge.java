package io.batchline.outcome;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.route.ConfidenceRouter;
import io.batchline.route.Routing;
import io.batchline.validate.InvalidOutput;
import io.batchline.validate.OutputValidator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Merges the chunk answers of one item into its one outcome line, by the job's merge rule per top-level
 * output property: {@code union} (arrays concatenated in chunk order without duplicates; strings compared
 * trimmed and case-insensitively; a non-array value falls back to first non-null), {@code first_non_null} (the
 * first chunk whose value is present and not null), {@code majority} (the most frequent value; a tie goes to the
 * value seen first in chunk order). The confidence field is always the lowest of the chunks'. The merged answer
 * is validated against output_schema and routed by confidence like any answer; usage and cost are the sums over
 * the chunks, {@code attempts} the most any chunk needed. A chunk that failed fails the item; a chunk without a
 * valid answer rejects it; the reason is that chunk's, naming the chunk.
 */
public final class ChunkMerge {
    public enum Rule {
        UNION, FIRST_NON_NULL, MAJORITY;

        public static Rule of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    private final Rule defaultRule;
    private final Map<String, Rule> fieldRules = new LinkedHashMap<>();
    private final String confidenceField;
    private final OutputValidator validator;
    private final ConfidenceRouter router;

    public ChunkMerge(JobSpec job) {
        JobSpec.LongInputs li = job.longInputs();
        this.defaultRule = li == null || li.merge() == null ? Rule.MAJORITY : Rule.of(li.merge());
        if (li != null && li.mergeFields() != null) li.mergeFields().forEach((k, v) -> fieldRules.put(k, Rule.of(v)));
        this.confidenceField = job.confidence().field();
        this.validator = new OutputValidator(job.outputSchema());
        this.router = new ConfidenceRouter(job.confidence());
    }

    /** Merges the answers (objects, in chunk order) field by field. */
    public ObjectNode mergeOutputs(List<JsonNode> outputs) {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode o : outputs) o.fieldNames().forEachRemaining(names::add);
        ObjectNode merged = JsonNodeFactory.instance.objectNode();
        for (String name : names) {
            List<JsonNode> values = new ArrayList<>();
            for (JsonNode o : outputs) if (o.has(name)) values.add(o.get(name));
            JsonNode value = name.equals(confidenceField) ? lowest(values)
                    : merge(fieldRules.getOrDefault(name, defaultRule), values);
            if (value != null) merged.set(name, value);
        }
        return merged;
    }

    static JsonNode merge(Rule rule, List<JsonNode> values) {
        return switch (rule) {
            case FIRST_NON_NULL -> firstNonNull(values);
            case MAJORITY -> majority(values);
            case UNION -> union(values);
        };
    }

    static JsonNode firstNonNull(List<JsonNode> values) {
        for (JsonNode v : values) if (v != null && !v.isNull()) return v;
        return values.isEmpty() ? null : values.get(0);
    }

    static JsonNode majority(List<JsonNode> values) {
        Map<JsonNode, Integer> votes = new LinkedHashMap<>(); // insertion order = chunk order: ties to the earliest
        for (JsonNode v : values) if (v != null && !v.isNull()) votes.merge(v, 1, Integer::sum);
        JsonNode best = null;
        int bestVotes = 0;
        for (Map.Entry<JsonNode, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = e.getKey();
                bestVotes = e.getValue();
            }
        }
        return best != null ? best : firstNonNull(values);
    }

    static JsonNode union(List<JsonNode> values) {
        boolean anyArray = false;
        for (JsonNode v : values) if (v != null && v.isArray()) anyArray = true;
        if (!anyArray) return firstNonNull(values);
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        Set<Object> seen = new HashSet<>();
        for (JsonNode v : values) {
            if (v == null || !v.isArray()) continue;
            for (JsonNode element : v) {
                Object key = element.isTextual() ? element.textValue().strip().toLowerCase(Locale.ROOT) : element;
                if (seen.add(key)) out.add(element);
            }
        }
        return out;
    }

    private static JsonNode lowest(List<JsonNode> values) {
        JsonNode low = null;
        for (JsonNode v : values) {
            if (v != null && v.isNumber() && (low == null || v.decimalValue().compareTo(low.decimalValue()) < 0)) low = v;
        }
        return low != null ? low : firstNonNull(values);
    }

    /**
     * The one outcome line of an item from its chunks' outcomes (any order; every chunk exactly once). A missing
     * chunk cannot happen when collect accounted for every request; if it did, the item fails with the reason
     * rather than disappear.
     */
    public OutcomeLine merge(List<ChunkOutcome> chunkOutcomes) {
        List<ChunkOutcome> chunks = new ArrayList<>(chunkOutcomes);
        chunks.sort(ChunkOutcome.ORDER);
        ChunkOutcome first = chunks.get(0);
        int expected = first.chunks();
        OutcomeLine head = first.outcome();
        Usage usage = Usage.ZERO;
        BigDecimal cost = BigDecimal.ZERO;
        int attempts = 0;
        boolean repaired = false;
        ArrayNode history = null;
        for (ChunkOutcome c : chunks) {
            OutcomeLine o = c.outcome();
            if (o.usage() != null) usage = usage.plus(o.usage());
            if (o.costUsd() != null) cost = cost.add(o.costUsd());
            attempts = Math.max(attempts, o.attempts());
            repaired |= Boolean.TRUE.equals(o.repaired());
            if (o.history() != null && o.history().isArray()) {
                if (history == null) history = JsonNodeFactory.instance.arrayNode();
                history.addAll((ArrayNode) o.history());
            }
        }
        OutcomeKind kind = null;
        String reason = null;
        JsonNode output = null;
        Double confidence = null;
        boolean complete = chunks.size() == expected;
        for (int k = 0; complete && k < expected; k++) complete = chunks.get(k).chunk() == k;
        if (!complete) {
            kind = OutcomeKind.FAILED;
            reason = "the chunk outcomes found do not make up chunks 0.." + (expected - 1) + " exactly once ("
                    + chunks.size() + " found)";
        }
        for (ChunkOutcome c : chunks) { // a failed chunk fails the item; else an answerless chunk rejects it
            if (kind == null && c.outcome().kind() == OutcomeKind.FAILED) {
                kind = OutcomeKind.FAILED;
                reason = chunkReason(c);
            }
        }
        for (ChunkOutcome c : chunks) {
            if (kind == null && c.outcome().output() == null) {
                kind = OutcomeKind.REJECTED;
                reason = chunkReason(c);
            }
        }
        if (kind == null) {
            List<JsonNode> outputs = new ArrayList<>();
            for (ChunkOutcome c : chunks) outputs.add(c.outcome().output());
            output = mergeOutputs(outputs);
            List<String> errors = validator.validate(output);
            if (!errors.isEmpty()) {
                kind = OutcomeKind.REJECTED;
                reason = InvalidOutput.SCHEMA + "merged answer of " + expected + " chunks: " + String.join("; ", errors);
            } else {
                Routing routing = router.route(output);
                kind = routing.kind();
                reason = routing.reason();
                confidence = routing.confidence();
            }
        }
        boolean valid = output != null && (kind == OutcomeKind.ACCEPTED || kind == OutcomeKind.REVIEW
                || !InvalidOutput.isInvalidOutputReason(reason));
        return OutcomeLine.of(head.id(), first.line(), kind).reason(kind == OutcomeKind.ACCEPTED ? null : reason)
                .output(output).confidence(confidence).usage(usage).costUsd(cost).attempts(attempts)
                .batchId(head.batchId()).customId(head.customId()).repaired(repaired && valid)
                .groundTruth(head.groundTruth()).history(history).stratum(head.stratum()).chunks(expected).build();
    }

    private static String chunkReason(ChunkOutcome c) {
        // the chunk's reason first, so its error class (invalid output, provider error...) still reads from it
        return c.outcome().reason() + " (chunk " + (c.chunk() + 1) + " of " + c.chunks() + ")";
    }
}
