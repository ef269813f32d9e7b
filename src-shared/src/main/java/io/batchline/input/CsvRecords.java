package io.batchline.input;

import java.nio.CharBuffer;
import java.util.List;

/** Splits one complete CSV record (RFC 4180; its physical lines joined by '\n') into fields. */
final class CsvRecords {
    private CsvRecords() {}

    /** Adds the record's fields to {@code out}; returns null, or what is wrong with the record. */
    static String split(CharBuffer record, List<String> out) {
        int n = record.limit();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (true) {
            field.setLength(0);
            if (i < n && record.get(i) == '"') {
                int open = i;
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = record.get(i);
                    if (c == '"') {
                        if (i + 1 < n && record.get(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        closed = true;
                        i++;
                        break;
                    }
                    field.append(c);
                    i++;
                }
                if (!closed) return "unclosed quote starting at " + position(record, open);
                if (i < n && record.get(i) != ',') {
                    return "unexpected '" + record.get(i) + "' after the closing quote at " + position(record, i)
                            + " (a quote inside a quoted field is written as \"\")";
                }
            } else {
                // unquoted: a stray quote in the middle is kept as text (lenient, as most CSV writers expect)
                while (i < n && record.get(i) != ',') field.append(record.get(i++));
            }
            out.add(field.toString());
            if (i >= n) return null;
            i++; // the comma
            if (i == n) {
                out.add(""); // a trailing comma ends with an empty field
                return null;
            }
        }
    }

    /** "column 7", or "column 3 of the record's line 2" for a record that spans lines. */
    private static String position(CharBuffer record, int index) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < index; i++) {
            if (record.get(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = index - lineStart + 1;
        return line == 1 ? "column " + column : "column " + column + " of the record's line " + line;
    }
}
