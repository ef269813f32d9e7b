package io.batchline.grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.batchline.job.JobSpec;
import io.batchline.quality.QualityBuilder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The output field a grader corrects: the one the report's accuracy compares with the labels (the output
 * property named like ground_truth_field, else the first property with an enum of strings), with its classes
 * when it is an enum. {@code name} is null when the schema has neither: verdicts then carry no corrected value.
 */
public record ComparedField(String name, List<String> classes, String type) {

    public static ComparedField of(JobSpec job) {
        String name = QualityBuilder.outputFieldOf(job.outputSchema(), job.groundTruthField());
        if (name == null) return new ComparedField(null, List.of(), null);
        JsonNode property = job.outputSchema().path("properties").path(name);
        List<String> classes = new ArrayList<>();
        for (JsonNode v : property.path("enum")) if (v.isTextual()) classes.add(v.textValue());
        return new ComparedField(name, List.copyOf(classes), property.path("type").asText(null));
    }

    public boolean hasClasses() {
        return !classes.isEmpty();
    }

    /** The field's value in an output; null when there is no output or no such value. */
    public JsonNode valueIn(JsonNode output) {
        if (name == null || output == null || !output.isObject()) return null;
        JsonNode v = output.get(name);
        return v == null || v.isNull() ? null : v;
    }

    /** The class an output falls in, for per-class error rates: its value, or "(no answer)". */
    public String classOf(JsonNode output) {
        JsonNode v = valueIn(output);
        return v == null || v.isContainerNode() ? QualityBuilder.NO_ANSWER : v.asText();
    }

    /**
     * A right value as a grader typed it: one of the classes for an enum, a number or boolean for such a field,
     * else the text. Throws IllegalArgumentException saying what is expected.
     */
    public JsonNode parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) throw new IllegalArgumentException("no right value of " + name + " given");
        if (hasClasses()) {
            if (!classes.contains(t)) {
                throw new IllegalArgumentException("'" + t + "' is not a value of " + name + " (one of "
                        + String.join(", ", classes) + ")");
            }
            return JsonNodeFactory.instance.textNode(t);
        }
        try {
            if ("number".equals(type)) return JsonNodeFactory.instance.numberNode(new BigDecimal(t));
            if ("integer".equals(type)) return JsonNodeFactory.instance.numberNode(new BigDecimal(t).toBigIntegerExact());
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + t + "' is not a" + ("integer".equals(type) ? "n integer" : " number")
                    + " (" + name + " is one)");
        }
        if ("boolean".equals(type)) {
            if (t.equals("true") || t.equals("false")) return JsonNodeFactory.instance.booleanNode(t.equals("true"));
            throw new IllegalArgumentException("'" + t + "' is not true or false (" + name + " is a boolean)");
        }
        return JsonNodeFactory.instance.textNode(t);
    }

    /** A right value given as JSON (a verdicts file's JSONL): text is parsed as typed, other values checked. */
    public JsonNode parse(JsonNode value) {
        if (value == null || value.isNull()) return parse((String) null);
        if (value.isTextual()) return parse(value.textValue());
        if (value.isContainerNode()) throw new IllegalArgumentException("the right value of " + name + " must be a"
                + " single value, not " + value);
        return parse(value.asText());
    }
}
