package io.batchline.pipeline;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A shard's index as collect and preflight read it: the planner writes one {@link io.batchline.plan.ShardIndexLine}
 * per request, keyed here by its custom_id.
 */
final class ShardIndex {

    private ShardIndex() {
    }

    /** One index line: which input item a custom_id stands for, and what it carries (see ShardIndexLine). */
    record Item(String customId, String id, long line, int attempts, boolean repair, boolean truncated,
                String label, boolean golden, JsonNode history, Integer chunk, Integer chunks, String stratum) {}

    /**
     * The index by custom_id. Bounded by the shard size, not the input size. Streamed field by field (for speed: a
     * tree per line was a tenth of collect's time); each field is read as the tree reading did ({@code asInt(1)},
     * {@code isInt()}, ...), through a tree whenever its value is not of the kind the planner writes (ShardIndexLine).
     */
    static Map<String, Item> read(ObjectStore store, String indexKey) {
        Map<String, Item> index = new HashMap<>();
        try (JsonParser p = Json.MAPPER.createParser(store.open(indexKey))) {
            for (JsonToken t; (t = p.nextToken()) != null; ) {
                if (t != JsonToken.START_OBJECT) {
                    throw new IllegalStateException("index " + indexKey + " line " + p.currentLocation().getLineNr()
                            + " is not a JSON object");
                }
                Item item = indexLine(p, indexKey);
                index.put(item.customId(), item);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading index " + indexKey + ": " + e.getMessage(), e);
        }
        return index;
    }

    /** ShardIndexLine's field order, tried first for each name. */
    private static final com.fasterxml.jackson.core.io.SerializedString[] INDEX_ORDER = io.batchline.json.Names.of(
            "custom_id", "id", "line", "attempts", "repair", "truncated", "label", "golden", "history", "chunk", "chunks",
            "stratum");

    private static Item indexLine(JsonParser p, String indexKey) throws IOException {
        String customId = null, id = null, label = null, stratum = null;
        long line = 0;
        boolean hasLine = false, repair = false, truncated = false, golden = false;
        int attempts = 1;
        JsonNode history = null;
        Integer chunk = null, chunks = null;
        int at = 0;
        for (String field; (field = io.batchline.json.Names.next(p, INDEX_ORDER, at)) != null; ) {
            at = io.batchline.json.Names.after(INDEX_ORDER, field, at);
            JsonToken v = p.nextToken();
            switch (field) {
                case "custom_id" -> customId = v == JsonToken.VALUE_STRING ? p.getText() : Json.value(p).asText();
                case "id" -> id = v == JsonToken.VALUE_STRING ? p.getText() : Json.value(p).asText();
                case "line" -> {
                    line = isLong(p, v) ? p.getLongValue() : Json.value(p).asLong();
                    hasLine = true;
                }
                case "attempts" -> attempts = v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT
                        ? p.getIntValue() : Json.value(p).asInt(1);
                case "repair" -> repair = flag(p, v);
                case "truncated" -> truncated = flag(p, v);
                case "golden" -> golden = flag(p, v);
                case "label" -> {
                    JsonNode n = v == JsonToken.VALUE_STRING ? null : Json.value(p);
                    label = n == null ? p.getText() : n.isValueNode() && !n.isNull() ? n.asText() : null;
                }
                case "history" -> {
                    JsonNode n = Json.value(p);
                    history = n.isArray() ? n : null;
                }
                case "chunk" -> chunk = intOrNull(p, v);
                case "chunks" -> chunks = intOrNull(p, v);
                case "stratum" -> {
                    stratum = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                }
                default -> p.skipChildren();
            }
        }
        p.clearCurrentToken();
        if (customId == null || id == null || !hasLine) {
            throw new IllegalStateException("index " + indexKey + " line " + p.currentLocation().getLineNr()
                    + " lacks custom_id, id or line");
        }
        return new Item(customId, id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
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
}
