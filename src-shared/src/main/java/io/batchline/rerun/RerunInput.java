package io.batchline.rerun;

import io.batchline.input.InputError;
import io.batchline.input.InputItem;
import io.batchline.input.InputReader;
import io.batchline.input.InputVisitor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.BitSet;
import java.util.zip.GZIPInputStream;

/**
 * The input of a rerun: the first run's input with every physical line of an unselected record replaced by a blank
 * line. Blank lines are counted but make no item, so each selected record keeps its 1-based line number, and its
 * bytes (hence its id, hashed or not) are the original's. Streamed byte by byte through a fixed buffer: no line is
 * held, however long.
 *
 * <p>JSONL: a record is one physical line. CSV: a record starts on the line the reader numbers it by and runs to the
 * line before the next record's start (its quoted newlines, and blank lines after it, which stay blank); the lines
 * before the first record (the header) are always kept, so a selected record is read against the same header. The
 * record starts are taken from {@link InputReader} itself in a first pass ({@link #csvRecordStarts}), so a record
 * spanning lines, and the unclosed-quote rule, are cut exactly where the pipeline cuts them.
 *
 * <p>A gzipped input ({@code .gz}) is read through gzip; the caller decides how the copy is written (a rerun
 * writes it gzipped again, under the same extension).
 */
public final class RerunInput {
    private RerunInput() {}

    /** What was written: physical lines (as many as the original's) and records kept. */
    public record Written(long lines, long kept) {}

    /**
     * The lines where a CSV input's records start (the header excluded), as the pipeline's reader numbers them,
     * and the first of them; JSONL needs none. Reads (and closes) {@code original}.
     */
    public static BitSet csvRecordStarts(InputStream original, String inputName, String idField, int maxLineBytes)
            throws IOException {
        BitSet starts = new BitSet();
        new InputReader(inputName, idField, maxLineBytes).read(original, new InputVisitor() {
            @Override
            public void item(InputItem item) {
                starts.set(Math.toIntExact(item.line()));
            }

            @Override
            public void error(InputError error) {
                starts.set(Math.toIntExact(error.line()));
            }
        });
        return starts;
    }

    /**
     * Copies {@code original} (its name says the format; closed afterwards) to {@code out}, keeping the records
     * that start on a {@code selected} line and blanking the others. {@code recordStarts}: for CSV, from
     * {@link #csvRecordStarts}; null for JSONL.
     */
    public static Written write(InputStream original, String inputName, BitSet selected, BitSet recordStarts,
                                OutputStream out) throws IOException {
        boolean csv = InputReader.formatOf(inputName) == InputReader.Format.CSV;
        if (csv && recordStarts == null) throw new IllegalArgumentException("a CSV input needs its record starts");
        int firstRecord = csv ? Math.max(recordStarts.nextSetBit(0), 0) : 0;
        try (InputStream in = InputReader.isGzip(inputName) ? new GZIPInputStream(original, 64 * 1024) : original) {
            byte[] buf = new byte[64 * 1024];
            long line = 1;
            long kept = 0;
            boolean atLineStart = true;
            boolean keep = false;
            for (int n; (n = in.read(buf)) >= 0; ) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (atLineStart) {
                        atLineStart = false;
                        boolean starts = !csv || recordStarts.get(Math.toIntExact(line));
                        if (csv && (firstRecord == 0 || line < firstRecord)) keep = true; // the header, leading blanks
                        else if (starts) {
                            keep = selected.get(Math.toIntExact(line));
                            if (keep) kept++;
                        } // else: a record's continuation line (or a blank after it) goes with the record
                        from = i;
                    }
                    if (buf[i] == '\n') {
                        if (keep) out.write(buf, from, i + 1 - from);
                        else out.write('\n');
                        line++;
                        atLineStart = true;
                    }
                }
                if (!atLineStart && keep) out.write(buf, from, n - from); // the line goes on in the next buffer
            }
            long lines = atLineStart ? line - 1 : line;
            return new Written(lines, kept);
        }
    }
}
