package io.batchline.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;

/**
 * The repair request of one item: the original request, the model's invalid answer as the assistant
 * turn, and a user turn that names what is wrong and repeats the schema. The system prompt (and its cache
 * breakpoint) is unchanged, so the repair still reads the cached prefix.
 */
public final class RepairPrompt {
    private RepairPrompt() {}

    /** What an empty answer becomes in the assistant turn: the API refuses empty text blocks. */
    static final String EMPTY_ANSWER = "(no answer)";

    /** The user turn asking for a corrected answer. */
    public static String instruction(String errors, JsonNode schema) {
        return "Your answer was invalid: " + errors + ". Reply with only a JSON object that conforms to the schema:\n"
                + "```json\n" + Json.string(schema) + "\n```";
    }

    /** A copy of {@code params} with the invalid answer and the repair instruction appended as two turns. */
    public static ObjectNode params(JsonNode params, String answer, String errors, JsonNode schema) {
        ObjectNode repaired = params.deepCopy();
        ArrayNode messages = (ArrayNode) repaired.get("messages");
        // the API refuses an assistant turn that is empty or ends in whitespace
        String said = answer == null || answer.isBlank() ? EMPTY_ANSWER : answer.stripTrailing();
        ObjectNode assistant = messages.addObject();
        assistant.put("role", "assistant");
        assistant.put("content", said);
        ObjectNode user = messages.addObject();
        user.put("role", "user");
        user.put("content", instruction(errors, schema));
        return repaired;
    }
}
