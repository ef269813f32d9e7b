package io.batchline.outcome;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The final verdict on one chunk of a chunked item, parked by the collector in the run's chunk parts
 * ({@code RunKeys.chunkPart}) until finalize merges all chunks of the item into its one outcome line.
 *
 * @param chunk   0-based
 * @param chunks  how many chunks the item has
 * @param outcome the chunk's own outcome line (validated and routed like any answer)
 */
@JsonPropertyOrder({"line", "chunk", "chunks", "outcome"})
public record ChunkOutcome(
        @JsonProperty("line") long line,
        @JsonProperty("chunk") int chunk,
        @JsonProperty("chunks") int chunks,
        @JsonProperty("outcome") OutcomeLine outcome) {

    /** Chunk parts are sorted by input line, then chunk, so finalize can merge them as sorted streams. */
    public static final java.util.Comparator<ChunkOutcome> ORDER =
            java.util.Comparator.comparingLong(ChunkOutcome::line).thenComparingInt(ChunkOutcome::chunk);
}
