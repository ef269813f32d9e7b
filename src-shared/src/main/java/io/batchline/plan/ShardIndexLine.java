package io.batchline.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One line of a shard's index ({@code RunKeys.shardIndex}): joins a result's custom_id back to its item.
 * The optional fields travel with the item to the collector, so it needs nothing but the index to judge it.
 *
 * @param attempts  how many times the item has been sent, this attempt included
 * @param repair    true when this request is the item's repair round: a second invalid answer rejects it
 * @param truncated true when the item's input was cut to long_inputs.max_input_tokens
 * @param label     the item's ground-truth label, read from the input, never sent to the model
 * @param golden    true for a golden item: reported as golden_quality, never in the outcome files
 * @param chunk     0-based chunk of a chunked item, with {@code chunks} chunks in all; absent otherwise
 * @param stratum   the item's stratum; absent for the job's default settings
 * @param history   the item's earlier attempts, carried from the retry part; absent on a first attempt
 */
@JsonPropertyOrder({"custom_id", "id", "line", "attempts", "repair", "truncated", "label", "golden", "history", "chunk", "chunks",
        "stratum"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ShardIndexLine(
        @JsonProperty("custom_id") String customId,
        @JsonProperty("id") String id,
        @JsonProperty("line") long line,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("repair") Boolean repair,
        @JsonProperty("truncated") Boolean truncated,
        @JsonProperty("label") String label,
        @JsonProperty("golden") Boolean golden,
        @JsonProperty("history") com.fasterxml.jackson.databind.JsonNode history,
        @JsonProperty("chunk") Integer chunk,
        @JsonProperty("chunks") Integer chunks,
        @JsonProperty("stratum") String stratum) {

    public ShardIndexLine(String customId, String id, long line, int attempts, Boolean repair, Boolean truncated,
                          String label, Boolean golden, com.fasterxml.jackson.databind.JsonNode history) {
        this(customId, id, line, attempts, repair, truncated, label, golden, history, null, null, null);
    }

    /**
     * This line as JSON: the bytes {@code Json.bytes(this)} gives (non-null fields, in the order above), written
     * by hand for lines without a history (for speed: databind was a tenth of plan's CPU). The hand-written form is
     * used only while it matches the mapper on a probe line with every field (see {@link #HAND_WRITTEN}).
     */
    public byte[] json() {
        if (history != null || !HAND_WRITTEN) return io.batchline.json.Json.bytes(this);
        return handWritten();
    }

    private byte[] handWritten() {
        int room = 320 + io.batchline.render.JsonEscaper.maxEscapedLength(customId.length()
                + (id == null ? 0 : id.length()) + (label == null ? 0 : label.length())
                + (stratum == null ? 0 : stratum.length()));
        byte[] out = new byte[room];
        int p = ascii(out, 0, "{\"custom_id\":");
        p = string(out, p, customId);
        if (id != null) p = string(out, ascii(out, p, ",\"id\":"), id);
        p = ascii(out, ascii(out, p, ",\"line\":"), Long.toString(line));
        p = ascii(out, ascii(out, p, ",\"attempts\":"), Integer.toString(attempts));
        if (repair != null) p = ascii(out, ascii(out, p, ",\"repair\":"), repair.toString());
        if (truncated != null) p = ascii(out, ascii(out, p, ",\"truncated\":"), truncated.toString());
        if (label != null) p = string(out, ascii(out, p, ",\"label\":"), label);
        if (golden != null) p = ascii(out, ascii(out, p, ",\"golden\":"), golden.toString());
        if (chunk != null) p = ascii(out, ascii(out, p, ",\"chunk\":"), chunk.toString());
        if (chunks != null) p = ascii(out, ascii(out, p, ",\"chunks\":"), chunks.toString());
        if (stratum != null) p = string(out, ascii(out, p, ",\"stratum\":"), stratum);
        out[p++] = '}';
        return java.util.Arrays.copyOf(out, p);
    }

    private static int ascii(byte[] out, int p, String text) {
        for (int i = 0; i < text.length(); i++) out[p++] = (byte) text.charAt(i);
        return p;
    }

    private static int string(byte[] out, int p, String text) {
        out[p++] = '"';
        p = io.batchline.render.JsonEscaper.escape(text, out, p);
        out[p++] = '"';
        return p;
    }

    /** Whether {@link #handWritten} gives the mapper's bytes, on a line with every field and every kind of character. */
    private static final boolean HAND_WRITTEN;

    static {
        String text = "a \"q\" \\ / \t\n\u0001\u007f caf\u00e9 \u20ac \ud83d\ude4f \ud800x";
        ShardIndexLine probe = new ShardIndexLine("a1-l2-c0", text, 12_345_678_901L, 3, Boolean.TRUE, Boolean.FALSE, text,
                Boolean.TRUE, null, 0, 7, text);
        ShardIndexLine sparse = new ShardIndexLine("a1-l2", null, 2, 1);
        HAND_WRITTEN = java.util.Arrays.equals(probe.handWritten(), io.batchline.json.Json.bytes(probe))
                && java.util.Arrays.equals(sparse.handWritten(), io.batchline.json.Json.bytes(sparse));
    }

    public ShardIndexLine(String customId, String id, long line, int attempts) {
        this(customId, id, line, attempts, null, null, null, null, null);
    }

    public ShardIndexLine(String customId, String id, long line, int attempts, Boolean repair, Boolean truncated,
                          String label, Boolean golden) {
        this(customId, id, line, attempts, repair, truncated, label, golden, null);
    }
}
