package io.batchline.grade;

import com.fasterxml.jackson.databind.JsonNode;

/** An item a person may grade: its outcome line as the run wrote it, and where it comes from (sample or review). */
public record GradableItem(long line, String id, String from, JsonNode outcomeLine) {
    public JsonNode output() {
        JsonNode o = outcomeLine.get("output");
        return o == null || o.isNull() ? null : o;
    }

    public String outcome() {
        return outcomeLine.path("outcome").asText();
    }

    public Double confidence() {
        JsonNode c = outcomeLine.get("confidence");
        return c != null && c.isNumber() ? c.doubleValue() : null;
    }
}
