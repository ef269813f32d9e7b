package io.batchline.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.job.JobSpec;
import io.batchline.render.RenderException;
import io.batchline.render.TokenEstimator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Long inputs: what becomes of an item whose {@code long_inputs.field} is estimated above {@code max_input_tokens}
 * (the project's estimate, {@link TokenEstimator#tokensForBytes}: UTF-8 bytes / 3.5). {@code truncate} cuts the
 * field to the limit and appends an explicit marker; {@code chunk} splits it into overlapping chunks, each sent
 * as its own request and merged back into one outcome at finalize ({@link io.batchline.outcome.ChunkMerge}).
 * Cuts fall on whitespace when there is some in the last fifth of a piece, so words stay whole.
 */
public final class LongInputs {
    public static final String DEFAULT_MARKER =
            "\n[... truncated: the rest of this text was cut to fit the token limit ...]";
    public static final int DEFAULT_MAX_CHUNKS = 20;
    static final String CHUNK_HEADING = "[part %d of %d of a long text; the parts overlap a little]\n";

    private final JobSpec.LongInputs spec;
    private final boolean chunk;
    private final long limitBytes;
    private final long chunkBytes;
    private final long overlapBytes;
    private final int maxChunks;

    private LongInputs(JobSpec.LongInputs spec) {
        this.spec = spec;
        this.chunk = "chunk".equals(spec.mode());
        this.limitBytes = bytesFor(spec.maxInputTokens());
        int chunkTokens = spec.chunkTokens() == null ? spec.maxInputTokens() : spec.chunkTokens();
        this.chunkBytes = bytesFor(chunkTokens);
        this.overlapBytes = bytesFor(spec.overlapTokens() == null ? chunkTokens / 10 : spec.overlapTokens());
        this.maxChunks = spec.maxChunks() == null ? DEFAULT_MAX_CHUNKS : spec.maxChunks();
    }

    /** null when the job sets no limit, so the per-item path pays nothing. */
    public static LongInputs of(JobSpec job) {
        return job.longInputs() == null ? null : new LongInputs(job.longInputs());
    }

    /** The most bytes that estimate at {@code tokens} or fewer (inverse of ceil(bytes / 3.5)). */
    static long bytesFor(long tokens) {
        return tokens * 7 / 2;
    }

    /**
     * The item's fields as they are sent: one entry when the field fits (the fields themselves) or was
     * truncated, one per chunk otherwise. Throws {@link RenderException} when more than max_chunks are needed.
     */
    public List<Piece> pieces(ObjectNode fields) {
        JsonNode value = fields.get(spec.field());
        if (value == null || !value.isTextual()) return List.of(new Piece(fields, false, null, null));
        String text = value.textValue();
        long bytes = TokenEstimator.utf8Length(text);
        if (bytes <= limitBytes) return List.of(new Piece(fields, false, null, null));
        if (!chunk) {
            int end = cut(text, 0, limitBytes, true);
            return List.of(new Piece(with(fields, text.substring(0, end) + marker()), true, null, null));
        }
        List<int[]> ranges = chunkRanges(text);
        if (ranges.size() > maxChunks) {
            throw new RenderException(String.format(Locale.ROOT, "'%s' is ~%,d tokens: it would need %d chunks of %d"
                            + " tokens, more than long_inputs.max_chunks (%d)", spec.field(),
                    TokenEstimator.tokensForBytes(bytes), ranges.size(), chunkTokens(), maxChunks));
        }
        List<Piece> pieces = new ArrayList<>(ranges.size());
        for (int k = 0; k < ranges.size(); k++) {
            String part = String.format(Locale.ROOT, CHUNK_HEADING, k + 1, ranges.size())
                    + text.substring(ranges.get(k)[0], ranges.get(k)[1]);
            pieces.add(new Piece(with(fields, part), false, k, ranges.size()));
        }
        return pieces;
    }

    private int chunkTokens() {
        return spec.chunkTokens() == null ? spec.maxInputTokens() : spec.chunkTokens();
    }

    private String marker() {
        return spec.marker() == null ? DEFAULT_MARKER : spec.marker();
    }

    /** [start, end) char ranges of overlapping chunks of at most chunkBytes each, covering the whole text. */
    List<int[]> chunkRanges(String text) {
        List<int[]> ranges = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = cut(text, start, chunkBytes, true);
            if (end >= text.length()) {
                ranges.add(new int[] {start, text.length()});
                return ranges;
            }
            ranges.add(new int[] {start, end});
            int next = back(text, end, overlapBytes);
            // the next chunk starts on a word boundary inside the overlap, and always moves forward
            int space = next;
            while (space < end && !Character.isWhitespace(text.charAt(space))) space++;
            if (space < end) next = space + 1;
            start = Math.max(next, start + 1);
            if (ranges.size() > 10_000) throw new IllegalStateException("chunking did not converge");
        }
    }

    /**
     * The char index where a piece starting at {@code from} of at most {@code maxBytes} UTF-8 bytes ends; pulled
     * back to just after whitespace in the piece's last fifth when {@code onWord}. Never splits a surrogate pair.
     */
    static int cut(String text, int from, long maxBytes, boolean onWord) {
        long bytes = 0;
        int i = from;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes) break;
            bytes += n;
            i += Character.charCount(cp);
        }
        if (i == from && from < text.length()) return from + Character.charCount(text.codePointAt(from)); // >= 1 char
        if (i >= text.length() || !onWord) return i;
        int floor = from + (i - from) * 4 / 5;
        for (int j = i; j > floor; j--) {
            if (Character.isWhitespace(text.charAt(j - 1))) return j;
        }
        return i;
    }

    /** The char index {@code bytes} UTF-8 bytes before {@code end}. */
    static int back(String text, int end, long bytes) {
        long taken = 0;
        int i = end;
        while (i > 0) {
            int cp = text.codePointBefore(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (taken + n > bytes) break;
            taken += n;
            i -= Character.charCount(cp);
        }
        return i;
    }

    private ObjectNode with(ObjectNode fields, String value) {
        ObjectNode copy = fields.deepCopy();
        copy.put(spec.field(), value);
        return copy;
    }

    /**
     * What one request of an item is rendered from.
     *
     * @param chunk  0-based chunk number; null when the item is not chunked
     * @param chunks how many chunks the item has; null when it is not chunked
     */
    public record Piece(ObjectNode fields, boolean truncated, Integer chunk, Integer chunks) {}
}
