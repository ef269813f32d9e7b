package io.batchline.pipeline;

import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import io.batchline.run.ShardRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The provider's view of a run's open batches. A run with many open batches reads them from the list endpoint
 * (the batches created since the run's first submission, newest first, as reconciliation reads them) instead of
 * one retrieve per batch: 100 shards polled 66 times would otherwise be 6,600 calls against the account's rate
 * limit. Batches the list does not show are retrieved one by one.
 */
final class BatchStatuses {
    /** Up to this many open batches, single retrieves are cheaper than a list page. */
    static final int RETRIEVE_AT_MOST = 3;
    /** The provider's created_at may precede our recorded intent by clock skew. */
    private static final Duration SKEW = Duration.ofMinutes(5);

    private final PipelineContext ctx;

    BatchStatuses(PipelineContext ctx) {
        this.ctx = ctx;
    }

    /** The current state of each submitted shard's batch, by batch id. */
    Map<String, MessageBatch> of(Collection<ShardRecord> submitted) {
        Map<String, MessageBatch> found = new HashMap<>();
        Set<String> wanted = new HashSet<>();
        Instant oldest = null;
        for (ShardRecord s : submitted) {
            wanted.add(s.batchId());
            Instant since = s.intentAt() != null ? s.intentAt() : s.submittedAt();
            if (since != null && (oldest == null || since.isBefore(oldest))) oldest = since;
        }
        if (wanted.size() > RETRIEVE_AT_MOST && oldest != null) {
            try {
                for (MessageBatch b : ctx.provider().listSince(oldest.minus(SKEW))) {
                    if (wanted.remove(b.id())) found.put(b.id(), b);
                }
            } catch (ProviderException e) {
                throw asStageException("listing batches", e);
            }
        }
        for (String id : wanted) found.put(id, retrieve(ctx, id));
        return found;
    }

    static MessageBatch retrieve(PipelineContext ctx, String batchId) {
        try {
            return ctx.provider().retrieve(batchId);
        } catch (ProviderException e) {
            throw asStageException("checking " + batchId, e);
        }
    }

    private static RuntimeException asStageException(String what, ProviderException e) {
        if (e.retryable()) return new TransientStageException(what + ": " + e.getMessage(), e);
        return new PermanentStageException("ProviderRejected", what + ": " + e.getMessage(), e);
    }
}
