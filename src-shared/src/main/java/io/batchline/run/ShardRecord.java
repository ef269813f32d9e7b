package io.batchline.run;

import java.time.Instant;

/**
 * One request shard of one attempt ({@code RUN#id / SHARD#a<attempt>#<shard>}): the submission intent and the
 * batch id live here, so a shard is never submitted twice.
 */
public record ShardRecord(
        String runId,
        int attempt,
        int shard,
        String requestsKey,
        String indexKey,
        long requests,
        long bytes,
        ShardStatus status,
        String batchId,
        Instant intentAt,
        Instant submittedAt,
        Instant endedAt,
        String rawKey) {

    public enum ShardStatus {
        /** written to S3, not yet sent */
        PLANNED,
        /** intent recorded, create call may be in flight: reconcile before sending again */
        SUBMITTING,
        /** the provider accepted it: batchId is set */
        SUBMITTED,
        /** the batch ended and its raw results are saved at rawKey */
        ENDED,
        /** results routed into outcome parts */
        COLLECTED,
        /** rejected as too large (413) and split into new shards of the same attempt; never sent itself */
        REPLACED,
        /** never sent: its run was canceled first; its items fail with reason canceled */
        CANCELED;

        public boolean open() {
            return this == SUBMITTING || this == SUBMITTED;
        }
    }

    public ShardRecord with(ShardStatus newStatus) {
        return new ShardRecord(runId, attempt, shard, requestsKey, indexKey, requests, bytes, newStatus, batchId,
                intentAt, submittedAt, endedAt, rawKey);
    }
}
