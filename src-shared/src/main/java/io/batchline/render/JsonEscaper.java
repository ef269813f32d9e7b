package io.batchline.render;

/**
 * Writes JSON string contents (without the quotes) exactly as Jackson's UTF-8 generator does with its default
 * settings (for speed: plan escapes ~600 MB per 200,000 items, and Jackson's escaping was half its writing thread):
 * {@code "} and backslash, the five short escapes, other controls as backslash-u00XX, every surrogate (paired or
 * not) as backslash-uXXXX in upper-case hex, every other character as UTF-8. Callers that rely on the identity
 * check it against their mapper's generator first ({@code RequestLineWriter}); the plan tests pin it.
 */
public final class JsonEscaper {
    private JsonEscaper() {}

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** Room {@link #escape} may need: backslash-uXXXX is 6 bytes per char. */
    public static int maxEscapedLength(int chars) {
        return chars * 6;
    }

    /** Escapes {@code text} into {@code out} from {@code p} (room: {@link #maxEscapedLength}); returns the end. */
    public static int escape(CharSequence text, byte[] out, int p) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                p = ascii(c, out, p);
            } else if (c < 0x800) {
                out[p++] = (byte) (0xC0 | (c >> 6));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (c >= 0xD800 && c <= 0xDFFF) {
                p = unicodeEscape(c, out, p);
            } else {
                out[p++] = (byte) (0xE0 | (c >> 12));
                out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return p;
    }

    /** One ASCII character, escaped if JSON needs it. */
    static int ascii(int c, byte[] out, int p) {
        if (c >= 0x20 && c != '"' && c != '\\') {
            out[p++] = (byte) c;
            return p;
        }
        out[p++] = '\\';
        switch (c) {
            case '"' -> out[p++] = '"';
            case '\\' -> out[p++] = '\\';
            case '\b' -> out[p++] = 'b';
            case '\t' -> out[p++] = 't';
            case '\n' -> out[p++] = 'n';
            case '\f' -> out[p++] = 'f';
            case '\r' -> out[p++] = 'r';
            default -> {
                out[p++] = 'u';
                out[p++] = '0';
                out[p++] = '0';
                out[p++] = HEX[c >> 4];
                out[p++] = HEX[c & 0xF];
            }
        }
        return p;
    }

    static int unicodeEscape(int c, byte[] out, int p) {
        out[p++] = '\\';
        out[p++] = 'u';
        out[p++] = HEX[(c >> 12) & 0xF];
        out[p++] = HEX[(c >> 8) & 0xF];
        out[p++] = HEX[(c >> 4) & 0xF];
        out[p++] = HEX[c & 0xF];
        return p;
    }

    /**
     * Re-escapes the contents of a JSON string as read from a line ({@code src[from, to)}, between its quotes,
     * already checked to be valid JSON and strict UTF-8 with no backslash-u escape of a surrogate: see
     * {@code io.batchline.input.FlatLine}) into the escaping {@link #escape} gives the decoded text. Needs room
     * for 3 bytes per source byte (a 4-byte character becomes two 6-byte escapes). Returns the end in {@code out};
     * adds the decoded text's UTF-8 length to {@code utf8[0]}.
     */
    public static int transcode(byte[] src, int from, int to, byte[] out, int p, long[] utf8) {
        long decoded = 0;
        int i = from;
        while (i < to) {
            int run = skipPlain(src, i, to) - i;
            if (run > 0) { // plain ASCII: valid JSON already, copied as is
                System.arraycopy(src, i, out, p, run);
                p += run;
                decoded += run;
                i += run;
                if (i >= to) break;
            }
            int b = src[i];
            if (b >= 0 && b != '\\') {
                out[p++] = (byte) b;
                decoded++;
                i++;
            } else if (b == '\\') {
                int e = src[i + 1];
                switch (e) {
                    case '"', '\\', 'b', 'f', 'n', 'r', 't' -> {
                        out[p++] = '\\';
                        out[p++] = (byte) e;
                        decoded++;
                        i += 2;
                    }
                    case '/' -> {
                        out[p++] = '/';
                        decoded++;
                        i += 2;
                    }
                    default -> { // 'u' (the scan let nothing else through)
                        int c = (hexDigit(src[i + 2]) << 12) | (hexDigit(src[i + 3]) << 8) | (hexDigit(src[i + 4]) << 4)
                                | hexDigit(src[i + 5]);
                        i += 6;
                        if (c < 0x80) {
                            p = ascii(c, out, p);
                            decoded++;
                        } else if (c < 0x800) {
                            out[p++] = (byte) (0xC0 | (c >> 6));
                            out[p++] = (byte) (0x80 | (c & 0x3F));
                            decoded += 2;
                        } else {
                            out[p++] = (byte) (0xE0 | (c >> 12));
                            out[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                            out[p++] = (byte) (0x80 | (c & 0x3F));
                            decoded += 3;
                        }
                    }
                }
            } else {
                int lead = b & 0xFF;
                if (lead < 0xE0) {
                    out[p++] = (byte) b;
                    out[p++] = src[i + 1];
                    decoded += 2;
                    i += 2;
                } else if (lead < 0xF0) {
                    out[p++] = (byte) b;
                    out[p++] = src[i + 1];
                    out[p++] = src[i + 2];
                    decoded += 3;
                    i += 3;
                } else { // outside the BMP: Java holds it as a surrogate pair, which Jackson escapes
                    int cp = ((lead & 0x07) << 18) | ((src[i + 1] & 0x3F) << 12) | ((src[i + 2] & 0x3F) << 6)
                            | (src[i + 3] & 0x3F);
                    p = unicodeEscape(Character.highSurrogate(cp), out, p);
                    p = unicodeEscape(Character.lowSurrogate(cp), out, p);
                    decoded += 4;
                    i += 4;
                }
            }
        }
        utf8[0] += decoded;
        return p;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The first index from {@code i} (below {@code end}) of a byte that is not plain ASCII text of a JSON string
     * (a control character, {@code "}, backslash or a non-ASCII byte), or a position near {@code end} from which
     * the caller goes on byte by byte. Looks at 8 bytes at a time (this scan is most of a line's reading).
     */
    public static int skipPlain(byte[] b, int i, int end) {
        while (i + 8 <= end) {
            long w = (long) LONGS.get(b, i);
            long quote = w ^ 0x2222222222222222L;
            long backslash = w ^ 0x5C5C5C5C5C5C5C5CL;
            // a byte < 0x20, a zero byte of quote or backslash (i.e. '"' or '\\'), or a high bit: stop in this word
            long special = (((w - 0x2020202020202020L) & ~w) | ((quote - ONES) & ~quote)
                    | ((backslash - ONES) & ~backslash) | w) & HIGHS;
            if (special != 0) return i + (Long.numberOfTrailingZeros(special) >>> 3);
            i += 8;
        }
        return i;
    }

    /** The value of a hex digit, or -1. */
    public static int hexDigit(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }
}
