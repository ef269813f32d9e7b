package io.batchline.grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * One verdict as stored in a grading session's object: which item ({@code line}, {@code id}), where it was graded
 * from ({@code sample} or {@code review}), the verdict, for a wrong answer the right value of the compared field,
 * the model's value as the grader saw it, who and when.
 */
public record GradeRecord(long line, String id, String from, Verdict verdict, JsonNode correctValue,
                          JsonNode modelValue, String grader, Instant at) {
    public static final String FROM_SAMPLE = "sample";
    public static final String FROM_REVIEW = "review";

    public ObjectNode toJson() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("line", line);
        if (id != null) n.put("id", id);
        n.put("from", from);
        n.put("verdict", verdict.label());
        if (correctValue != null && !correctValue.isNull()) n.set("correct_value", correctValue);
        if (modelValue != null && !modelValue.isNull()) n.set("model_value", modelValue);
        n.put("grader", grader);
        n.put("at", at.toString());
        return n;
    }

    /** Parses one stored line; throws IllegalArgumentException saying what is wrong with it. */
    public static GradeRecord fromJson(JsonNode n) {
        if (!n.isObject()) throw new IllegalArgumentException("not a JSON object");
        if (!n.path("line").canConvertToExactIntegral() || n.path("line").asLong() < 1) {
            throw new IllegalArgumentException("no line number (a positive integer) in 'line'");
        }
        Verdict verdict = Verdict.ofLabel(n.path("verdict").asText(null));
        if (verdict == null) throw new IllegalArgumentException("'verdict' is not correct, wrong or skip: " + n.get("verdict"));
        String grader = n.path("grader").asText("");
        if (grader.isBlank()) throw new IllegalArgumentException("no 'grader'");
        Instant at;
        try {
            at = Instant.parse(n.path("at").asText(""));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'at' is not a UTC instant: " + n.get("at"));
        }
        String from = n.path("from").asText(FROM_SAMPLE);
        return new GradeRecord(n.get("line").asLong(), n.path("id").asText(null), from, verdict,
                n.get("correct_value"), n.get("model_value"), grader, at);
    }
}
