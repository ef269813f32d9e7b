package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.render.StructuredOutputSchema;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The project's convention for JSON Schema keywords structured outputs do not enforce (minimum, maximum,
 * multipleOf, minLength, maxLength, array bounds beyond minItems 0/1, ...): the renderer removes them from the sent
 * schema and appends them to that subschema's {@code description} as {@link StructuredOutputSchema#CONSTRAINTS_PREFIX} followed by a JSON object of
 * the removed keywords. The API never sees them as constraints; a capable model still reads and respects them.
 *
 * <p>Guarantees: {@link #mergedInto} gives a copy of a sent schema with those keywords back in place (the sent
 * schema is not changed), so an answer generated from it respects them; {@link #breakOne} breaks exactly one
 * stripped constraint of an answer, and leaves the answer as it was when no present value has one.
 */
final class StrippedConstraints {

    private StrippedConstraints() {}

    /** The keywords a description carries after {@link StructuredOutputSchema#CONSTRAINTS_PREFIX}; null when none or not a JSON object. */
    static ObjectNode in(JsonNode schema) {
        JsonNode d = schema.path("description");
        if (!d.isTextual()) return null;
        int at = d.asText().lastIndexOf(StructuredOutputSchema.CONSTRAINTS_PREFIX);
        if (at < 0) return null;
        try {
            JsonNode n = Json.MAPPER.readTree(d.asText().substring(at + StructuredOutputSchema.CONSTRAINTS_PREFIX.length()));
            return n != null && n.isObject() && !n.isEmpty() ? (ObjectNode) n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** A copy of {@code schema} with every stripped keyword put back into its subschema. */
    static JsonNode mergedInto(JsonNode schema) {
        JsonNode copy = schema.deepCopy();
        merge(copy);
        return copy;
    }

    private static void merge(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            ObjectNode stripped = in(o);
            if (stripped != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = stripped.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> k = it.next();
                    if (!o.has(k.getKey())) o.set(k.getKey(), k.getValue());
                }
            }
            for (JsonNode child : o) merge(child);
        } else if (node.isArray()) {
            for (JsonNode child : node) merge(child);
        }
    }

    /** A value of the answer and the stripped keywords its subschema carries. */
    private record Constrained(JsonNode container, String field, int index, JsonNode value, ObjectNode keywords) {}

    /**
     * Breaks one stripped constraint of {@code answer} (a value of the sent schema {@code sent}), chosen per
     * custom_id: a number beyond its bound or off its multipleOf, a string beyond its length, an array beyond its
     * item bounds. Returns the answer unchanged when no value present has a stripped constraint it can break.
     */
    static JsonNode breakOne(SimModel model, JsonNode answer, JsonNode sent, String customId) {
        List<Constrained> found = new ArrayList<>();
        collect(null, null, -1, answer, sent, sent, found, 0);
        List<Constrained> breakable = new ArrayList<>();
        for (Constrained c : found) if (broken(c.value(), c.keywords()) != null) breakable.add(c);
        if (breakable.isEmpty()) return answer;
        Constrained c = breakable.get((int) (model.unit(customId, "break-constraint") * breakable.size()));
        JsonNode bad = broken(c.value(), c.keywords());
        if (c.container() == null) return bad;
        if (c.container().isObject()) ((ObjectNode) c.container()).set(c.field(), bad);
        else ((ArrayNode) c.container()).set(c.index(), bad);
        return answer;
    }

    private static void collect(JsonNode container, String field, int index, JsonNode value, JsonNode schema,
                                JsonNode root, List<Constrained> out, int depth) {
        if (depth > 32 || value == null) return;
        schema = resolve(schema, root);
        ObjectNode keywords = in(schema);
        if (keywords != null) out.add(new Constrained(container, field, index, value, keywords));
        for (String combo : new String[] {"allOf", "anyOf", "oneOf"}) {
            if (schema.path(combo).isArray() && !schema.get(combo).isEmpty()) {
                collect(container, field, index, value, schema.get(combo).get(0), root, out, depth + 1);
            }
        }
        if (value.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> p = it.next();
                if (value.has(p.getKey())) collect(value, p.getKey(), -1, value.get(p.getKey()), p.getValue(), root, out, depth + 1);
            }
        } else if (value.isArray() && schema.path("items").isObject()) {
            for (int i = 0; i < value.size(); i++) collect(value, null, i, value.get(i), schema.get("items"), root, out, depth + 1);
        }
    }

    private static JsonNode resolve(JsonNode schema, JsonNode root) {
        for (int depth = 0; depth < 16 && schema.path("$ref").isTextual(); depth++) {
            String ref = schema.get("$ref").asText();
            if (!ref.startsWith("#")) break;
            JsonNode target = root.at(ref.substring(1));
            if (target.isMissingNode()) break;
            schema = target;
        }
        return schema;
    }

    /** {@code value} changed to break one of {@code keywords}; null when none applies to it. */
    private static JsonNode broken(JsonNode value, ObjectNode k) {
        if (value.isNumber()) {
            BigDecimal v = value.decimalValue();
            if (k.path("maximum").isNumber()) return Json.MAPPER.getNodeFactory().numberNode(k.get("maximum").decimalValue().add(BigDecimal.ONE));
            if (k.path("exclusiveMaximum").isNumber()) return k.get("exclusiveMaximum").deepCopy();
            if (k.path("minimum").isNumber()) return Json.MAPPER.getNodeFactory().numberNode(k.get("minimum").decimalValue().subtract(BigDecimal.ONE));
            if (k.path("exclusiveMinimum").isNumber()) return k.get("exclusiveMinimum").deepCopy();
            if (k.path("multipleOf").isNumber() && k.get("multipleOf").decimalValue().signum() > 0) {
                BigDecimal m = k.get("multipleOf").decimalValue();
                BigDecimal off = v.add(m.divide(BigDecimal.valueOf(2)));
                return Json.MAPPER.getNodeFactory().numberNode(off.remainder(m).signum() == 0 ? off.add(m.divide(BigDecimal.valueOf(4))) : off);
            }
            return null;
        }
        if (value.isTextual()) {
            String s = value.asText();
            if (k.path("maxLength").canConvertToInt()) {
                StringBuilder sb = new StringBuilder(s);
                while (sb.codePointCount(0, sb.length()) <= k.get("maxLength").asInt()) sb.append('x');
                return Json.MAPPER.getNodeFactory().textNode(sb.toString());
            }
            if (k.path("minLength").canConvertToInt() && k.get("minLength").asInt() > 0) {
                int keep = Math.min(s.length(), k.get("minLength").asInt() - 1);
                return Json.MAPPER.getNodeFactory().textNode(s.substring(0, Math.max(0, keep)));
            }
            return null;
        }
        if (value.isArray()) {
            if (k.path("maxItems").canConvertToInt() && !value.isEmpty()) {
                ArrayNode a = ((ArrayNode) value).deepCopy();
                while (a.size() <= k.get("maxItems").asInt()) a.add(a.get(a.size() - 1).deepCopy());
                return a;
            }
            if (k.path("minItems").canConvertToInt() && k.get("minItems").asInt() > 0) {
                ArrayNode a = ((ArrayNode) value).deepCopy();
                while (a.size() >= k.get("minItems").asInt()) a.remove(a.size() - 1);
                return a;
            }
        }
        return null;
    }
}
