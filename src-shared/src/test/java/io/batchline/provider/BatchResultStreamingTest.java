package io.batchline.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link BatchResult#read} streams a result line; {@link BatchResult#fromTree} reads its tree. They must agree on
 * every line, the odd ones included (repeated fields, values of unexpected kinds, the flat error shape).
 */
class BatchResultStreamingTest {
    static final List<String> LINES = List.of(
            "{\"custom_id\":\"a1-l1\",\"result\":{\"type\":\"succeeded\",\"message\":{\"id\":\"m\",\"model\":\"claude-haiku-4-5\","
                    + "\"content\":[{\"type\":\"text\",\"text\":\"{\\\"a\\\":1}\"}],\"stop_reason\":\"end_turn\",\"stop_sequence\":null,"
                    + "\"usage\":{\"input_tokens\":139,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":529,"
                    + "\"cache_creation\":{\"ephemeral_5m_input_tokens\":0},\"output_tokens\":22}}}}",
            // fields in another order, type last, text blocks concatenated, tool input from the first tool_use only
            "{\"result\":{\"message\":{\"usage\":{\"output_tokens\":5},\"content\":[{\"text\":\"a\",\"type\":\"text\"},"
                    + "{\"input\":{\"k\":[1,2.50,null,\"\\u00e9\"]},\"type\":\"tool_use\"},{\"type\":\"tool_use\",\"input\":{\"no\":1}},"
                    + "{\"type\":\"text\",\"text\":\"b\"},{\"type\":\"thinking\",\"text\":\"c\"}]},\"type\":\"succeeded\"},\"custom_id\":\"x\"}",
            // a tool_use whose input is null, text of other kinds, a block that is no object
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[\"str\",7,null,"
                    + "{\"type\":\"tool_use\",\"input\":null},{\"type\":\"text\",\"text\":12.50},{\"type\":\"text\",\"text\":null},"
                    + "{\"type\":\"text\",\"text\":{\"o\":1}},{\"type\":\"text\"},{\"type\":null,\"text\":\"z\"},{\"type\":5}]}}}",
            // repeated fields: the last one wins, in the message, the content, the usage and the result
            "{\"custom_id\":\"first\",\"custom_id\":\"second\",\"result\":{\"type\":\"errored\"},\"result\":{\"type\":\"succeeded\","
                    + "\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"old\"}],\"model\":\"m1\"},"
                    + "\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"a\"}],\"content\":[{\"type\":\"text\",\"text\":\"new\","
                    + "\"text\":\"newer\",\"type\":\"text\"}],\"usage\":{\"input_tokens\":1},\"usage\":{\"output_tokens\":2,"
                    + "\"output_tokens\":3},\"stop_reason\":\"a\",\"stop_reason\":null}}}",
            // content as an object (its values are walked as blocks), as a string, usage of odd kinds
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":{\"b\":{\"type\":\"text\",\"text\":\"1\"},"
                    + "\"a\":{\"type\":\"text\",\"text\":\"2\"}},\"usage\":{\"input_tokens\":\"42\",\"output_tokens\":2.9,"
                    + "\"cache_creation_input_tokens\":null,\"cache_read_input_tokens\":123456789012345678901234567890}}}}",
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":\"text\",\"usage\":[1,2],"
                    + "\"model\":7,\"stop_reason\":{\"a\":1}}}}",
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":\"not an object\"}}",
            // 2026 shapes: thinking before the text, thinking tokens in the usage, a refusal with its category, a
            // turn with no text block at all
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[{\"type\":\"thinking\","
                    + "\"thinking\":\"\",\"signature\":\"s\"},{\"type\":\"text\",\"text\":\"{}\"}],\"stop_reason\":\"end_turn\","
                    + "\"stop_details\":null,\"usage\":{\"input_tokens\":3,\"output_tokens\":40,\"output_tokens_details\":"
                    + "{\"thinking_tokens\":38},\"service_tier\":\"batch\"}}}}",
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[],\"stop_reason\":\"refusal\","
                    + "\"stop_details\":{\"type\":\"refusal\",\"category\":\"cyber\",\"explanation\":\"e\"}}}}",
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":{\"content\":[{\"type\":\"thinking\","
                    + "\"thinking\":\"\"}],\"stop_reason\":\"max_tokens\",\"usage\":{\"output_tokens\":300,"
                    + "\"output_tokens_details\":{\"thinking_tokens\":300}}}}}",
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":{\"usage\":{\"cache_creation\":[{\"a\":1}],"
                    + "\"input_tokens\":3,\"cache_creation\":{\"x\":{\"y\":[1]},\"ephemeral_1h_input_tokens\":2},\"output_tokens\":4}}}}",
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\"}}",
            "{\"custom_id\":\"x\",\"result\":{\"type\":\"succeeded\",\"message\":{\"usage\":{\"input_tokens\":9223372036854775807,"
                    + "\"output_tokens\":-1,\"cache_read_input_tokens\":true}}}}",
            // errors: the documented shape, the flat one, an inner error that is no object, repeated
            "{\"custom_id\":\"e\",\"result\":{\"type\":\"errored\",\"error\":{\"type\":\"error\",\"error\":{\"type\":"
                    + "\"invalid_request_error\",\"message\":\"max_tokens: Field required\"}}}}",
            "{\"custom_id\":\"e\",\"result\":{\"type\":\"errored\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}}",
            "{\"custom_id\":\"e\",\"result\":{\"type\":\"errored\",\"error\":{\"type\":\"api_error\",\"error\":\"text\",\"message\":3}}}",
            "{\"custom_id\":\"e\",\"result\":{\"error\":{\"error\":{\"type\":\"a\"},\"error\":{\"message\":\"b\"}},\"type\":\"errored\"}}",
            "{\"custom_id\":\"e\",\"result\":{\"type\":\"errored\",\"error\":{\"error\":{\"type\":\"a\"},\"error\":null,\"type\":\"t\"}}}",
            "{\"custom_id\":\"e\",\"result\":{\"type\":\"errored\",\"error\":[1]}}",
            "{\"custom_id\":\"e\",\"result\":{\"type\":\"errored\"}}",
            "{\"custom_id\":\"c\",\"result\":{\"type\":\"canceled\"}}",
            "{\"custom_id\":\"c\",\"result\":{\"type\":\"expired\",\"message\":{\"usage\":{\"input_tokens\":5}}}}",
            // custom_id and type of other kinds, and the lines that are refused
            "{\"custom_id\":12,\"result\":{\"type\":\"canceled\"}}",
            "{\"custom_id\":{\"a\":1},\"result\":{\"type\":\"canceled\"}}",
            "{\"custom_id\":null,\"result\":{\"type\":\"canceled\"}}",
            "{\"result\":{\"type\":\"expired\"}}",
            "{\"custom_id\":\"a\",\"result\":{\"type\":\"weird\"}}",
            "{\"custom_id\":\"a\",\"result\":{\"type\":null}}",
            "{\"custom_id\":\"a\",\"result\":{\"type\":[\"succeeded\"]}}",
            "{\"custom_id\":\"a\",\"result\":\"succeeded\"}",
            "{\"custom_id\":\"a\",\"result\":{\"type\":\"canceled\"},\"result\":null}",
            "{\"custom_id\":\"a\"}",
            "{}");

    @Test
    void givenOddAndOrdinaryLinesWhenStreamedThenTheyReadAsTheirTree() {
        for (String line : LINES) {
            Object fromTree = outcome(() -> fromTree(Json.tree(line.getBytes(StandardCharsets.UTF_8))));
            Object streamed = outcome(() -> BatchResult.parse(line));
            assertThat(streamed).as(line).isEqualTo(fromTree);
        }
    }

    @Test
    void givenAFileOfTheLinesWhenWalkedThenEachReadsAsAlone() throws Exception {
        StringBuilder file = new StringBuilder();
        List<BatchResult> alone = new ArrayList<>();
        for (String line : LINES) {
            Object r = outcome(() -> BatchResult.parse(line));
            if (r instanceof BatchResult b) {
                file.append(line).append('\n');
                alone.add(b);
            }
        }
        List<BatchResult> walked = new ArrayList<>();
        try (ResultReader reader = new ResultReader(new ByteArrayInputStream(
                file.toString().getBytes(StandardCharsets.UTF_8)))) {
            reader.forEachRemaining(walked::add);
        }
        assertThat(walked).containsExactlyElementsOf(alone);
    }

    /** The result, or the refusal's class and message. */
    private static Object outcome(java.util.function.Supplier<BatchResult> read) {
        Throwable t = catchThrowable(read::get);
        return t == null ? read.get() : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** The tree reading BatchResult.read follows: the reference the streamed reading is compared with. */
    private static BatchResult fromTree(JsonNode node) {
        String customId = text(node, "custom_id");
        if (customId == null) throw new IllegalArgumentException("result line without custom_id");
        JsonNode result = node.path("result");
        String type = text(result, "type");
        if (type == null) throw new IllegalArgumentException("result for " + customId + " has no result.type");
        return switch (type) {
            case "succeeded" -> succeeded(customId, result.path("message"));
            case "errored" -> errored(customId, result.path("error"));
            case "canceled" -> new BatchResult(customId, BatchResult.Type.CANCELED, null, null, null, null, Usage.ZERO, null, null);
            case "expired" -> new BatchResult(customId, BatchResult.Type.EXPIRED, null, null, null, null, Usage.ZERO, null, null);
            default -> throw new IllegalArgumentException("result for " + customId + " has unknown type " + type);
        };
    }

    private static BatchResult succeeded(String customId, JsonNode message) {
        StringBuilder text = new StringBuilder();
        boolean textBlock = false;
        String toolInput = null;
        for (JsonNode block : message.path("content")) {
            String bt = text(block, "type");
            if ("text".equals(bt)) {
                textBlock = true;
                text.append(block.path("text").asText(""));
            } else if ("tool_use".equals(bt) && toolInput == null && block.has("input")) {
                toolInput = Json.string(block.get("input"));
            }
        }
        JsonNode u = message.path("usage");
        JsonNode thinking = u.path("output_tokens_details").path("thinking_tokens");
        Usage usage = new Usage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0),
                u.path("cache_creation_input_tokens").asLong(0), u.path("cache_read_input_tokens").asLong(0),
                u.path("output_tokens_details").isObject() && thinking.canConvertToLong()
                        ? new Usage.OutputDetails(thinking.asLong()) : null);
        JsonNode details = message.path("stop_details");
        return new BatchResult(customId, BatchResult.Type.SUCCEEDED, textBlock ? text.toString() : null, toolInput,
                text(message, "stop_reason"), text(message, "model"), usage, null, null,
                details.isObject() ? details.path("category").asText(null) : null);
    }

    private static BatchResult errored(String customId, JsonNode error) {
        // documented shape: {"type":"error","error":{"type":"...","message":"..."}}; accept the flat one too
        JsonNode inner = error.has("error") && error.get("error").isObject() ? error.get("error") : error;
        return new BatchResult(customId, BatchResult.Type.ERRORED, null, null, null, null, Usage.ZERO, text(inner, "type"),
                text(inner, "message"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
