package io.batchline.input;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One usable input line (or CSV record).
 *
 * @param line   1-based physical line where it starts
 * @param id     the item id: the id field's value, or "h" + 16 hex digits of SHA-256 of the line when absent
 * @param fields the line's JSON object, or the CSV record as column name -> string; for a flat line read on the
 *               fast path it is parsed from the line when asked for
 * @param bytes  its size in bytes, without the line terminator
 * @param flat   the line as bytes with its fields located, when the visitor asked for flat lines
 *               ({@link InputVisitor#flatFields}) and this line is one; null otherwise
 */
public record InputItem(long line, String id, ObjectNode fields, int bytes, FlatLine flat) {

    public InputItem(long line, String id, ObjectNode fields, int bytes) {
        this(line, id, fields, bytes, null);
    }

    @Override
    public ObjectNode fields() {
        return fields != null || flat == null ? fields : flat.tree();
    }
}
