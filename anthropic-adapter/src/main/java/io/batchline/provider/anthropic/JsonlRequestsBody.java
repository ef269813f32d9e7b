package io.batchline.provider.anthropic;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a JSONL shard (one {@code {"custom_id","params"}} object a line) into the create body
 * {@code {"requests":[line,line,...]}} while it streams, byte for byte: every newline between lines becomes
 * a comma and a final trailing newline becomes a space (JSON whitespace). The body is therefore always
 * exactly {@link #contentLength(long)} bytes whether or not the file ends with a newline, and nothing is
 * buffered beyond one read. A blank line, or a line or byte count other than declared, fails the read so
 * a truncated or mis-described shard never goes out as a shorter valid batch.
 */
final class JsonlRequestsBody extends InputStream {
    static final byte[] HEAD = "{\"requests\":[".getBytes(StandardCharsets.US_ASCII);
    static final byte[] TAIL = "]}".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;
    private final long expectedLines;
    private final long expectedBytes;
    private int headPos;
    private int tailPos = -1;
    private long bytesRead;
    private long lines;
    private boolean lineHasContent;
    private boolean pendingNewline;
    private int lookahead = -2; // -2 = none buffered

    JsonlRequestsBody(InputStream in, long expectedLines, long expectedBytes) {
        this.in = in;
        this.expectedLines = expectedLines;
        this.expectedBytes = expectedBytes;
    }

    /** Body length for a shard of {@code jsonlBytes}: the envelope adds 15 bytes, newlines map 1:1. */
    static long contentLength(long jsonlBytes) {
        return jsonlBytes + HEAD.length + TAIL.length;
    }

    @Override
    public int read() throws IOException {
        if (headPos < HEAD.length) return HEAD[headPos++];
        if (tailPos >= 0) return tailPos < TAIL.length ? TAIL[tailPos++] : -1;
        int b = nextSourceByte();
        if (b == -1) {
            finish();
            if (pendingNewline) {
                pendingNewline = false;
                tailPos = 0;
                return ' ';
            }
            tailPos = 1;
            return TAIL[0];
        }
        if (pendingNewline) {
            // a newline followed by more content separated two requests
            pendingNewline = false;
            lookahead = b;
            return ',';
        }
        if (b == '\n') {
            if (!lineHasContent) throw new IOException("blank line " + (lines + 1) + " in requests JSONL");
            lines++;
            lineHasContent = false;
            pendingNewline = true;
            return read();
        }
        if (b != '\r' && b != ' ' && b != '\t') lineHasContent = true;
        return b;
    }

    private int nextSourceByte() throws IOException {
        if (lookahead != -2) {
            int b = lookahead;
            lookahead = -2;
            return b;
        }
        int b = in.read();
        if (b != -1 && ++bytesRead > expectedBytes) {
            throw new IOException("requests JSONL is longer than the declared " + expectedBytes + " bytes");
        }
        return b;
    }

    private void finish() throws IOException {
        if (lineHasContent) {
            lines++;
            lineHasContent = false;
        }
        if (bytesRead != expectedBytes) {
            throw new IOException("requests JSONL has " + bytesRead + " bytes, declared " + expectedBytes);
        }
        if (lines != expectedLines) {
            throw new IOException("requests JSONL has " + lines + " lines, declared " + expectedLines);
        }
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        // byte at a time over a buffered source is simple and fast enough next to the network
        if (len == 0) return 0;
        int n = 0;
        while (n < len) {
            int b = read();
            if (b == -1) break;
            buf[off + n++] = (byte) b;
            if (n > 0 && tailPos >= TAIL.length) break;
        }
        return n == 0 ? -1 : n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
