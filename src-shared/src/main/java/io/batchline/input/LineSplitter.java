package io.batchline.input;

import java.io.IOException;
import java.io.InputStream;

/**
 * Splits a byte stream into physical lines on '\n' (a trailing '\r' is dropped) with a bounded buffer.
 * A line longer than the limit is not buffered: it is skipped to its newline and only its length kept.
 * Optionally follows RFC 4180 quoting so the CSV reader knows whether a line ends inside a quoted field
 * (the tracking runs on skipped bytes too, so an oversize line does not lose the quote state).
 */
final class LineSplitter {
    private static final int CHUNK = 64 * 1024;

    // CSV quote states
    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int IN_QUOTES = 2;
    private static final int QUOTE_SEEN = 3;

    private final InputStream in;
    private final int maxLineBytes;
    private final boolean trackCsvQuotes;
    private final byte[] chunk = new byte[CHUNK];
    private int chunkPos;
    private int chunkLimit;
    private boolean eof;

    private byte[] line = new byte[256];
    private int length;
    private long fullLength;
    private boolean oversize;
    private byte lastByte;
    private long lineNumber;
    private int quoteState = FIELD_START;

    LineSplitter(InputStream in, int maxLineBytes, boolean trackCsvQuotes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.trackCsvQuotes = trackCsvQuotes;
    }

    /** Advances to the next physical line; false at the end of the stream. */
    boolean next() throws IOException {
        length = 0;
        fullLength = 0;
        oversize = false;
        lastByte = 0;
        boolean sawAny = false;
        while (true) {
            if (chunkPos == chunkLimit) {
                if (eof || !fill()) {
                    if (!sawAny) return false;
                    break; // last line without a newline
                }
            }
            sawAny = true;
            int newline = -1;
            int from = chunkPos;
            int scanFrom = trackCsvQuotes ? from : skipToNewline(chunk, from, chunkLimit);
            for (int i = scanFrom; i < chunkLimit; i++) {
                byte b = chunk[i];
                if (trackCsvQuotes) trackQuotes(b);
                if (b == '\n') {
                    newline = i;
                    break;
                }
            }
            int end = newline < 0 ? chunkLimit : newline;
            append(chunk, from, end - from);
            chunkPos = newline < 0 ? chunkLimit : newline + 1;
            if (newline >= 0) break;
        }
        lineNumber++;
        if (!oversize && length > 0 && line[length - 1] == '\r') length--;
        else if (oversize && lastByte == '\r') fullLength--;
        if (!oversize) fullLength = length;
        if (lineNumber == 1 && !oversize && startsWithBom()) {
            System.arraycopy(line, 3, line, 0, length - 3);
            length -= 3;
            fullLength = length;
        }
        if (!oversize && length > maxLineBytes) {
            oversize = true; // only possible when the '\r' we kept room for was not there
        }
        return true;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** Skips 8 bytes at a time to the word holding the next '\n' (for speed); the caller finds it byte by byte. */
    private static int skipToNewline(byte[] b, int i, int end) {
        while (i + 8 <= end) {
            long x = (long) LONGS.get(b, i) ^ 0x0A0A0A0A0A0A0A0AL;
            if (((x - 0x0101010101010101L) & ~x & 0x8080808080808080L) != 0) return i;
            i += 8;
        }
        return i;
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk, 0, CHUNK);
        while (n == 0) n = in.read(chunk, 0, CHUNK);
        if (n < 0) {
            eof = true;
            chunkPos = chunkLimit = 0;
            return false;
        }
        chunkPos = 0;
        chunkLimit = n;
        return true;
    }

    private void append(byte[] src, int off, int len) {
        if (len == 0) return;
        fullLength += len;
        lastByte = src[off + len - 1];
        if (oversize) return;
        // room for max_line_bytes plus a '\r' that will be stripped
        if (fullLength > (long) maxLineBytes + 1) {
            oversize = true;
            length = 0;
            return;
        }
        if (length + len > line.length) {
            int capacity = (int) Math.min(Math.max((long) line.length * 2, (long) length + len), (long) maxLineBytes + 1);
            line = java.util.Arrays.copyOf(line, capacity);
        }
        System.arraycopy(src, off, line, length, len);
        length += len;
    }

    private void trackQuotes(byte b) {
        quoteState = nextQuoteState(quoteState, b);
    }

    private static int nextQuoteState(int state, byte b) {
        return switch (state) {
            case FIELD_START -> b == '"' ? IN_QUOTES : (b == ',' || b == '\n') ? FIELD_START : UNQUOTED;
            case UNQUOTED -> (b == ',' || b == '\n') ? FIELD_START : UNQUOTED;
            case IN_QUOTES -> b == '"' ? QUOTE_SEEN : IN_QUOTES;
            case QUOTE_SEEN -> b == '"' ? IN_QUOTES : (b == ',' || b == '\n') ? FIELD_START : UNQUOTED;
            default -> throw new IllegalStateException();
        };
    }

    private boolean startsWithBom() {
        return length >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF;
    }

    long lineNumber() {
        return lineNumber;
    }

    /** The line's bytes, valid until the next call to {@link #next}; empty when oversize. */
    byte[] bytes() {
        return line;
    }

    int length() {
        return oversize ? 0 : length;
    }

    boolean oversize() {
        return oversize;
    }

    /** The full length in bytes, also of an oversize line that was not buffered. */
    long fullLength() {
        return fullLength;
    }

    /**
     * Sets the quote state the next line starts in: inside a quoted field (the record goes on) or at a record's
     * start. The CSV reader sets it when it re-reads lines it held back after an unclosed quote, which the stream's own
     * tracking cannot know about.
     */
    void startNextLine(boolean insideQuotes) {
        quoteState = insideQuotes ? IN_QUOTES : FIELD_START;
    }

    /** Whether a held-back line ends inside a quoted field when it starts as {@code insideQuotes} says. */
    static boolean endsInsideQuotes(byte[] bytes, int length, boolean insideQuotes) {
        int state = insideQuotes ? IN_QUOTES : FIELD_START;
        for (int i = 0; i < length; i++) state = nextQuoteState(state, bytes[i]);
        return state == IN_QUOTES;
    }

    /** True when this line ended inside a quoted CSV field, i.e. the record goes on (CSV tracking only). */
    boolean endsInsideQuotes() {
        return trackCsvQuotes && quoteState == IN_QUOTES;
    }
}
