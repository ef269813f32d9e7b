package io.batchline.local.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The simulator's "model": answers deterministically per custom_id. When the system prompt ends with the
 * project's schema block (the LAST {@code ```json} fence in the system text) it generates an object that
 * satisfies that schema, preferring enum values named in the user message, so a sample run gives plausible
 * labels and a realistic confidence spread. A few answers come fenced or after a line of prose, as real
 * models' do.
 */
final class SimModel {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    enum Cache { NONE, WRITE, READ }

    /** An injected output fault (the request succeeds, its answer is bad in this way). */
    enum OutputFault { NONE, NON_JSON, FENCED, SCHEMA_VIOLATION, LOW_CONFIDENCE }

    private final long seed;

    SimModel(long seed) {
        this.seed = seed;
    }

    /** A deterministic number in [0,1) for these parts. */
    double unit(String... parts) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (String p : parts) {
            for (byte b : p.getBytes(StandardCharsets.UTF_8)) {
                h ^= b;
                h *= 0x100000001b3L;
            }
            h ^= 0xff;
            h *= 0x100000001b3L;
        }
        // splitmix64 finaliser: FNV alone clusters on similar ids
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return (h >>> 11) * 0x1.0p-53;
    }

    /** A Messages API response object for these params. */
    ObjectNode respond(String customId, JsonNode params, Cache cache, boolean nonJson) {
        return respond(customId, params, cache, nonJson ? OutputFault.NON_JSON : OutputFault.NONE);
    }

    ObjectNode respond(String customId, JsonNode params, Cache cache, OutputFault fault) {
        boolean nonJson = fault == OutputFault.NON_JSON;
        String system = systemText(params);
        String user = userText(params);
        ObjectNode content;
        ArrayNode blocks = F.arrayNode();
        JsonNode tool = forcedTool(params);
        String stopReason = "end_turn";
        int outBytes;
        if (tool != null) {
            ObjectNode use = blocks.addObject();
            use.put("type", "tool_use");
            use.put("id", "toolu_sim_" + shortHash(customId));
            use.put("name", tool.path("name").asText());
            JsonNode input = generate(tool.path("input_schema"), tool.path("input_schema"), "", customId, user);
            use.set("input", input);
            stopReason = "tool_use";
            outBytes = Json.bytes(input).length;
        } else {
            String text;
            JsonNode schema = schemaIn(system);
            if (nonJson) {
                text = "I'm sorry, but I can't answer that in the requested format.";
            } else if (schema != null) {
                JsonNode answer = generate(schema, schema, "", customId, user);
                if (fault == OutputFault.SCHEMA_VIOLATION) answer = violate(answer, schema, customId);
                if (fault == OutputFault.LOW_CONFIDENCE) lowerConfidence(answer, customId);
                String json = Json.string(answer);
                double wrap = unit(customId, "wrap");
                if (fault == OutputFault.FENCED || wrap < 0.04) text = "```json\n" + json + "\n```";
                else if (wrap < 0.08) text = "Here is the result:\n" + json;
                else text = json;
            } else {
                String gist = user.strip().replaceAll("\\s+", " ");
                if (gist.length() > 60) gist = gist.substring(0, 60) + "...";
                text = "Simulated reply to " + customId + ": " + gist;
            }
            long maxTokens = params.path("max_tokens").asLong(Long.MAX_VALUE);
            if ((long) Math.ceil(utf8(text) / 4.0) > maxTokens) {
                // cut like a real model that ran out of tokens: the JSON is then incomplete
                text = text.substring(0, (int) Math.min(text.length(), Math.max(0, maxTokens * 4)));
                stopReason = "max_tokens";
            }
            ObjectNode t = blocks.addObject();
            t.put("type", "text");
            t.put("text", text);
            outBytes = utf8(text);
        }
        content = F.objectNode();
        content.put("id", "msg_sim_" + shortHash(customId + "/" + seed));
        content.put("type", "message");
        content.put("role", "assistant");
        content.put("model", params.path("model").asText());
        content.set("content", blocks);
        content.put("stop_reason", stopReason);
        content.putNull("stop_sequence");
        // input + cache write + cache read = promptTokens, exactly what count_tokens answers for these params
        long prompt = promptTokens(params);
        long cached = cache == Cache.NONE ? 0 : Math.min(prompt - 1, Math.max(1, utf8(system) / 4));
        long input = prompt - cached;
        long written = cache == Cache.WRITE ? cached : 0;
        ObjectNode usage = content.putObject("usage");
        usage.put("input_tokens", input);
        usage.put("cache_creation_input_tokens", written);
        usage.put("cache_read_input_tokens", cache == Cache.READ ? cached : 0);
        // the API splits cache writes by TTL, as the two are priced differently
        ObjectNode creation = usage.putObject("cache_creation");
        boolean oneHour = "1h".equals(cacheTtl(params));
        creation.put("ephemeral_5m_input_tokens", oneHour ? 0 : written);
        creation.put("ephemeral_1h_input_tokens", oneHour ? written : 0);
        usage.put("output_tokens", Math.max(1, (long) Math.ceil(outBytes / 4.0)));
        return content;
    }

    /**
     * The simulator's tokenizer: a quarter of the UTF-8 bytes of the params as sent, without the fields that
     * are not prompt (max_tokens, stream). Billing and count_tokens both use it, so an estimator's error
     * measured against count_tokens is its error against what a run is billed.
     */
    static long promptTokens(JsonNode params) {
        JsonNode prompt = params;
        if (params.has("max_tokens") || params.has("stream")) {
            ObjectNode copy = ((ObjectNode) params).deepCopy();
            copy.remove("max_tokens");
            copy.remove("stream");
            prompt = copy;
        }
        return Math.max(2, Json.bytes(prompt).length / 4);
    }

    /** Largest max_tokens per model family, as the models overview lists them (unknown models: no limit). */
    private static final Map<String, Integer> MAX_OUTPUT_TOKENS = Map.of(
            "claude-opus-4-5", 64_000, "claude-sonnet-4-5", 64_000, "claude-haiku-4-5", 64_000,
            "claude-opus-4-1", 32_000, "claude-sonnet-4", 64_000, "claude-3-5-haiku", 8_192);

    /**
     * What the API refuses in otherwise well-formed params, with its message: a max_tokens above the model's
     * output limit. Synchronously that is a 400; in a batch, that request's result is errored.
     */
    static String paramsProblem(JsonNode params) {
        String model = params.path("model").asText();
        String family = model.replaceFirst("-\\d{8}$", "");
        Integer limit = MAX_OUTPUT_TOKENS.get(family);
        long maxTokens = params.path("max_tokens").asLong(0);
        if (limit != null && maxTokens > limit) {
            return "max_tokens: " + maxTokens + " > " + limit
                    + ", which is the maximum allowed number of output tokens for " + model;
        }
        return null;
    }

    /** The ttl of the request's cache_control ("5m" when none is named, the provider's default). */
    static String cacheTtl(JsonNode params) {
        JsonNode control = params.findValue("cache_control");
        return control == null ? "5m" : control.path("ttl").asText("5m");
    }

    /**
     * Breaks a valid answer the way models do: an enum property gets a value outside its enum, or else a
     * required property goes missing. Falls back to a wrong type for the whole answer.
     */
    JsonNode violate(JsonNode answer, JsonNode schema, String customId) {
        if (!answer.isObject()) return F.textNode("not what the schema asks for");
        ObjectNode o = (ObjectNode) answer;
        JsonNode props = schema.path("properties");
        List<String> enums = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            if (p.getValue().path("enum").isArray() && o.has(p.getKey())) enums.add(p.getKey());
        }
        List<String> required = new ArrayList<>();
        for (JsonNode r : schema.path("required")) if (o.has(r.asText())) required.add(r.asText());
        boolean useEnum = !enums.isEmpty() && (required.isEmpty() || unit(customId, "violate") < 0.5);
        if (useEnum) {
            String f = enums.get((int) (unit(customId, "violate-field") * enums.size()));
            o.put(f, "unlisted_value");
        } else if (!required.isEmpty()) {
            o.remove(required.get((int) (unit(customId, "violate-field") * required.size())));
        } else {
            return F.textNode("not what the schema asks for");
        }
        return o;
    }

    /** Sets every numeric "confidence" property below the review line (0.7). */
    void lowerConfidence(JsonNode answer, String customId) {
        if (answer.isObject()) {
            ObjectNode o = (ObjectNode) answer;
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if ("confidence".equalsIgnoreCase(p.getKey()) && p.getValue().isNumber()) {
                    p.setValue(F.numberNode(BigDecimal.valueOf(0.3 + unit(customId, "low") * 0.39)
                            .setScale(2, RoundingMode.DOWN)));
                } else {
                    lowerConfidence(p.getValue(), customId);
                }
            }
        } else if (answer.isArray()) {
            for (JsonNode x : answer) lowerConfidence(x, customId);
        }
    }

    static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private String shortHash(String s) {
        return Long.toString((long) (unit(s, "id") * Long.MAX_VALUE), 36);
    }

    /** True when any part of the request asks for caching. */
    static boolean hasCacheControl(JsonNode params) {
        return params.findValue("cache_control") != null;
    }

    static String systemText(JsonNode params) {
        return text(params.path("system"));
    }

    static String userText(JsonNode params) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode m : params.path("messages")) {
            if ("user".equals(m.path("role").asText())) sb.append(text(m.path("content"))).append('\n');
        }
        return sb.toString();
    }

    /** A string, or the text of a list of text blocks. */
    private static String text(JsonNode n) {
        if (n.isTextual()) return n.asText();
        StringBuilder sb = new StringBuilder();
        for (JsonNode b : n) {
            if (b.isTextual()) sb.append(b.asText());
            else if ("text".equals(b.path("type").asText())) sb.append(b.path("text").asText()).append('\n');
        }
        return sb.toString();
    }

    /** The JSON Schema in the last ```json fence of the system text; null when there is none or it is not JSON. */
    static JsonNode schemaIn(String system) {
        int start = system.lastIndexOf("```json");
        if (start < 0) return null;
        int from = start + "```json".length();
        int end = system.indexOf("```", from);
        String body = end < 0 ? system.substring(from) : system.substring(from, end);
        try {
            JsonNode n = Json.MAPPER.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static JsonNode forcedTool(JsonNode params) {
        JsonNode choice = params.path("tool_choice");
        JsonNode tools = params.path("tools");
        if (!tools.isArray() || tools.isEmpty()) return null;
        String type = choice.path("type").asText("");
        if ("tool".equals(type)) {
            for (JsonNode t : tools) if (choice.path("name").asText().equals(t.path("name").asText())) return t;
            return null;
        }
        return "any".equals(type) ? tools.get(0) : null;
    }

    // ---------------------------------------------------------------- schema-driven generation

    private final SchemaAnswers answers = new SchemaAnswers(this::unit);

    /** An answer that meets {@code schema}, a part of {@code root} (see {@link SchemaAnswers}). */
    JsonNode generate(JsonNode schema, JsonNode root, String path, String customId, String user) {
        return answers.answer(schema, root, path, customId, user);
    }
}
