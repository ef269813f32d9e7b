package io.batchline.provider;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import io.batchline.json.Names;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;

/**
 * One line of a batch's results file, reduced to what the pipeline needs.
 *
 * @param text         succeeded: the concatenated text of the message's text blocks; null when it had none (a
 *                     turn spent on thinking, or a refusal), which is an invalid answer with its own reason
 * @param toolInput    succeeded: the {@code input} of the first tool_use block, as JSON; null when none
 * @param usage        succeeded: token usage (absent cache fields are 0); {@link Usage#ZERO} otherwise
 * @param errorType    errored: the provider's error type, e.g. {@code invalid_request_error}
 * @param refusalCategory succeeded with {@code stop_reason: refusal}: {@code stop_details.category}, when given
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
        String errorMessage,
        String refusalCategory) {

    public BatchResult(String customId, Type type, String text, String toolInput, String stopReason, String model,
                       Usage usage, String errorType, String errorMessage) {
        this(customId, type, text, toolInput, stopReason, model, usage, errorType, errorMessage, null);
    }

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
     *
     * <p>Streams the fields it needs instead of building each line's tree (the tree was a quarter of
     * collect's time), with exactly the tree reading's rules (BatchResultStreamingTest keeps that reading as its reference): a repeated field's last value wins, a value of
     * an unexpected kind is read as a tree and judged as the tree reading judges it, other fields are skipped
     * (still checked as JSON). BatchResultStreamingTest compares the two over odd shapes.
     */
    public static BatchResult read(JsonParser p) throws IOException {
        JsonToken t = p.currentToken() == JsonToken.START_OBJECT ? JsonToken.START_OBJECT : p.nextToken();
        if (t == null) return null;
        if (t != JsonToken.START_OBJECT) {
            throw new IllegalArgumentException("expected a result object at line "
                    + p.currentLocation().getLineNr() + ", found " + t);
        }
        String customId = null;
        Streamed result = null; // null: no "result" object (absent, or not an object)
        int at = 0;
        for (String field; (field = Names.next(p, LINE, at)) != null; ) {
            at = Names.after(LINE, field, at);
            JsonToken v = p.nextToken();
            if (field.equals("custom_id")) {
                customId = text(p, v);
            } else if (field.equals("result")) {
                result = v == JsonToken.START_OBJECT ? readResult(p) : skip(p);
            } else {
                p.skipChildren();
            }
        }
        p.clearCurrentToken();
        if (customId == null) throw new IllegalArgumentException("result line without custom_id");
        String type = result == null ? null : result.type;
        if (type == null) throw new IllegalArgumentException("result for " + customId + " has no result.type");
        return switch (type) {
            case "succeeded" -> new BatchResult(customId, Type.SUCCEEDED, result.textBlock ? result.text.toString() : null,
                    result.toolInput, result.stopReason, result.model, result.usage(), null, null, result.refusalCategory);
            case "errored" -> new BatchResult(customId, Type.ERRORED, null, null, null, null, Usage.ZERO,
                    ProviderText.clean(result.inner ? result.innerType : result.errorType),
                    ProviderText.clean(result.inner ? result.innerMessage : result.errorMessage)); // made safe
            case "canceled" -> new BatchResult(customId, Type.CANCELED, null, null, null, null, Usage.ZERO, null, null);
            case "expired" -> new BatchResult(customId, Type.EXPIRED, null, null, null, null, Usage.ZERO, null, null);
            default -> throw new IllegalArgumentException("result for " + customId + " has unknown type " + type);
        };
    }

    // The provider's field order: each name is first tried as the expected next one, a byte comparison instead of
    // a symbol table lookup (field names were a sixth of collect's time). Any other order reads the same.
    private static final SerializedString[] LINE = Names.of("custom_id", "result");
    private static final SerializedString[] RESULT = Names.of("type", "message");
    private static final SerializedString[] MESSAGE = Names.of("id", "type", "role", "model", "content", "stop_reason",
            "stop_sequence", "stop_details", "usage");
    private static final SerializedString[] BLOCK = Names.of("type", "text");
    private static final SerializedString[] CACHE_CREATION = Names.of("ephemeral_5m_input_tokens",
            "ephemeral_1h_input_tokens");
    private static final SerializedString[] USAGE = Names.of("input_tokens", "cache_creation_input_tokens",
            "cache_read_input_tokens", "cache_creation", "output_tokens", "output_tokens_details");

    /** What {@link #read} keeps of a {@code result} object: its type, its message's parts and its error's. */
    private static final class Streamed {
        String type;
        StringBuilder text = new StringBuilder();
        boolean textBlock;
        String refusalCategory;
        long thinkingTokens = -1;
        String toolInput;
        String stopReason;
        String model;
        long inputTokens;
        long outputTokens;
        long cacheCreationInputTokens;
        long cacheReadInputTokens;
        String errorType;
        String errorMessage;
        /** error.error is an object: the documented shape, whose type and message are the inner ones */
        boolean inner;
        String innerType;
        String innerMessage;

        Usage usage() {
            return new Usage(inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens,
                    thinkingTokens < 0 ? null : new Usage.OutputDetails(thinkingTokens));
        }

        void clearMessage() {
            text.setLength(0);
            textBlock = false;
            refusalCategory = null;
            toolInput = null;
            stopReason = null;
            model = null;
            clearUsage();
        }

        void clearUsage() {
            inputTokens = outputTokens = cacheCreationInputTokens = cacheReadInputTokens = 0;
            thinkingTokens = -1;
        }
    }

    /** Skips a value as skipChildren does, an object's names tried in their expected order first. */
    private static void skipInOrder(JsonParser p, JsonToken v, SerializedString[] order) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        int at = 0;
        for (String field; (field = Names.next(p, order, at)) != null; ) {
            at = Names.after(order, field, at);
            p.nextToken();
            p.skipChildren();
        }
    }

    private static String skipValue(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    private static Streamed skip(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    /** The fields of a result object, the parser on its START_OBJECT; leaves it on the END_OBJECT. */
    private static Streamed readResult(JsonParser p) throws IOException {
        Streamed r = new Streamed();
        int at = 0;
        for (String field; (field = Names.next(p, RESULT, at)) != null; ) {
            at = Names.after(RESULT, field, at);
            JsonToken v = p.nextToken();
            switch (field) {
                case "type" -> r.type = text(p, v);
                case "message" -> {
                    r.clearMessage(); // a repeated field: the last one counts, as in the tree
                    if (v == JsonToken.START_OBJECT) readMessage(p, r);
                    else p.skipChildren(); // not an object: no content, zero usage
                }
                case "error" -> {
                    r.errorType = r.errorMessage = r.innerType = r.innerMessage = null;
                    r.inner = false;
                    if (v == JsonToken.START_OBJECT) readError(p, r);
                    else p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
        return r;
    }

    private static void readMessage(JsonParser p, Streamed r) throws IOException {
        int at = 0;
        for (String field; (field = Names.next(p, MESSAGE, at)) != null; ) {
            at = Names.after(MESSAGE, field, at);
            JsonToken v = p.nextToken();
            switch (field) {
                case "content" -> {
                    r.text.setLength(0);
                    r.textBlock = false;
                    r.toolInput = null;
                    if (v == JsonToken.START_ARRAY) {
                        for (JsonToken b; (b = p.nextToken()) != JsonToken.END_ARRAY; ) {
                            if (b == JsonToken.START_OBJECT) readBlock(p, r);
                            else p.skipChildren(); // a block that is not an object has no type
                        }
                    } else {
                        // an object's values are walked as blocks by the tree; scalars hold none
                        contentFromTree(Json.value(p), r);
                    }
                }
                case "usage" -> {
                    r.clearUsage();
                    if (v == JsonToken.START_OBJECT) readUsage(p, r);
                    else p.skipChildren();
                }
                case "stop_reason" -> r.stopReason = text(p, v);
                case "stop_details" -> r.refusalCategory = v == JsonToken.START_OBJECT
                        ? Json.value(p).path("category").asText(null) : skipValue(p);
                case "model" -> r.model = text(p, v);
                default -> p.skipChildren();
            }
        }
    }

    /** One content block: its text appended when it is a text block, its input kept from the first tool_use. */
    private static void readBlock(JsonParser p, Streamed r) throws IOException {
        String type = null;
        String text = "";
        JsonNode input = null;
        int at = 0;
        for (String field; (field = Names.next(p, BLOCK, at)) != null; ) {
            at = Names.after(BLOCK, field, at);
            JsonToken v = p.nextToken();
            switch (field) {
                case "type" -> type = text(p, v);
                case "text" -> text = v == JsonToken.VALUE_STRING ? p.getText() : Json.value(p).asText("");
                case "input" -> input = Json.value(p);
                default -> p.skipChildren();
            }
        }
        block(type, text, input, r);
    }

    private static void block(String type, String text, JsonNode input, Streamed r) {
        if ("text".equals(type)) {
            r.text.append(text);
            r.textBlock = true;
        } else if ("tool_use".equals(type) && r.toolInput == null && input != null) {
            r.toolInput = Json.string(input);
        }
    }

    private static void contentFromTree(JsonNode content, Streamed r) {
        for (JsonNode b : content) {
            JsonNode input = b.get("input");
            block(text(b, "type"), b.path("text").asText(""), input, r);
        }
    }

    private static void readUsage(JsonParser p, Streamed r) throws IOException {
        int at = 0;
        for (String field; (field = Names.next(p, USAGE, at)) != null; ) {
            at = Names.after(USAGE, field, at);
            JsonToken v = p.nextToken();
            switch (field) {
                case "input_tokens" -> r.inputTokens = tokens(p, v);
                case "output_tokens" -> r.outputTokens = tokens(p, v);
                case "cache_creation_input_tokens" -> r.cacheCreationInputTokens = tokens(p, v);
                case "cache_read_input_tokens" -> r.cacheReadInputTokens = tokens(p, v);
                case "cache_creation" -> skipInOrder(p, v, CACHE_CREATION); // its split by TTL: not priced apart
                case "output_tokens_details" -> {
                    if (v == JsonToken.START_OBJECT) {
                        JsonNode details = Json.value(p);
                        if (details.path("thinking_tokens").canConvertToLong()) {
                            r.thinkingTokens = details.path("thinking_tokens").asLong();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    /** documented shape: {"type":"error","error":{"type":"...","message":"..."}}; the flat one is read too */
    private static void readError(JsonParser p, Streamed r) throws IOException {
        for (String field; (field = p.nextFieldName()) != null; ) {
            JsonToken v = p.nextToken();
            switch (field) {
                case "type" -> r.errorType = text(p, v);
                case "message" -> r.errorMessage = text(p, v);
                case "error" -> {
                    r.innerType = r.innerMessage = null;
                    r.inner = v == JsonToken.START_OBJECT;
                    if (!r.inner) {
                        p.skipChildren();
                        continue;
                    }
                    for (String f; (f = p.nextFieldName()) != null; ) {
                        JsonToken iv = p.nextToken();
                        if (f.equals("type")) r.innerType = text(p, iv);
                        else if (f.equals("message")) r.innerMessage = text(p, iv);
                        else p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    /** The value as {@code text(node, field)} reads it: null for JSON null, a string as is, else the node's text. */
    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) return p.getText();
        if (v == JsonToken.VALUE_NULL) return null;
        return Json.value(p).asText();
    }

    /** A token count as {@code asLong(0)} reads it (a number that fits a long, else the node's reading). */
    private static long tokens(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType n = p.getNumberType();
            if (n == JsonParser.NumberType.INT || n == JsonParser.NumberType.LONG) return p.getLongValue();
        }
        return Json.value(p).asLong(0);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String originalMessage(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }
}
