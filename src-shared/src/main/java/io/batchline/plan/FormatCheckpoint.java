package io.batchline.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.batchline.json.Json;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How far "Plan and format" got through a run's input, a small S3 object written when a shard closes and at
 * least {@code every} lines have passed since the last one. Everything before {@code (line, chunk)} is done: its
 * requests are in the closed {@code shards}, its failed and cached lines in the recorded segments of each part
 * ({@link SegmentedPart}); nothing at or after it was written anywhere that a resumed pass reads. Shards close where
 * they fill, which depends only on the input and the job, so a resumed pass writes the same shards, byte for byte,
 * as a pass that was never killed.
 *
 * <p>A resumed pass reads the input again from its first byte (a gzip stream cannot seek, and the duplicate-id
 * table must see every earlier id), but only parses the lines before the checkpoint: it renders, sends and writes
 * nothing for them.
 *
 * @param line           the first input line not done
 * @param chunk          of that line's requests, the first not done (0 but for a long item split into chunks)
 * @param segments       per part name, the segments that hold its lines before the checkpoint
 * @param resumedFrom    the line a resumed pass started from (absent on a pass that started at line 1)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FormatCheckpoint(
        @JsonProperty("every") int every,
        @JsonProperty("line") long line,
        @JsonProperty("chunk") int chunk,
        @JsonProperty("shards") List<Plan.ShardPlan> shards,
        @JsonProperty("valid") long valid,
        @JsonProperty("invalid") long invalid,
        @JsonProperty("estimated_input_tokens") long totalTokens,
        @JsonProperty("max_output_tokens") long maxOutputTokens,
        @JsonProperty("canary_left") int canaryLeft,
        @JsonProperty("canary_shards") int canaryShards,
        @JsonProperty("first_invalid") List<Plan.Invalid> firstInvalid,
        @JsonProperty("cache_hits") long cacheHits,
        @JsonProperty("segments") Map<String, List<Integer>> segments,
        @JsonProperty("resumed_from") Long resumedFrom,
        /** the largest request's estimated input tokens so far (null in a checkpoint written before it was kept) */
        @JsonProperty("largest_request_tokens") Long largestRequestTokens) {

    /** Lines between checkpoints; {@code BATCHLINE_FORMAT_CHECKPOINT_EVERY} overrides it (0 = none). */
    public static final int DEFAULT_EVERY = 10_000;

    public FormatCheckpoint resumed(long from) {
        return new FormatCheckpoint(every, line, chunk, shards, valid, invalid, totalTokens, maxOutputTokens, canaryLeft,
                canaryShards, firstInvalid, cacheHits, segments, from, largestRequestTokens);
    }

    public List<Integer> segmentsOf(String part) {
        return segments.getOrDefault(part, List.of());
    }

    static Optional<FormatCheckpoint> read(ObjectStore store, String runId, int attempt) {
        try { // one GET, no HEAD first, as collect's checkpoint
            return Optional.of(Json.read(store.read(RunKeys.formatCheckpoint(runId, attempt)), FormatCheckpoint.class));
        } catch (io.batchline.store.NoSuchObjectException e) {
            return Optional.empty();
        }
    }

    void write(ObjectStore store, String runId, int attempt) {
        store.put(RunKeys.formatCheckpoint(runId, attempt), Json.bytes(this), "application/json");
    }
}
