package io.batchline.json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** JSON Lines in and out, one value per line, streamed. */
public final class JsonLines {
    private JsonLines() {}

    public static void write(OutputStream out, Object value) {
        try {
            out.write(Json.bytes(value));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line's bytes (no newline), valid only during the call. */
    @FunctionalInterface
    public interface LineBytes {
        void accept(byte[] bytes, int offset, int length);
    }

    /**
     * Calls {@code each} with the raw bytes of every non-empty line, without decoding them: for scans that
     * look at a few bytes of each line and parse only some (collect, for speed, reads whole request files to
     * find the few it retries). The stream is closed afterwards.
     */
    public static void forEachLineBytes(InputStream in, LineBytes each) {
        try (in) {
            byte[] chunk = new byte[64 * 1024];
            byte[] line = new byte[8 * 1024];
            int length = 0;
            for (int n; (n = in.read(chunk)) >= 0; ) {
                int start = 0;
                for (int i; (i = indexOfNewline(chunk, start, n)) >= 0; ) {
                    if (length == 0) {
                        if (i > start) each.accept(chunk, start, i - start); // the whole line is in this chunk
                    } else {
                        line = append(line, length, chunk, start, i - start);
                        length += i - start;
                        each.accept(line, 0, length);
                        length = 0;
                    }
                    start = i + 1;
                }
                line = append(line, length, chunk, start, n - start);
                length += n - start;
            }
            if (length > 0) each.accept(line, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The first '\n' in [from, to), or -1; eight bytes per step (the classic zero-byte test on x ^ 0x0A..). */
    static int indexOfNewline(byte[] bytes, int from, int to) {
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long x = (long) LONGS.get(bytes, i) ^ 0x0A0A0A0A0A0A0A0AL;
            long zero = (x - 0x0101010101010101L) & ~x & 0x8080808080808080L;
            if (zero != 0) return i + (Long.numberOfTrailingZeros(zero) >>> 3); // the lowest flag is exact
        }
        for (; i < to; i++) if (bytes[i] == '\n') return i;
        return -1;
    }

    private static byte[] append(byte[] line, int length, byte[] src, int from, int count) {
        if (length + count > line.length) line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, length + count));
        System.arraycopy(src, from, line, length, count);
        return line;
    }

    /** Calls {@code each} for every non-blank line; the stream is closed afterwards. */
    public static void forEachLine(InputStream in, Consumer<String> each) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) each.accept(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
