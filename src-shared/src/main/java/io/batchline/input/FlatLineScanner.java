package io.batchline.input;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decides in one pass over a line's bytes whether it can be a {@link FlatLine} (plan's fast path) and finds the fields
 * named in {@link FlatLine.Fields}. It accepts only a subset of what the tree path accepts, so a line it accepts
 * reads the same both ways; anything else (a container value, a key with an escape, a duplicate key, a number
 * where a string is read, invalid UTF-8 or JSON, a very long number) is left to the tree path. Not thread-safe.
 */
final class FlatLineScanner {
    private static final byte ABSENT = 0;
    private static final byte STRING = 1;
    private static final byte NULL = 2;
    private static final byte OTHER = 3;
    /** Far inside Jackson's own limits (StreamReadConstraints), which the tree path then reports. */
    private static final int MAX_NUMBER_CHARS = 100;
    private static final int MAX_KEYS = 256;
    private static final int MAX_LINE = 1_000_000;

    /** [0] the id field, [1] the label field (or null), then the text fields, as UTF-8 */
    private final byte[][] names;
    private final int textFields;
    private final byte[] kinds;
    private final int[] starts;
    private final int[] ends;
    private final boolean[] escaped;
    /** whether a string value is copied as it is: no backslash, nothing outside the BMP */
    private final boolean[] verbatim;
    private int[] keyStarts = new int[16];
    private int[] keyEnds = new int[16];

    private byte[] b;
    private int len;
    private int pos;
    /** set by {@link #string}: whether the string held a backslash, or a character outside the BMP */
    private boolean stringEscaped;
    private boolean stringSupplementary;

    FlatLineScanner(FlatLine.Fields fields) {
        textFields = fields.textFields().size();
        names = new byte[2 + textFields][];
        names[0] = utf8(fields.idField());
        names[1] = fields.labelField() == null ? null : utf8(fields.labelField());
        for (int i = 0; i < textFields; i++) names[2 + i] = utf8(fields.textFields().get(i));
        kinds = new byte[names.length];
        starts = new int[names.length];
        ends = new int[names.length];
        escaped = new boolean[names.length];
        verbatim = new boolean[names.length];
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * True when the line is a flat object whose id is a string without escapes, null or absent, whose label
     * likewise, and whose text fields are all strings.
     */
    boolean scan(byte[] bytes, int length) {
        if (length > MAX_LINE) return false;
        b = bytes;
        len = length;
        Arrays.fill(kinds, ABSENT);
        pos = 0;
        skipWs();
        if (pos >= len || b[pos] != '{') return false;
        pos++;
        skipWs();
        int keys = 0;
        if (pos < len && b[pos] == '}') {
            pos++;
        } else {
            while (true) {
                if (pos >= len || b[pos] != '"') return false;
                int keyStart = pos + 1;
                if (!string() || stringEscaped) return false;
                int keyEnd = pos - 1;
                if (isDuplicate(keyStart, keyEnd, keys)) return false;
                if (keys == MAX_KEYS) return false;
                if (keys == keyStarts.length) {
                    keyStarts = Arrays.copyOf(keyStarts, keys * 2);
                    keyEnds = Arrays.copyOf(keyEnds, keys * 2);
                }
                keyStarts[keys] = keyStart;
                keyEnds[keys] = keyEnd;
                keys++;
                skipWs();
                if (pos >= len || b[pos] != ':') return false;
                pos++;
                skipWs();
                if (pos >= len) return false;
                byte kind;
                int valueStart = pos + 1;
                int valueEnd = 0;
                boolean valueEscaped = false;
                boolean valueVerbatim = false;
                switch (b[pos]) {
                    case '"' -> {
                        if (!string()) return false;
                        kind = STRING;
                        valueEnd = pos - 1;
                        valueEscaped = stringEscaped;
                        valueVerbatim = !stringEscaped && !stringSupplementary;
                    }
                    case 't' -> {
                        if (!literal("true")) return false;
                        kind = OTHER;
                    }
                    case 'f' -> {
                        if (!literal("false")) return false;
                        kind = OTHER;
                    }
                    case 'n' -> {
                        if (!literal("null")) return false;
                        kind = NULL;
                    }
                    default -> {
                        if (!number()) return false;
                        kind = OTHER;
                    }
                }
                for (int f = 0; f < names.length; f++) {
                    byte[] name = names[f];
                    if (name != null && name.length == keyEnd - keyStart
                            && Arrays.equals(b, keyStart, keyEnd, name, 0, name.length)) {
                        kinds[f] = kind;
                        starts[f] = valueStart;
                        ends[f] = valueEnd;
                        escaped[f] = valueEscaped;
                        verbatim[f] = valueVerbatim;
                    }
                }
                skipWs();
                if (pos >= len) return false;
                if (b[pos] == ',') {
                    pos++;
                    skipWs();
                    continue;
                }
                if (b[pos] != '}') return false;
                pos++;
                break;
            }
        }
        skipWs();
        if (pos != len) return false;
        // the fields as the fast path can use them; anything else is the tree path's to judge
        if (!usableAsIs(0) || !usableAsIs(1)) return false;
        for (int f = 2; f < names.length; f++) if (kinds[f] != STRING) return false;
        return true;
    }

    private boolean usableAsIs(int f) {
        return kinds[f] == ABSENT || kinds[f] == NULL || (kinds[f] == STRING && !escaped[f]);
    }

    /** The id field's string (null when it is null or absent); after a successful {@link #scan}. */
    String id() {
        return kinds[0] == STRING ? text(0) : null;
    }

    /** The line as a {@link FlatLine}, with a copy of its bytes; after a successful {@link #scan}. */
    FlatLine flatLine() {
        byte[] copy = Arrays.copyOf(b, len);
        int[] s = new int[textFields];
        int[] e = new int[textFields];
        boolean[] v = new boolean[textFields];
        for (int i = 0; i < textFields; i++) {
            s[i] = starts[2 + i];
            e[i] = ends[2 + i];
            v[i] = verbatim[2 + i];
        }
        String label = names[1] != null && kinds[1] == STRING ? text(1) : null;
        return new FlatLine(copy, len, s, e, v, label);
    }

    /** A string value without escapes: its UTF-8 bytes as they are (checked strict UTF-8 by the scan). */
    private String text(int f) {
        int from = starts[f];
        int to = ends[f];
        for (int i = from; i < to; i++) {
            if (b[i] < 0) return new String(b, from, to - from, StandardCharsets.UTF_8);
        }
        return new String(b, from, to - from, StandardCharsets.ISO_8859_1); // ASCII: the cheapest decode
    }

    private boolean isDuplicate(int start, int end, int keys) {
        int n = end - start;
        for (int k = 0; k < keys; k++) {
            if (keyEnds[k] - keyStarts[k] == n && Arrays.equals(b, start, end, b, keyStarts[k], keyEnds[k])) return true;
        }
        return false;
    }

    private void skipWs() {
        while (pos < len) {
            byte c = b[pos];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return;
            pos++;
        }
    }

    private boolean literal(String word) {
        int n = word.length();
        if (pos + n > len) return false;
        for (int i = 0; i < n; i++) if (b[pos + i] != word.charAt(i)) return false;
        pos += n;
        return true;
    }

    /** Strict JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? with at most 4 exponent digits. */
    private boolean number() {
        int start = pos;
        if (pos < len && b[pos] == '-') pos++;
        if (pos >= len) return false;
        if (b[pos] == '0') {
            pos++;
        } else if (b[pos] >= '1' && b[pos] <= '9') {
            while (pos < len && b[pos] >= '0' && b[pos] <= '9') pos++;
        } else {
            return false;
        }
        if (pos < len && b[pos] == '.') {
            pos++;
            int digits = pos;
            while (pos < len && b[pos] >= '0' && b[pos] <= '9') pos++;
            if (pos == digits) return false;
        }
        if (pos < len && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            if (pos < len && (b[pos] == '+' || b[pos] == '-')) pos++;
            int digits = pos;
            while (pos < len && b[pos] >= '0' && b[pos] <= '9') pos++;
            if (pos == digits || pos - digits > 4) return false;
        }
        return pos - start <= MAX_NUMBER_CHARS;
    }

    /**
     * A string from its opening quote at {@link #pos}; leaves pos after the closing quote. False for anything
     * the tree path would refuse or that the fast path leaves to it: a raw control character, an unknown escape,
     * a backslash-u escape of a surrogate, bytes that are not strict UTF-8 (as Java's decoder checks it).
     */
    private boolean string() {
        stringEscaped = false;
        stringSupplementary = false;
        pos++;
        while (pos < len) {
            pos = io.batchline.render.JsonEscaper.skipPlain(b, pos, len); // ASCII that needs no escape, 8 at a time
            if (pos >= len) return false;
            int c = b[pos];
            if (c >= 0x20 && c != '"' && c != '\\') {
                pos++;
                continue;
            }
            if (c == '"') {
                pos++;
                return true;
            }
            if (c == '\\') {
                stringEscaped = true;
                if (pos + 1 >= len) return false;
                switch (b[pos + 1]) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> pos += 2;
                    case 'u' -> {
                        if (pos + 5 >= len) return false;
                        int h0 = io.batchline.render.JsonEscaper.hexDigit(b[pos + 2]);
                        int h1 = io.batchline.render.JsonEscaper.hexDigit(b[pos + 3]);
                        int h2 = io.batchline.render.JsonEscaper.hexDigit(b[pos + 4]);
                        int h3 = io.batchline.render.JsonEscaper.hexDigit(b[pos + 5]);
                        if ((h0 | h1 | h2 | h3) < 0) return false;
                        int u = (h0 << 12) | (h1 << 8) | (h2 << 4) | h3;
                        if (u >= 0xD800 && u <= 0xDFFF) return false;
                        pos += 6;
                    }
                    default -> {
                        return false;
                    }
                }
                continue;
            }
            if (c >= 0) return false; // a raw control character
            int n = utf8Sequence(pos);
            if (n == 0) return false;
            if (n == 4) stringSupplementary = true;
            pos += n;
        }
        return false; // unterminated
    }

    /** The length of the valid UTF-8 sequence at i (non-ASCII lead), or 0 when Java's strict decoder refuses it. */
    private int utf8Sequence(int i) {
        int lead = b[i] & 0xFF;
        if (lead < 0xC2) return 0; // a continuation byte, or an overlong C0/C1
        if (lead < 0xE0) return i + 1 < len && cont(b[i + 1]) ? 2 : 0;
        if (lead < 0xF0) {
            if (i + 2 >= len) return 0;
            int b1 = b[i + 1] & 0xFF;
            if (lead == 0xE0 && b1 < 0xA0) return 0; // overlong
            if (lead == 0xED && b1 > 0x9F) return 0; // a surrogate
            return cont(b[i + 1]) && cont(b[i + 2]) ? 3 : 0;
        }
        if (lead > 0xF4 || i + 3 >= len) return 0;
        int b1 = b[i + 1] & 0xFF;
        if (lead == 0xF0 && b1 < 0x90) return 0; // overlong
        if (lead == 0xF4 && b1 > 0x8F) return 0; // above U+10FFFF
        return cont(b[i + 1]) && cont(b[i + 2]) && cont(b[i + 3]) ? 4 : 0;
    }

    private static boolean cont(byte x) {
        return (x & 0xC0) == 0x80;
    }
}
