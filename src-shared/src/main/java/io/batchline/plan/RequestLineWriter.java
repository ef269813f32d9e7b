package io.batchline.plan;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.batchline.json.Json;
import io.batchline.render.EscapedText;
import io.batchline.render.JsonEscaper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Serialises one request line, {@code {"custom_id":...,"params":...}}, to exactly the bytes
 * {@code Json.MAPPER.writeValue} gives for the same tree, but without its per-item cost (this is
 * plan's hot path): one generator reused for every line, and the text every request repeats (the system
 * prompt, ~1.5 KB, most of each line) copied as escaped once instead of being escaped again per item.
 * Only a string that is the very same instance as the shared one takes the copy, so params built any other
 * way (a retry line read back, a repair round) are written by Jackson as usual.
 *
 * <p>Not thread-safe: one per planning pass.
 */
final class RequestLineWriter {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(8 * 1024);
    private final JsonGenerator generator;
    private final SerializerProvider provider;
    private final String shared;
    /** The shared text as this mapper's generator escapes it, without the quotes. */
    private final byte[] sharedEscaped;
    /** Our walk writes every property in order: only right while the mapper neither filters nor sorts them. */
    private final boolean walk;
    /** Text values escaped by {@link #escapeInto} (Jackson's escaping was half of plan's writing thread). */
    private final boolean ownEscaping;
    private byte[] scratch = new byte[4096];
    /** Every class of character {@link #escapeInto} treats apart, compared with the generator's own output. */
    private static final String PROBE = "plain /~\u007f \"\\ \b\t\n\f\r \u0000\u0001\u001f caf\u00e9 \u07ff\u0800\u20ac\uffff"
            + " \ud83d\ude4f \ud800x\udc00";

    /** @param shared the text repeated in every request (identity-compared), or null */
    RequestLineWriter(String shared) {
        this.shared = shared;
        try {
            this.sharedEscaped = shared == null ? null : escaped(shared);
            this.generator = Json.MAPPER.createGenerator(buffer, JsonEncoding.UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        generator.setRootValueSeparator(null); // a reused generator would otherwise put ' ' between lines
        this.provider = Json.MAPPER.getSerializerProviderInstance();
        this.walk = provider.isEnabled(SerializationFeature.WRITE_EMPTY_JSON_ARRAYS)
                && provider.isEnabled(JsonNodeFeature.WRITE_NULL_PROPERTIES)
                && !provider.isEnabled(JsonNodeFeature.WRITE_PROPERTIES_SORTED);
        // only while it gives exactly the generator's bytes (a mapper with other escaping settings keeps Jackson's)
        this.ownEscaping = walk && java.util.Arrays.equals(ownEscaped(PROBE), escapedOrNull(PROBE));
    }

    /**
     * Escaped by the mapper's own generator, not by a separate encoder: Jackson writes a character outside
     * the BMP as a {@code \\uD83D\\uDE4F} pair, where its string encoder would write four UTF-8 bytes.
     */
    private static byte[] escaped(String text) throws IOException {
        ByteArrayOutputStream quoted = new ByteArrayOutputStream(text.length() + 16);
        try (JsonGenerator g = Json.MAPPER.createGenerator(quoted, JsonEncoding.UTF8)) {
            g.writeString(text);
        }
        byte[] bytes = quoted.toByteArray();
        return java.util.Arrays.copyOfRange(bytes, 1, bytes.length - 1);
    }

    boolean usesOwnEscaping() {
        return ownEscaping;
    }

    private static byte[] escapedOrNull(String text) {
        try {
            return escaped(text);
        } catch (IOException e) {
            return null;
        }
    }

    private byte[] ownEscaped(String text) {
        int length = escapeInto(text);
        return java.util.Arrays.copyOf(scratch, length);
    }

    /** Escapes {@code text} into {@link #scratch} as Jackson's generator does ({@link JsonEscaper}); returns the length. */
    private int escapeInto(String text) {
        int n = text.length();
        if (scratch.length < JsonEscaper.maxEscapedLength(n)) {
            scratch = new byte[Math.max(JsonEscaper.maxEscapedLength(n), scratch.length * 2)];
        }
        return JsonEscaper.escape(text, scratch, 0);
    }

    /**
     * A plain request's line, without a tree: {@code shape} (the job's shared params, with an empty user message) with
     * {@code content} as its user message, to the very bytes {@link #write} gives for the params with that
     * message, but copied from bytes worked out once per shape. Only with {@link #usesOwnEscaping}.
     */
    ByteArrayOutputStream writePlain(String customId, ObjectNode shape, EscapedText content) throws IOException {
        if (shape != plainShape) splitPlainShape(shape);
        buffer.reset();
        buffer.write(plainHead);
        buffer.write(scratch, 0, escapeInto(customId));
        buffer.write(plainMiddle);
        buffer.write(content.bytes(), 0, content.length());
        buffer.write(plainTail);
        return buffer;
    }

    private ObjectNode plainShape;
    /** the line up to the custom_id, from it to the user message, and after the message */
    private byte[] plainHead;
    private byte[] plainMiddle;
    private byte[] plainTail;
    private static final String ID_MARK = "\u0001batchline-custom-id\u0001";
    private static final String CONTENT_MARK = "\u0002batchline-user-message\u0002";

    /** Writes the shape once with marker texts and keeps the bytes around them. */
    private void splitPlainShape(ObjectNode shape) throws IOException {
        if (!ownEscaping) throw new IllegalStateException("plain requests need the writer's own escaping");
        ObjectNode marked = shape.deepCopy();
        JsonNode message = marked.path("messages").path(0);
        if (!(message instanceof ObjectNode m) || !m.path("content").isTextual() || !m.path("content").textValue().isEmpty()
                || marked.path("messages").size() != 1) {
            throw new IllegalArgumentException("a plain request's shape has one user message, empty: " + shape);
        }
        m.put("content", CONTENT_MARK);
        byte[] line = write(ID_MARK, marked).toByteArray();
        byte[] id = escapedOrNull(ID_MARK);
        byte[] content = escapedOrNull(CONTENT_MARK);
        int idAt = indexOf(line, id, 0);
        int contentAt = indexOf(line, content, idAt + id.length);
        if (idAt < 0 || contentAt < 0 || indexOf(line, content, contentAt + 1) >= 0) {
            throw new IllegalStateException("cannot locate the custom_id and message in a plain request's shape");
        }
        plainHead = java.util.Arrays.copyOfRange(line, 0, idAt);
        plainMiddle = java.util.Arrays.copyOfRange(line, idAt + id.length, contentAt);
        plainTail = java.util.Arrays.copyOfRange(line, contentAt + content.length, line.length);
        plainShape = shape;
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = Math.max(from, 0); i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (haystack[i + j] != needle[j]) continue outer;
            return i;
        }
        return -1;
    }

    /** The line's bytes (no newline) in a buffer that is only valid until the next call. */
    ByteArrayOutputStream write(String customId, ObjectNode params) throws IOException {
        buffer.reset();
        generator.writeStartObject();
        generator.writeStringField("custom_id", customId);
        generator.writeFieldName("params");
        write(params);
        generator.writeEndObject();
        generator.flush();
        return buffer;
    }

    private void write(JsonNode node) throws IOException {
        if (!walk) {
            node.serialize(generator, provider);
        } else if (node instanceof ObjectNode object) {
            generator.writeStartObject(object, object.size());
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                generator.writeFieldName(field.getKey());
                write(field.getValue());
            }
            generator.writeEndObject();
        } else if (node instanceof ArrayNode array) {
            generator.writeStartArray(array, array.size());
            for (int i = 0; i < array.size(); i++) write(array.get(i));
            generator.writeEndArray();
        } else if (shared != null && node instanceof TextNode text && text.textValue() == shared) {
            generator.writeRawUTF8String(sharedEscaped, 0, sharedEscaped.length);
        } else if (ownEscaping && node instanceof TextNode text) {
            int length = escapeInto(text.textValue()); // first: it may replace scratch with a larger array
            generator.writeRawUTF8String(scratch, 0, length);
        } else {
            node.serialize(generator, provider);
        }
    }
}
