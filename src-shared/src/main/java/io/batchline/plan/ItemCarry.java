package io.batchline.plan;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What travels with an input item from attempt to attempt: the planner puts it in the shard index next to the
 * item's custom_id, the collector reads it back from there to judge the result, and an item sent again carries it
 * in its retry line to the next attempt's planner. Written and read only by {@link ItemCarryCodec}. A false flag
 * and a null field are absent from the JSON.
 *
 * @param id        the item's id, from the input
 * @param line      the item's line in its input (or golden) file
 * @param attempts  how many times the item has been sent, this attempt included
 * @param repair    this request is the item's repair round: a second invalid answer rejects it
 * @param truncated the item's input was cut to long_inputs.max_input_tokens
 * @param label     the item's ground-truth label, read from the input, never sent to the model; null = none
 * @param golden    a golden item: reported as golden_quality, never in the outcome files
 * @param history   the item's earlier attempts, an array; null on a first attempt
 * @param chunk     0-based chunk of a chunked item, with {@code chunks} chunks in all; both null otherwise
 * @param stratum   the item's stratum; null for the job's default settings
 */
public record ItemCarry(String id, long line, int attempts, boolean repair, boolean truncated, String label,
                        boolean golden, JsonNode history, Integer chunk, Integer chunks, String stratum) {

    /** An item with nothing carried yet besides who it is and how often it was sent. */
    public static ItemCarry of(String id, long line, int attempts) {
        return new ItemCarry(id, line, attempts, false, false, null, false, null, null, null, null);
    }

    public ItemCarry withAttempts(int attempts) {
        return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
    }

    public ItemCarry withRepair(boolean repair) {
        return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
    }

    public ItemCarry withTruncated(boolean truncated) {
        return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
    }

    public ItemCarry withLabel(String label) {
        return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
    }

    public ItemCarry withGolden(boolean golden) {
        return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
    }

    public ItemCarry withHistory(JsonNode history) {
        return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
    }

    /** Chunk {@code chunk} (0-based) of {@code chunks}; both null for an item sent whole. */
    public ItemCarry withChunk(Integer chunk, Integer chunks) {
        return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
    }

    public ItemCarry withStratum(String stratum) {
        return new ItemCarry(id, line, attempts, repair, truncated, label, golden, history, chunk, chunks, stratum);
    }
}
