package io.batchline.compare;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.grade.ComparedField;
import io.batchline.json.Json;
import java.math.BigDecimal;

/**
 * What a comparison keeps of one outcome line: where it is ({@code line}, {@code id}), its outcome, the answer in
 * the compared field as text (null: no answer), its cost and its ground-truth label (null: none).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ComparedItem(@JsonProperty("line") long line, @JsonProperty("id") String id,
                    @JsonProperty("outcome") String outcome, @JsonProperty("answer") String answer,
                    @JsonProperty("cost_usd") BigDecimal costUsd, @JsonProperty("truth") String truth) {

    /** An outcome line as {@code field} reads it; without a compared field the whole output is the answer. */
    static ComparedItem of(JsonNode outcome, ComparedField field) {
        JsonNode output = outcome.get("output");
        JsonNode value = field.name() == null ? (output == null || output.isNull() ? null : output)
                : field.valueIn(output);
        return new ComparedItem(outcome.path("line").asLong(), outcome.path("id").asText(null),
                outcome.path("outcome").asText(), answerText(value),
                outcome.path("cost_usd").isNumber() ? outcome.get("cost_usd").decimalValue() : BigDecimal.ZERO,
                outcome.path("ground_truth").asText(null));
    }

    /** A value as the comparison compares it: text as itself, anything else as its canonical JSON; null for none. */
    static String answerText(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) return null;
        if (value.isTextual()) return value.textValue();
        if (value.isContainerNode()) return io.batchline.idempotency.Idempotency.canonicalJson(value);
        return value.asText();
    }

    byte[] toJsonLine() {
        return Json.bytes(this);
    }
}
