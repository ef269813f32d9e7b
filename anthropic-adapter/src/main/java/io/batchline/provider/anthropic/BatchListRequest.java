package io.batchline.provider.anthropic;

/**
 * Which page of batches {@link AnthropicBatchesClient#list} fetches. Batches are listed newest first.
 *
 * @param afterId  null, or the {@code last_id} of the previous page (older batches)
 * @param beforeId null, or the {@code first_id} of a page (newer batches)
 * @param limit    1..1000
 */
public record BatchListRequest(String afterId, String beforeId, int limit) {

    public BatchListRequest {
        if (limit < 1 || limit > 1000) throw new IllegalArgumentException("limit must be 1..1000: " + limit);
    }

    /** The newest {@code limit} batches. */
    public static BatchListRequest newest(int limit) {
        return new BatchListRequest(null, null, limit);
    }

    /** The page after one whose {@code last_id} is {@code lastId}: older batches. */
    public static BatchListRequest olderThan(String lastId, int limit) {
        return new BatchListRequest(lastId, null, limit);
    }

    /** The page before one whose {@code first_id} is {@code firstId}: newer batches. */
    public static BatchListRequest newerThan(String firstId, int limit) {
        return new BatchListRequest(null, firstId, limit);
    }
}
