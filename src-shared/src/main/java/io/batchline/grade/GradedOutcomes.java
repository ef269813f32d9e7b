package io.batchline.grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.util.Map;

/**
 * graded.jsonl: each graded item's outcome line with a {@code grade} block {verdict, grader, at, and for a wrong
 * answer correct_value and model_value}; for a wrong answer {@code output} holds the human's value in the compared
 * field, so a downstream user can take the corrected answers as they are. Items only skipped are not in it.
 * Rewritten whole from the stored verdicts on every grading; in input-line order.
 */
public final class GradedOutcomes {
    private GradedOutcomes() {}

    public static byte[] render(ComparedField field, GradableItems items, Map<Long, GradeRecord> decided) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (GradeRecord r : decided.values()) { // decided is ordered by line
            GradableItem item = items.item(r.line());
            if (item == null) continue;
            JsonLines.write(out, graded(field, item.outcomeLine(), r));
        }
        return out.toByteArray();
    }

    static ObjectNode graded(ComparedField field, JsonNode outcomeLine, GradeRecord r) {
        ObjectNode line = outcomeLine.deepCopy();
        ObjectNode grade = Json.MAPPER.createObjectNode();
        grade.put("verdict", r.verdict().label());
        grade.put("grader", r.grader());
        grade.put("at", r.at().toString());
        if (r.verdict() == Verdict.WRONG && field.name() != null && r.correctValue() != null) {
            grade.set("correct_value", r.correctValue());
            JsonNode model = field.valueIn(outcomeLine.get("output"));
            grade.set("model_value", model == null ? Json.MAPPER.nullNode() : model);
            ObjectNode output = outcomeLine.path("output").isObject() ? (ObjectNode) line.get("output")
                    : line.putObject("output");
            output.set(field.name(), r.correctValue());
        }
        line.set("grade", grade);
        return line;
    }

    public static void write(ObjectStore store, String runId, byte[] bytes) {
        store.put(GradeKeys.gradedOutcomes(runId), bytes, "application/x-ndjson");
    }
}
