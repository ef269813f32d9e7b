package io.batchline.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A job's output schema as native structured outputs take it ({@code output_config.format}). The API supports
 * types, enum, const, anyOf, allOf, $ref/$defs, a set of formats, simple patterns and {@code additionalProperties:
 * false} (which every object must have); it does not enforce numeric bounds, string lengths, array bounds beyond
 * minItems 0/1, and more. Those keywords are taken out of the schema sent, appended to the property's
 * {@code description} as {@value #CONSTRAINTS_PREFIX}{@code {...}} so the model still reads them, and listed in
 * {@link #stripped()}; Batchline's own validator keeps enforcing the job's full schema on every answer.
 */
public record StructuredOutputSchema(ObjectNode schema, List<String> stripped) {

    /** How stripped keywords are appended to a description: this prefix, then a JSON object of them. */
    public static final String CONSTRAINTS_PREFIX = "\n\nConstraints: ";

    /** Keywords sent as they are (and the containers walked below). */
    private static final Set<String> KEPT = Set.of("type", "enum", "const", "anyOf", "allOf", "$ref", "$defs",
            "definitions", "properties", "required", "items", "additionalProperties", "description", "title",
            "format", "pattern", "default", "$schema", "$id", "$comment", "examples");

    private static final Set<String> FORMATS = Set.of("date-time", "date", "time", "duration", "email", "hostname",
            "uri", "ipv4", "ipv6", "uuid");

    public static StructuredOutputSchema of(JsonNode jobSchema) {
        List<String> stripped = new ArrayList<>();
        ObjectNode sent = transform(jobSchema, "$", stripped);
        return new StructuredOutputSchema(sent, List.copyOf(stripped));
    }

    private static ObjectNode transform(JsonNode schema, String path, List<String> stripped) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        if (schema == null || !schema.isObject()) return out;
        ObjectNode moved = JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode v = f.getValue();
            switch (key) {
                case "properties", "$defs", "definitions" -> {
                    ObjectNode children = out.putObject(key);
                    for (Iterator<Map.Entry<String, JsonNode>> c = v.fields(); c.hasNext(); ) {
                        Map.Entry<String, JsonNode> child = c.next();
                        children.set(child.getKey(), transform(child.getValue(), path + "." + child.getKey(), stripped));
                    }
                }
                case "items" -> out.set(key, v.isObject() ? transform(v, path + "[]", stripped) : v);
                case "anyOf", "allOf", "oneOf" -> {
                    // oneOf is sent as anyOf (the API takes anyOf); "exactly one" stays Batchline's check
                    ArrayNode branches = out.putArray("oneOf".equals(key) ? "anyOf" : key);
                    int i = 0;
                    for (JsonNode b : v) branches.add(transform(b, path + "." + key + "[" + i++ + "]", stripped));
                    if ("oneOf".equals(key)) stripped.add(path + ": oneOf (sent as anyOf)");
                }
                case "additionalProperties" -> {
                    if (!(v.isBoolean() && !v.booleanValue())) {
                        moved.set(key, v);
                        stripped.add(path + ": additionalProperties");
                    }
                }
                case "format" -> {
                    if (v.isTextual() && FORMATS.contains(v.textValue())) {
                        out.set(key, v);
                    } else {
                        moved.set(key, v);
                        stripped.add(path + ": format");
                    }
                }
                case "pattern" -> {
                    if (v.isTextual() && simplePattern(v.textValue())) {
                        out.set(key, v);
                    } else {
                        moved.set(key, v);
                        stripped.add(path + ": pattern");
                    }
                }
                case "minItems" -> {
                    if (v.canConvertToInt() && v.asInt() <= 1) {
                        out.set(key, v);
                    } else {
                        moved.set(key, v);
                        stripped.add(path + ": minItems");
                    }
                }
                default -> {
                    if (KEPT.contains(key)) {
                        out.set(key, v);
                    } else {
                        moved.set(key, v);
                        stripped.add(path + ": " + key);
                    }
                }
            }
        }
        if (isObjectSchema(schema)) out.put("additionalProperties", false);
        if (!moved.isEmpty()) {
            String description = out.path("description").asText("");
            out.put("description", description + CONSTRAINTS_PREFIX + Json.string(moved));
        }
        return out;
    }

    private static boolean isObjectSchema(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isTextual()) return "object".equals(type.textValue());
        if (type.isArray()) {
            for (JsonNode t : type) if ("object".equals(t.asText())) return true;
        }
        return schema.has("properties");
    }

    /** A pattern without lookaround or backreferences, which constrained decoding can follow. */
    static boolean simplePattern(String pattern) {
        return !pattern.contains("(?=") && !pattern.contains("(?!") && !pattern.contains("(?<")
                && !pattern.matches(".*\\\\[1-9].*");
    }
}
