package io.batchline.input;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A JSONL line that is a flat JSON object, kept as its bytes with where the fields a visitor reads are (plan's
 * fast path, no Jackson tree per line). The reader makes one only when the line is valid as the tree
 * path would take it (strict UTF-8, strict JSON, no duplicate key, an object of string, number, boolean and null
 * values) and every field the visitor names has a value it can use as is: the id a string without escapes, null
 * or absent; the label likewise; every text field a string. Any other line goes the tree path, so its errors,
 * reasons and values stay exactly as they were.
 */
public final class FlatLine {

    /**
     * What a visitor reads of each line.
     *
     * @param idField    the id field
     * @param labelField the ground-truth field (a string, null or absent), or null for none
     * @param textFields the top-level fields whose string values it inserts (a template's placeholders)
     */
    public record Fields(String idField, String labelField, List<String> textFields) {
        public Fields {
            textFields = List.copyOf(textFields);
        }
    }

    private final byte[] bytes;
    private final int length;
    private final int[] starts;
    private final int[] ends;
    private final boolean[] verbatim;
    private final String label;

    FlatLine(byte[] bytes, int length, int[] starts, int[] ends, boolean[] verbatim, String label) {
        this.bytes = bytes;
        this.length = length;
        this.starts = starts;
        this.ends = ends;
        this.verbatim = verbatim;
        this.label = label;
    }

    /**
     * Whether text field {@code i}'s contents are already escaped as the request carries them (no backslash,
     * nothing outside the BMP): re-escaping copies them as they are, at the same length.
     */
    public boolean verbatim(int textField) {
        return verbatim[textField];
    }

    /** The line (a private copy): text field {@code i}'s JSON string contents are {@code [start(i), end(i))}. */
    public byte[] bytes() {
        return bytes;
    }

    public int start(int textField) {
        return starts[textField];
    }

    public int end(int textField) {
        return ends[textField];
    }

    /** The label field's string value; null when the line has none (null or absent) or no label field was named. */
    public String label() {
        return label;
    }

    /** The line as the tree path reads it, for a consumer that needs the whole object. */
    ObjectNode tree() {
        return InputReader.parseObject(bytes, length);
    }
}
