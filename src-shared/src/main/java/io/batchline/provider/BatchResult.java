package io.batchline.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import java.io.IOException;

/**
 * One line of a batch's results file, reduced to what the pipeline needs.
 *
 * @param text         succeeded: the concatenated text of the message's text blocks ("" when none)
 * @param toolInput    succeeded: the {@code input} of the first tool_use block, as JSON; null when none
 * @param usage        succeeded: token usage (absent cache fields are 0); {@link Usage#ZERO} otherwise
 * @param errorType    errored: the provider's error type, e.g. {@code invalid_request_error}
 */
public record BatchResult(
        String customId,
        Type type,
        String text,
        String toolInput,
        String stopReason,
        String model,
        Usage usage,
        String errorType,
        String errorMessage) {

    public enum Type { SUCCEEDED, ERRORED, CANCELED, EXPIRED }

    public boolean succeeded() {
        return type == Type.SUCCEEDED;
    }

    /** The answer to validate: the tool input when the model used a tool, else the text. */
    public String answer() {
        return toolInput != null ? toolInput : text;
    }

    /** The request itself is wrong; resending it unchanged cannot help. */
    public boolean permanentFailure() {
        return type == Type.ERRORED && "invalid_request_error".equals(errorType);
    }

    /** Resending the same request may succeed (api/overloaded errors, expired, canceled). */
    public boolean transientFailure() {
        return type == Type.EXPIRED || type == Type.CANCELED || (type == Type.ERRORED && !permanentFailure());
    }

    /** Parses one JSONL line. */
    public static BatchResult parse(String jsonLine) {
        try (JsonParser p = Json.MAPPER.createParser(jsonLine)) {
            BatchResult r = read(p);
            if (r == null) throw new IllegalArgumentException("empty result line");
            return r;
        } catch (IOException e) {
            throw new IllegalArgumentException("result line is not JSON: " + originalMessage(e), e);
        }
    }

    /**
     * Reads the next result object from a parser positioned before it (or on its START_OBJECT), so a whole
     * results file can be walked without holding it; returns null at the end of input.
     */
    public static BatchResult read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken() == JsonToken.START_OBJECT ? JsonToken.START_OBJECT : p.nextToken();
        if (t == null) return null;
        if (t != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("expected a result object at line "
                    + p.currentLocation().getLineNr() + ", found " + t);
        }
        JsonNode node = Json.MAPPER.readTree(p);
        p.clearCurrentToken();
        return fromTree(node);
    }

    public static BatchResult fromTree(JsonNode node) {
        String customId = text(node, "custom_id");
        if (customId == null) throw new IllegalArgumentException("result line without custom_id");
        JsonNode result = node.path("result");
        String type = text(result, "type");
        if (type == null) throw new IllegalArgumentException("result for " + customId + " has no result.type");
        return switch (type) {
            case "succeeded" -> succeeded(customId, result.path("message"));
            case "errored" -> errored(customId, result.path("error"));
            case "canceled" -> new BatchResult(customId, Type.CANCELED, null, null, null, null, Usage.ZERO, null, null);
            case "expired" -> new BatchResult(customId, Type.EXPIRED, null, null, null, null, Usage.ZERO, null, null);
            default -> throw new IllegalArgumentException("result for " + customId + " has unknown type " + type);
        };
    }

    private static BatchResult succeeded(String customId, JsonNode message) {
        StringBuilder text = new StringBuilder();
        String toolInput = null;
        for (JsonNode block : message.path("content")) {
            String bt = text(block, "type");
            if ("text".equals(bt)) {
                text.append(block.path("text").asText(""));
            } else if ("tool_use".equals(bt) && toolInput == null && block.has("input")) {
                toolInput = Json.string(block.get("input"));
            }
        }
        JsonNode u = message.path("usage");
        Usage usage = new Usage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0),
                u.path("cache_creation_input_tokens").asLong(0), u.path("cache_read_input_tokens").asLong(0));
        return new BatchResult(customId, Type.SUCCEEDED, text.toString(), toolInput, text(message, "stop_reason"),
                text(message, "model"), usage, null, null);
    }

    private static BatchResult errored(String customId, JsonNode error) {
        // documented shape: {"type":"error","error":{"type":"...","message":"..."}}; accept the flat one too
        JsonNode inner = error.has("error") && error.get("error").isObject() ? error.get("error") : error;
        return new BatchResult(customId, Type.ERRORED, null, null, null, null, Usage.ZERO, text(inner, "type"),
                text(inner, "message"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String originalMessage(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
