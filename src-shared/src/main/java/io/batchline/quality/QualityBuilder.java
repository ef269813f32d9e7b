package io.batchline.quality;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeLine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Accuracy against the input's labels, streamed: only a confusion matrix (labels x predictions) is kept, so
 * memory grows with the number of classes, never with items. Only lines that carry {@code ground_truth} count.
 * An item without a usable answer (failed, or no value in the compared field) counts as predicted
 * {@value #NO_ANSWER}: wrong, so accuracy is over every labelled item, not only the answered ones.
 */
public final class QualityBuilder {
    public static final String NO_ANSWER = "(no answer)";
    /** Classes tracked before further ones are grouped, so a free-text field cannot blow up the matrix. */
    static final int MAX_CLASSES = 200;
    static final String OTHER = "(other)";

    private final String outputField;
    private final Map<String, Map<String, Long>> confusion = new TreeMap<>();
    private final TreeSet<String> classes = new TreeSet<>();
    private long labelled;
    private long correct;

    public QualityBuilder(String outputField) {
        this.outputField = outputField;
    }

    /**
     * The output field compared with the label: the output_schema property named like ground_truth_field
     * if there is one, else the first property with an enum of strings (e.g. primary_category); null when the
     * schema has neither.
     */
    public static String outputFieldOf(JsonNode outputSchema, String groundTruthField) {
        JsonNode properties = outputSchema.path("properties");
        if (groundTruthField != null && properties.has(groundTruthField)) return groundTruthField;
        for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            JsonNode values = p.getValue().path("enum");
            if (values.isArray() && !values.isEmpty() && values.get(0).isTextual()) return p.getKey();
        }
        return null;
    }

    public String outputField() {
        return outputField;
    }

    public void accept(OutcomeLine line) {
        if (line.groundTruth() == null) return;
        JsonNode value = line.output() == null ? null : line.output().get(outputField);
        String predicted = value == null || value.isNull() || value.isContainerNode() ? NO_ANSWER : value.asText();
        String truth = bounded(line.groundTruth());
        predicted = predicted.equals(NO_ANSWER) ? NO_ANSWER : bounded(predicted);
        labelled++;
        if (truth.equals(predicted)) correct++;
        confusion.computeIfAbsent(truth, k -> new TreeMap<>()).merge(predicted, 1L, Long::sum);
    }

    private String bounded(String cls) {
        if (classes.contains(cls)) return cls;
        if (classes.size() >= MAX_CLASSES) return OTHER;
        classes.add(cls);
        return cls;
    }

    public long labelled() {
        return labelled;
    }

    /** {@code {field, labelled, correct, accuracy, per_class: {c: {precision, recall, f1, support}}, confusion}}. */
    public ObjectNode toJson() {
        ObjectNode q = Json.MAPPER.createObjectNode();
        q.put("field", outputField);
        q.put("labelled", labelled);
        q.put("correct", correct);
        q.put("accuracy", ratio(correct, labelled));
        Map<String, Long> predictedTotals = new TreeMap<>();
        confusion.values().forEach(row -> row.forEach((p, n) -> predictedTotals.merge(p, n, Long::sum)));
        TreeSet<String> all = new TreeSet<>(confusion.keySet());
        all.addAll(predictedTotals.keySet());
        all.remove(NO_ANSWER);
        ObjectNode perClass = q.putObject("per_class");
        for (String c : all) {
            long tp = confusion.getOrDefault(c, Map.of()).getOrDefault(c, 0L);
            long support = confusion.getOrDefault(c, Map.of()).values().stream().mapToLong(Long::longValue).sum();
            long predicted = predictedTotals.getOrDefault(c, 0L);
            BigDecimal precision = ratio(tp, predicted);
            BigDecimal recall = ratio(tp, support);
            BigDecimal f1 = precision.add(recall).signum() == 0 ? BigDecimal.ZERO.setScale(4)
                    : precision.multiply(recall).multiply(BigDecimal.valueOf(2))
                    .divide(precision.add(recall), 4, RoundingMode.HALF_UP);
            perClass.putObject(c).put("precision", precision).put("recall", recall).put("f1", f1)
                    .put("support", support);
        }
        ObjectNode matrix = q.putObject("confusion");
        confusion.forEach((truth, row) -> {
            ObjectNode r = matrix.putObject(truth);
            row.forEach(r::put);
        });
        return q;
    }

    private static BigDecimal ratio(long a, long b) {
        return b == 0 ? BigDecimal.ZERO.setScale(4) : BigDecimal.valueOf(a).divide(BigDecimal.valueOf(b), 4,
                RoundingMode.HALF_UP);
    }
}
