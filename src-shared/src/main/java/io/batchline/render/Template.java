package io.batchline.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.batchline.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A parsed {@code user_template}: literal text and {@code {{field}}} / {@code {{a.b}}} placeholders.
 * Rendering is a single pass over the parsed parts, so a value that itself contains {@code {{x}}} is
 * inserted as literal text and never expanded (no template injection). Immutable and thread-safe.
 */
public final class Template {

    /** A field name, then dotted segments; digits-only segments index arrays ({@code {{tags.0}}}). */
    private static final Pattern FIELD_PATH =
            Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*");

    /** Literal text (path == null) or a placeholder. */
    private record Part(String text, String path, String[] segments) {}

    private final List<Part> parts;
    private final int literalLength;

    private Template(List<Part> parts) {
        this.parts = List.copyOf(parts);
        int length = 0;
        for (Part p : parts) if (p.path == null) length += p.text.length();
        this.literalLength = length;
    }

    /** Parses a template; throws {@link IllegalArgumentException} listing every syntax problem. */
    public static Template parse(String template) {
        List<String> problems = new ArrayList<>();
        Template parsed = parse(template, problems);
        if (!problems.isEmpty()) throw new IllegalArgumentException(String.join("; ", problems));
        return parsed;
    }

    /** Every syntax problem of a template, each naming its position; empty when it is well-formed. */
    public static List<String> problems(String template) {
        List<String> problems = new ArrayList<>();
        parse(template, problems);
        return problems;
    }

    private static Template parse(String template, List<String> problems) {
        List<Part> parts = new ArrayList<>();
        int pos = 0;
        while (pos < template.length()) {
            int open = template.indexOf("{{", pos);
            if (open < 0) {
                parts.add(new Part(template.substring(pos), null, null));
                break;
            }
            if (open > pos) parts.add(new Part(template.substring(pos, open), null, null));
            int close = template.indexOf("}}", open + 2);
            int nextOpen = template.indexOf("{{", open + 2);
            if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
                problems.add("unclosed placeholder at " + position(template, open));
                // keep scanning after this opening so later problems are reported too
                parts.add(new Part("{{", null, null));
                pos = open + 2;
                continue;
            }
            String raw = template.substring(open, close + 2);
            String name = template.substring(open + 2, close).strip();
            if (name.isEmpty()) {
                problems.add("empty placeholder '" + raw + "' at " + position(template, open));
            } else if (!FIELD_PATH.matcher(name).matches()) {
                problems.add("invalid placeholder '" + raw + "' at " + position(template, open)
                        + ": expected a field name like {{subject}} or {{customer.name}}");
            } else {
                parts.add(new Part(null, name, name.split("\\.")));
            }
            pos = close + 2;
        }
        return new Template(parts);
    }

    /** "column 12" on the first line, "line 3, column 5" after it: 1-based, in characters. */
    static String position(String text, int index) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < index; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = index - lineStart + 1;
        return line == 1 ? "column " + column : "line " + line + ", column " + column;
    }

    /**
     * The template as literal texts and placeholders, in order: a literal is a String, a placeholder its path
     * (a String[] of its segments). For renderers that insert values without a tree (the fast path).
     */
    List<Object> pieces() {
        List<Object> pieces = new ArrayList<>();
        for (Part p : parts) pieces.add(p.path == null ? p.text : p.segments.clone());
        return pieces;
    }

    /** The placeholder paths in order of appearance (with repeats). */
    public List<String> fields() {
        List<String> fields = new ArrayList<>();
        for (Part p : parts) if (p.path != null) fields.add(p.path);
        return fields;
    }

    /** Renders against an item's fields; throws {@link RenderException} naming the first missing field. */
    public String render(JsonNode fields) {
        StringBuilder out = new StringBuilder(literalLength + 64 * parts.size());
        for (Part p : parts) {
            if (p.path == null) {
                out.append(p.text);
            } else {
                appendValue(out, p.path, lookup(fields, p));
            }
        }
        return out.toString();
    }

    private static JsonNode lookup(JsonNode fields, Part p) {
        // a flat key wins, so CSV columns named "a.b" work as they read
        JsonNode node = p.segments.length > 1 ? fields.get(p.path) : null;
        if (node != null) return node;
        node = fields;
        for (int i = 0; i < p.segments.length; i++) {
            String segment = p.segments[i];
            JsonNode next;
            if (node.isObject()) {
                next = node.get(segment);
            } else if (node.isArray() && isIndex(segment)) {
                next = node.get(Integer.parseInt(segment));
            } else {
                String parent = String.join(".", java.util.Arrays.copyOf(p.segments, i));
                throw new RenderException("template field '" + p.path + "' is missing ('" + parent + "' is "
                        + describe(node) + ", not an object)");
            }
            if (next == null || next.isMissingNode()) {
                throw new RenderException("template field '" + p.path + "' is missing");
            }
            node = next;
        }
        if (node.isNull()) throw new RenderException("template field '" + p.path + "' is null");
        return node;
    }

    private static boolean isIndex(String segment) {
        if (segment.isEmpty() || segment.length() > 9) return false;
        for (int i = 0; i < segment.length(); i++) if (!Character.isDigit(segment.charAt(i))) return false;
        return true;
    }

    private static void appendValue(StringBuilder out, String path, JsonNode value) {
        if (value.isTextual()) {
            out.append(value.textValue());
        } else if (value.isNumber() || value.isBoolean()) {
            out.append(value.asText());
        } else if (value.isContainerNode()) {
            out.append(Json.string(value));
        } else {
            throw new RenderException("template field '" + path + "' is " + describe(value) + ", which cannot be inserted");
        }
    }

    static String describe(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return switch (type) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
