package io.batchline.plan;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.json.Names;
import io.batchline.render.JsonEscaper;
import io.batchline.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The JSON of an {@link ItemCarry}, in the two lines it travels in:
 * <ul>
 *   <li>a shard index line: {@code custom_id, id, line, attempts, repair, truncated, label, golden, history, chunk,
 *       chunks, stratum};
 *   <li>a retry line (collect's retry part, the next attempt's planner input): {@code id, line, attempts, last_error,
 *       repair, truncated, label, golden, chunk, chunks, stratum, history, params}.
 * </ul>
 * Fields in that order; a false flag or a null field is left out. Both kinds are read by one streamed reader that
 * reads each field as a tree would ({@code asBoolean(false)}, {@code isInt()}, ...), through a tree whenever a
 * value is not of the kind written here.
 *
 * <p>Index lines are the bulk of plan's and collect's JSON: they are written by hand when the item has no history
 * (databind was a tenth of plan's CPU) and read field by field (a tree per line was a tenth of collect's time).
 */
public final class ItemCarryCodec {
    private ItemCarryCodec() {}

    /** One line of a retry part: the item, why it is sent again and the params to send. */
    public record RetryLine(ItemCarry item, String lastError, JsonNode params) {}

    private static final SerializedString[] INDEX_ORDER = Names.of("custom_id", "id", "line", "attempts", "repair",
            "truncated", "label", "golden", "history", "chunk", "chunks", "stratum");
    private static final SerializedString[] RETRY_ORDER = Names.of("id", "line", "attempts", "last_error", "repair",
            "truncated", "label", "golden", "chunk", "chunks", "stratum", "history", "params");

    /** The index line's JSON, without a newline. */
    public static byte[] indexLine(ShardIndexLine line) {
        if (line.carry().history() != null || !HAND_WRITTEN) return generatedIndexLine(line);
        return handWrittenIndexLine(line);
    }

    /** Writes the retry line and a newline. */
    public static void writeRetryLine(OutputStream out, RetryLine line) {
        ItemCarry item = line.item();
        byte[] json = generated(g -> {
            g.writeStartObject();
            writeIdLineAttempts(g, item);
            g.writeStringField("last_error", line.lastError());
            writeFlagsAndLabel(g, item);
            writeChunkAndStratum(g, item);
            writeHistory(g, item);
            g.writeFieldName("params");
            g.writeTree(line.params());
            g.writeEndObject();
        });
        try {
            out.write(json);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A shard's index by custom_id; bounded by the shard size, not the input size.
     *
     * @throws IllegalStateException for a line that is not an object or lacks custom_id, id or line
     */
    public static Map<String, ShardIndexLine> readIndex(ObjectStore store, String indexKey) {
        Map<String, ShardIndexLine> index = new HashMap<>();
        forEachIndexLine(store, indexKey, line -> index.put(line.customId(), line));
        return index;
    }

    /**
     * A shard's index line by line, in the order written (the planner's: by line and chunk), streamed.
     *
     * @throws IllegalStateException for a line that is not an object or lacks custom_id, id or line
     */
    public static void forEachIndexLine(ObjectStore store, String indexKey, Consumer<ShardIndexLine> each) {
        try (JsonParser p = Json.MAPPER.createParser(store.open(indexKey))) {
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                if (t != JsonToken.START_OBJECT) {
                    throw new IllegalStateException("index " + indexKey + " line " + p.currentLocation().getLineNr()
                            + " is not a JSON object");
                }
                Fields f = read(p, INDEX_ORDER, 1);
                if (f.customId == null || f.id == null || !f.hasLine) {
                    throw new IllegalStateException("index " + indexKey + " line " + p.currentLocation().getLineNr()
                            + " lacks custom_id, id or line");
                }
                each.accept(new ShardIndexLine(f.customId, f.item()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading index " + indexKey + ": " + e.getMessage(), e);
        }
    }

    /**
     * One retry line. {@code attemptsIfAbsent} stands in for a line without attempts; {@code where} names the line
     * in the messages.
     *
     * @throws IllegalStateException when the text is not JSON, or lacks an object of params or a line number
     */
    public static RetryLine readRetryLine(String text, int attemptsIfAbsent, String where) {
        Fields f = readRetryFields(text, attemptsIfAbsent, where);
        if (!(f.params instanceof ObjectNode) || !f.hasLine) {
            throw new IllegalStateException(where + " lacks params or line");
        }
        return new RetryLine(f.item(), f.lastError, f.params);
    }

    /**
     * One retry line of an item that will not be sent again (its run was canceled or its canary failed): params
     * are not needed, so a line without them is read too (params null). Otherwise like {@link #readRetryLine}.
     *
     * @throws IllegalStateException when the text is not JSON or lacks a line number: it names no input line
     */
    public static RetryLine readRetryItem(String text, int attemptsIfAbsent, String where) {
        Fields f = readRetryFields(text, attemptsIfAbsent, where);
        if (!f.hasLine) throw new IllegalStateException(where + " lacks line");
        return new RetryLine(f.item(), f.lastError, f.params);
    }

    private static Fields readRetryFields(String text, int attemptsIfAbsent, String where) {
        try (JsonParser p = Json.MAPPER.createParser(text)) {
            return p.nextToken() == JsonToken.START_OBJECT ? read(p, RETRY_ORDER, attemptsIfAbsent) : new Fields(0);
        } catch (IOException e) {
            throw new IllegalStateException(where + " is not JSON: " + e.getMessage(), e);
        }
    }

    /** The fields of one line as read; those its kind of line lacks stay null. */
    private static final class Fields {
        String customId;
        String id;
        long line;
        boolean hasLine;
        int attempts;
        boolean repair;
        boolean truncated;
        String label;
        boolean golden;
        JsonNode history;
        Integer chunk;
        Integer chunks;
        String stratum;
        String lastError;
        JsonNode params;

        Fields(int attempts) {
            this.attempts = attempts;
        }

        ItemCarry item() {
            return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
        }
    }

    /** Reads the object the parser is in (after its START_OBJECT), names expected in {@code order}. */
    private static Fields read(JsonParser p, SerializedString[] order, int attemptsIfAbsent) throws IOException {
        Fields f = new Fields(attemptsIfAbsent);
        int at = 0;
        for (String field; (field = Names.next(p, order, at)) != null; ) {
            at = Names.after(order, field, at);
            JsonToken v = p.nextToken();
            switch (field) {
                case "custom_id" -> f.customId = text(p, v);
                case "id" -> f.id = text(p, v);
                case "line" -> {
                    f.hasLine = v != JsonToken.VALUE_NULL;
                    f.line = isLong(p, v) ? p.getLongValue() : Json.value(p).asLong();
                }
                case "attempts" -> f.attempts = v == JsonToken.VALUE_NUMBER_INT
                        && p.getNumberType() == JsonParser.NumberType.INT ? p.getIntValue()
                        : Json.value(p).asInt(attemptsIfAbsent);
                case "repair" -> f.repair = flag(p, v);
                case "truncated" -> f.truncated = flag(p, v);
                case "golden" -> f.golden = flag(p, v);
                case "label" -> {
                    JsonNode n = v == JsonToken.VALUE_STRING ? null : Json.value(p);
                    f.label = n == null ? p.getText() : n.isValueNode() && !n.isNull() ? n.asText() : null;
                }
                case "history" -> {
                    JsonNode n = Json.value(p);
                    f.history = n.isArray() ? n : null;
                }
                case "chunk" -> f.chunk = intOrNull(p, v);
                case "chunks" -> f.chunks = intOrNull(p, v);
                case "stratum" -> {
                    f.stratum = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                }
                case "last_error" -> f.lastError = text(p, v);
                case "params" -> f.params = Json.value(p);
                default -> p.skipChildren();
            }
        }
        p.clearCurrentToken();
        return f;
    }

    /** A string's text; null for JSON null; any other value as its tree's text. */
    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) return p.getText();
        return v == JsonToken.VALUE_NULL ? null : Json.value(p).asText();
    }

    private static boolean isLong(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT) return false;
        JsonParser.NumberType n = p.getNumberType();
        return n == JsonParser.NumberType.INT || n == JsonParser.NumberType.LONG;
    }

    private static boolean flag(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_TRUE) return true;
        if (v == JsonToken.VALUE_FALSE) return false;
        return Json.value(p).asBoolean(false);
    }

    private static Integer intOrNull(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) return p.getIntValue();
        p.skipChildren(); // isInt(): anything else, a long or a float included, is no chunk number
        return null;
    }

    /** The index line as the mapper's generator writes it: the reference the hand-written bytes are held to. */
    static byte[] generatedIndexLine(ShardIndexLine line) {
        ItemCarry item = line.carry();
        return generated(g -> {
            g.writeStartObject();
            g.writeStringField("custom_id", line.customId());
            writeIdLineAttempts(g, item);
            writeFlagsAndLabel(g, item);
            writeHistory(g, item);
            writeChunkAndStratum(g, item);
            g.writeEndObject();
        });
    }

    private static void writeIdLineAttempts(JsonGenerator g, ItemCarry item) throws IOException {
        if (item.id() != null) g.writeStringField("id", item.id());
        g.writeNumberField("line", item.line());
        g.writeNumberField("attempts", item.attempts());
    }

    private static void writeFlagsAndLabel(JsonGenerator g, ItemCarry item) throws IOException {
        if (item.repair()) g.writeBooleanField("repair", true);
        if (item.truncated()) g.writeBooleanField("truncated", true);
        if (item.label() != null) g.writeStringField("label", item.label());
        if (item.golden()) g.writeBooleanField("golden", true);
    }

    private static void writeHistory(JsonGenerator g, ItemCarry item) throws IOException {
        if (item.history() == null) return;
        g.writeFieldName("history");
        g.writeTree(item.history());
    }

    private static void writeChunkAndStratum(JsonGenerator g, ItemCarry item) throws IOException {
        if (item.chunk() != null) g.writeNumberField("chunk", item.chunk());
        if (item.chunks() != null) g.writeNumberField("chunks", item.chunks());
        if (item.stratum() != null) g.writeStringField("stratum", item.stratum());
    }

    @FunctionalInterface
    private interface Writing {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] generated(Writing writing) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            writing.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@link #generatedIndexLine}'s bytes for a line without history, without a generator (for plan's speed). */
    static byte[] handWrittenIndexLine(ShardIndexLine line) {
        ItemCarry item = line.carry();
        String customId = line.customId();
        int room = 320 + JsonEscaper.maxEscapedLength(customId.length() + length(item.id()) + length(item.label())
                + length(item.stratum()));
        byte[] out = new byte[room];
        int p = ascii(out, 0, "{\"custom_id\":");
        p = string(out, p, customId);
        if (item.id() != null) p = string(out, ascii(out, p, ",\"id\":"), item.id());
        p = ascii(out, ascii(out, p, ",\"line\":"), Long.toString(item.line()));
        p = ascii(out, ascii(out, p, ",\"attempts\":"), Integer.toString(item.attempts()));
        if (item.repair()) p = ascii(out, p, ",\"repair\":true");
        if (item.truncated()) p = ascii(out, p, ",\"truncated\":true");
        if (item.label() != null) p = string(out, ascii(out, p, ",\"label\":"), item.label());
        if (item.golden()) p = ascii(out, p, ",\"golden\":true");
        if (item.chunk() != null) p = ascii(out, ascii(out, p, ",\"chunk\":"), item.chunk().toString());
        if (item.chunks() != null) p = ascii(out, ascii(out, p, ",\"chunks\":"), item.chunks().toString());
        if (item.stratum() != null) p = string(out, ascii(out, p, ",\"stratum\":"), item.stratum());
        out[p++] = '}';
        return Arrays.copyOf(out, p);
    }

    private static int length(String text) {
        return text == null ? 0 : text.length();
    }

    private static int ascii(byte[] out, int p, String text) {
        for (int i = 0; i < text.length(); i++) out[p++] = (byte) text.charAt(i);
        return p;
    }

    private static int string(byte[] out, int p, String text) {
        out[p++] = '"';
        p = JsonEscaper.escape(text, out, p);
        out[p++] = '"';
        return p;
    }

    /**
     * Whether {@link #handWrittenIndexLine} gives the generator's bytes, on a line with every field but history and
     * every kind of character, and on one with none of the optional fields.
     */
    private static final boolean HAND_WRITTEN;

    static {
        String text = "a \"q\" \\ / \t\n\u0001\u007f caf\u00e9 \u20ac \ud83d\ude4f \ud800x";
        ShardIndexLine probe = new ShardIndexLine("a1-l2-c0", new ItemCarry(text, 12_345_678_901L, 3, true, true, text,
                true, null, 0, 7, text));
        ShardIndexLine sparse = new ShardIndexLine("a1-l2", ItemCarry.of(null, 2, 1));
        HAND_WRITTEN = Arrays.equals(handWrittenIndexLine(probe), generatedIndexLine(probe))
                && Arrays.equals(handWrittenIndexLine(sparse), generatedIndexLine(sparse));
    }
}
