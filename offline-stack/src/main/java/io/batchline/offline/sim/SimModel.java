package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.catalogue.ModelEntry;
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
 * The simulator's "model": answers deterministically per custom_id, in the shape current models answer. With
 * {@code output_config.format} it generates bare JSON from that schema (structured outputs); otherwise, when the
 * system prompt ends with the project's schema block (the LAST {@code ```json} fence in the system text), an object
 * that satisfies that schema, a few of them fenced or after a line of prose, as real models' are. Enum values named
 * in the user message are preferred, so a sample run gives plausible labels and a realistic confidence spread.
 * When the request's thinking is on (per the model catalogue), a thinking block with display omitted comes first
 * and its tokens count as output and toward max_tokens. Usage carries service_tier, the cache_creation split,
 * output_tokens_details.thinking_tokens and the request's inference_geo. Requests are assumed accepted by
 * {@link SimRequestRules}.
 */
final class SimModel {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    enum Cache { NONE, WRITE, READ }

    /** An injected output fault (the request succeeds, its answer is bad in this way). */
    enum OutputFault { NONE, NON_JSON, FENCED, SCHEMA_VIOLATION, LOW_CONFIDENCE, REFUSAL }

    /** {@code usage.service_tier} of a Message Batch request and of a synchronous call. */
    static final String BATCH_TIER = "batch";
    static final String STANDARD_TIER = "standard";

    private final long seed;
    private final ModelCatalogue catalogue;

    SimModel(long seed) {
        this(seed, ModelCatalogue.bundled());
    }

    /** @param catalogue decides each model's default thinking and effort */
    SimModel(long seed, ModelCatalogue catalogue) {
        this.seed = seed;
        this.catalogue = catalogue;
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

    /** A Messages API response object for these params, as a batch request gets it. */
    ObjectNode respond(String customId, JsonNode params, Cache cache, boolean nonJson) {
        return respond(customId, params, cache, nonJson ? OutputFault.NON_JSON : OutputFault.NONE);
    }

    ObjectNode respond(String customId, JsonNode params, Cache cache, OutputFault fault) {
        return respond(customId, params, cache, fault, BATCH_TIER);
    }

    /**
     * A Messages API response object for these params (already accepted by {@link SimRequestRules}).
     *
     * @param serviceTier {@link #BATCH_TIER} in a Message Batch, {@link #STANDARD_TIER} for a synchronous call
     */
    ObjectNode respond(String customId, JsonNode params, Cache cache, OutputFault fault, String serviceTier) {
        String system = systemText(params);
        String user = userText(params);
        ArrayNode blocks = F.arrayNode();
        long maxTokens = params.path("max_tokens").asLong(Long.MAX_VALUE);
        // thinking comes first and counts toward max_tokens: what it leaves is the answer's budget
        long thinkingTokens = Math.min(thinkingTokens(customId, params), maxTokens);
        if (thinkingTokens > 0) {
            ObjectNode thinking = blocks.addObject();
            thinking.put("type", "thinking");
            thinking.put("thinking", ""); // display omitted, as current models answer by default
            thinking.put("signature", "sig_sim_" + shortHash(customId + "/thinking") + shortHash(customId + "/sig"));
        }
        long answerBudget = maxTokens - thinkingTokens;
        JsonNode tool = forcedTool(params);
        String stopReason = "end_turn";
        ObjectNode stopDetails = null;
        long answerTokens = 0;
        if (answerBudget <= 0) {
            stopReason = "max_tokens"; // thinking used the whole budget: no text block at all
        } else if (fault == OutputFault.REFUSAL) {
            stopReason = "refusal";
            stopDetails = F.objectNode();
            stopDetails.put("type", "refusal");
            stopDetails.put("category", "cyber");
            stopDetails.put("explanation", "The request was declined by the model's safety policy (simulated).");
            String partial = unit(customId, "refusal-text") < 0.5 ? "" : "I can't help with";
            partial = cut(partial, answerBudget);
            if (!partial.isEmpty()) {
                ObjectNode t = blocks.addObject();
                t.put("type", "text");
                t.put("text", partial);
            }
            answerTokens = tokens(partial);
        } else if (tool != null) {
            ObjectNode use = blocks.addObject();
            use.put("type", "tool_use");
            use.put("id", "toolu_sim_" + shortHash(customId));
            use.put("name", tool.path("name").asText());
            JsonNode input = generate(tool.path("input_schema"), tool.path("input_schema"), "", customId, user,
                    params.path("model").asText());
            use.set("input", input);
            stopReason = "tool_use";
            answerTokens = tokens(Json.string(input));
        } else {
            String text = answerText(customId, params, system, user, fault);
            if (tokens(text) > answerBudget) {
                // cut like a real model that ran out of tokens: the JSON is then incomplete
                text = cut(text, answerBudget);
                stopReason = "max_tokens";
            }
            ObjectNode t = blocks.addObject();
            t.put("type", "text");
            t.put("text", text);
            answerTokens = tokens(text);
        }
        ObjectNode content = F.objectNode();
        content.put("id", "msg_sim_" + shortHash(customId + "/" + seed));
        content.put("type", "message");
        content.put("role", "assistant");
        content.put("model", params.path("model").asText());
        content.set("content", blocks);
        content.put("stop_reason", stopReason);
        content.putNull("stop_sequence");
        if (stopDetails == null) content.putNull("stop_details");
        else content.set("stop_details", stopDetails);
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
        // thinking is billed as output: output_tokens holds both, the details say how much was thinking
        usage.put("output_tokens", Math.max(1, thinkingTokens + answerTokens));
        usage.putObject("output_tokens_details").put("thinking_tokens", thinkingTokens);
        usage.put("service_tier", serviceTier);
        if (params.path("inference_geo").isTextual()) usage.put("inference_geo", params.get("inference_geo").asText());
        return content;
    }

    /**
     * The text answer. With {@code output_config.format} the answer is generated from that schema (with the
     * constraints the renderer moved into descriptions honoured) and is always bare JSON: the API decodes under the
     * schema's grammar, so neither prose, fences nor a broken enum can occur; the schema-violation fault then breaks
     * only a stripped constraint. Without it, the schema of the system text's last ```json fence is answered as
     * models do without grammar: sometimes fenced or after a line of prose.
     */
    private String answerText(String customId, JsonNode params, String system, String user, OutputFault fault) {
        JsonNode format = params.path("output_config").path("format");
        if (format.path("schema").isObject()) {
            JsonNode sent = format.get("schema");
            JsonNode schema = StrippedConstraints.mergedInto(sent);
            JsonNode answer = generate(schema, schema, "", customId, user, params.path("model").asText());
            if (fault == OutputFault.SCHEMA_VIOLATION) answer = StrippedConstraints.breakOne(this, answer, sent, customId);
            if (fault == OutputFault.LOW_CONFIDENCE) lowerConfidence(answer, customId);
            return Json.string(answer);
        }
        JsonNode schema = schemaIn(system);
        if (fault == OutputFault.NON_JSON) return "I'm sorry, but I can't answer that in the requested format.";
        if (schema != null) {
            JsonNode answer = generate(schema, schema, "", customId, user, params.path("model").asText());
            if (fault == OutputFault.SCHEMA_VIOLATION) answer = violate(answer, schema, customId);
            if (fault == OutputFault.LOW_CONFIDENCE) lowerConfidence(answer, customId);
            String json = Json.string(answer);
            double wrap = unit(customId, "wrap");
            if (fault == OutputFault.FENCED || wrap < 0.04) return "```json\n" + json + "\n```";
            if (wrap < 0.08) return "Here is the result:\n" + json;
            return json;
        }
        String gist = user.strip().replaceAll("\\s+", " ");
        if (gist.length() > 60) gist = gist.substring(0, 60) + "...";
        return "Simulated reply to " + customId + ": " + gist;
    }

    /** Thinking tokens by effort level: {low, high} of a deterministic draw per custom_id. */
    private static final Map<String, long[]> THINKING_TOKENS_BY_EFFORT = Map.of(
            "low", new long[] {60, 400},
            "medium", new long[] {300, 1_200},
            "high", new long[] {800, 3_000},
            "xhigh", new long[] {1_500, 6_000},
            "max", new long[] {3_000, 12_000});

    /**
     * How many tokens this request thinks for: 0 when its effective thinking is off (the model's default unless
     * {@code thinking.type} turns it off; the model's {@code off} type other than {@code disabled}, such as
     * between-tools thinking, thinks only when the request has tools); else a draw that grows with the effort,
     * capped by {@code budget_tokens} for {@code enabled}.
     */
    long thinkingTokens(String customId, JsonNode params) {
        ModelEntry m = catalogue.find(params.path("model").asText()).orElse(null);
        if (m == null) return 0;
        JsonNode thinking = params.path("thinking");
        String type = thinking.path("type").asText(m.thinking().defaultType());
        if (SimRequestRules.DISABLED.equals(type)) return 0;
        boolean hasTools = params.path("tools").isArray() && !params.get("tools").isEmpty();
        if (type.equals(m.thinking().off()) && !hasTools) return 0;
        String effort = SimRequestRules.effectiveEffort(m, params);
        long[] range = THINKING_TOKENS_BY_EFFORT.getOrDefault(effort == null ? "high" : effort,
                THINKING_TOKENS_BY_EFFORT.get("high"));
        long n = range[0] + (long) (unit(customId, "thinking") * (range[1] - range[0]));
        if (SimRequestRules.ENABLED.equals(type) && thinking.path("budget_tokens").canConvertToLong()) {
            n = Math.min(n, thinking.get("budget_tokens").asLong());
        }
        return n;
    }

    /** The simulator's output token count of a text: a quarter of its UTF-8 bytes, rounded up. */
    static long tokens(String text) {
        return (long) Math.ceil(utf8(text) / 4.0);
    }

    /** The start of {@code text} that fits in {@code budget} tokens. */
    private static String cut(String text, long budget) {
        return text.substring(0, (int) Math.min(text.length(), Math.max(0, budget * 4)));
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
    /** how often each model family answers confidently (a data file, see {@link AnswerConfidence}) */
    private final AnswerConfidence confidence = AnswerConfidence.bundled();

    /** As {@link #generate(JsonNode, JsonNode, String, String, String)}, with {@code model}'s confidence shares. */
    JsonNode generate(JsonNode schema, JsonNode root, String path, String customId, String user, String model) {
        return answers.answer(schema, root, path, customId, user, confidence.of(model));
    }

    /** An answer that meets {@code schema}, a part of {@code root} (see {@link SchemaAnswers}). */
    JsonNode generate(JsonNode schema, JsonNode root, String path, String customId, String user) {
        return answers.answer(schema, root, path, customId, user);
    }
}
