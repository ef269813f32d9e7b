package io.batchline.input;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One usable input line (or CSV record).
 *
 * @param line   1-based physical line where it starts
 * @param id     the item id: the id field's value, or "h" + 16 hex digits of SHA-256 of the line when absent
 * @param fields the line's JSON object, or the CSV record as column name -> string
 * @param bytes  its size in bytes, without the line terminator
 */
public record InputItem(long line, String id, ObjectNode fields, int bytes) {}
