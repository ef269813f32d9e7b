package io.batchline.pipeline;

import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.provider.AmbiguousCreateException;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import io.batchline.run.RunStore;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.store.ObjectStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * "Submit batches": one Message Batch per planned shard. Never pays twice: the intent is recorded before the
 * create call and the batch id right after; a shard left SUBMITTING by a crash in between is reconciled
 * against the provider's batch list, never simply sent again while a matching batch exists.
 */
public final class SubmitStage {
    private static final Logger LOG = Logger.getLogger(SubmitStage.class.getName());
    /** how far back from the recorded intent a batch may have been created (clock skew) */
    private static final Duration RECONCILE_SLACK = Duration.ofMinutes(2);
    private final PipelineContext ctx;

    public SubmitStage(PipelineContext ctx) {
        this.ctx = ctx;
    }

    public PollState submit(SubmitRequest request) {
        new Preflight(ctx).beforeSubmit(request); // pre-flight and calibration: before any create of the attempt
        int open;
        try {
            open = submitPending(request.runId(), request.bucket(), request.attempt());
        } catch (TransientStageException e) {
            // the pre-flight passed for every planned shard; what is not sent yet ("Check batches" sends
            // PLANNED shards and reconciles SUBMITTING ones) waits for the provider in the state machine
            int pending = (int) ctx.runs().shards(request.runId(), request.attempt()).stream()
                    .filter(s -> s.status().open() || s.status() == ShardStatus.PLANNED).count();
            return new ProviderWeather(ctx).putOff(e, request.runId(), 0, pending, 0, 0);
        }
        return new PollState(false, ctx.config().waitAfterPoll(0), 0, open, List.of());
    }

    /**
     * Submits every shard of the attempt that has no batch yet; returns how many batches are open. A shard split
     * on 413 adds new shards, so the pass repeats until one splits nothing.
     */
    int submitPending(String runId, String bucket, int attempt) {
        if (ctx.runs().cancelRequested(runId)) return new CancelStage(ctx).holdUnsent(runId, attempt, this);
        RunStore runs = ctx.runs();
        while (true) {
            List<ShardRecord> shards = runs.shards(runId, attempt);
            Set<String> claimed = new HashSet<>();
            for (ShardRecord s : shards) if (s.batchId() != null) claimed.add(s.batchId());
            int open = 0;
            boolean split = false;
            // the provider's queue and create-rate limits; what does not fit waits for "Check batches"
            ProviderCapacity capacity = ProviderCapacity.of(ctx.config(), shards, ctx.clock().instant());
            boolean full = false;
            for (ShardRecord shard : shards) {
                if (shard.status() == ShardStatus.PLANNED || shard.status() == ShardStatus.SUBMITTING) {
                    boolean counted = shard.status() == ShardStatus.SUBMITTING;
                    if (full || !capacity.allows(counted ? 0 : shard.requests())) {
                        full = true; // in shard order: a later small shard never overtakes a waiting one
                        open++;
                        continue;
                    }
                    String batchId;
                    try {
                        batchId = io.batchline.cost.StageMeter.perShard( // aws_cost per shard
                                () -> submitShard(ctx.store(bucket), shard, claimed));
                    } catch (QueueFull e) {
                        if (capacity.queued() - (counted ? shard.requests() : 0) == 0) {
                            throw new TransientStageException("provider: " + e.getCause().getMessage(), e.getCause());
                        }
                        LOG.info(() -> "submit: provider queue full (" + e.getCause().getMessage() + "); shard "
                                + shard.shard() + " and later wait for batches to end");
                        full = true;
                        open++;
                        continue;
                    }
                    capacity.created(shard.requests(), counted);
                    if (batchId == null) {
                        split = true;
                    } else {
                        claimed.add(batchId);
                        open++;
                    }
                } else if (shard.status() == ShardStatus.SUBMITTED) {
                    open++;
                }
            }
            if (!split) return open;
        }
    }

    /** @return the shard's batch id, or null when the provider found it too large and it was split instead */
    private String submitShard(ObjectStore store, ShardRecord shard, Set<String> claimed) {
        RunStore runs = ctx.runs();
        Instant previousIntent = null;
        if (shard.status() == ShardStatus.SUBMITTING) {
            Optional<MessageBatch> orphan = findOrphan(shard, claimed);
            if (orphan.isPresent()) {
                LOG.warning(() -> "submit: shard " + shard.shard() + " of run " + shard.runId()
                        + " was created as " + orphan.get().id() + " before a crash; adopting it, not resubmitting");
                runs.markSubmitted(shard.runId(), shard.attempt(), shard.shard(), orphan.get().id(), ctx.clock().instant());
                return orphan.get().id();
            }
            previousIntent = shard.intentAt();
        }
        Instant intent = ctx.clock().instant();
        if (!runs.markSubmitting(shard.runId(), shard.attempt(), shard.shard(), previousIntent, intent)) {
            throw new TransientStageException("shard " + shard.shard() + " of run " + shard.runId()
                    + " is being submitted by another invocation");
        }
        MessageBatch batch;
        try {
            ctx.faults().point("submit.before_create");
            batch = ctx.provider().create(shard.requests(), shard.bytes(), () -> store.open(shard.requestsKey()));
        } catch (AmbiguousCreateException e) {
            // the batch may exist: the retried stage reconciles through the SUBMITTING record
            throw new TransientStageException("create for shard " + shard.shard() + " may have succeeded: "
                    + e.getMessage() + "; will reconcile", e);
        } catch (ProviderException e) {
            // nothing was created: let the shard be planned-again-able and classify
            if (e.httpStatus() == 413 || "request_too_large".equals(e.errorType())) {
                new ShardSplitter(ctx, store).split(shard, intent, e);
                return null;
            }
            // a 429 on create was not created; with batches already queued it means "wait", not "fail"
            if (e.httpStatus() == 429) throw new QueueFull(e);
            if (e.retryable()) throw new TransientStageException("provider: " + e.getMessage(), e);
            throw new PermanentStageException("ProviderRejected", "shard " + shard.shard() + ": " + e.getMessage(), e);
        }
        ctx.faults().point("submit.after_create"); // the crash between create and record
        if (!runs.markSubmitted(shard.runId(), shard.attempt(), shard.shard(), batch.id(), ctx.clock().instant())) {
            throw new IllegalStateException("shard " + shard.shard() + " of run " + shard.runId()
                    + " got a batch id from elsewhere while " + batch.id() + " was created");
        }
        return batch.id();
    }

    /** The provider answered a create with 429 after the client's own retries: nothing was created. */
    private static final class QueueFull extends RuntimeException {
        QueueFull(ProviderException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A batch created for this shard whose id was never recorded: same size, created after the intent. */
    Optional<MessageBatch> findOrphan(ShardRecord shard, Set<String> claimed) {
        if (shard.intentAt() == null) return Optional.empty();
        Instant since = shard.intentAt().minus(RECONCILE_SLACK);
        MessageBatch found = null;
        List<MessageBatch> recent;
        try {
            recent = ctx.provider().listSince(since);
        } catch (ProviderException e) {
            // without the list we cannot know whether the batch exists: never create again blind
            if (e.retryable()) throw new TransientStageException("listing batches to reconcile shard " + shard.shard()
                    + ": " + e.getMessage(), e);
            throw new PermanentStageException("ProviderRejected", "listing batches to reconcile shard "
                    + shard.shard() + ": " + e.getMessage(), e);
        }
        for (MessageBatch b : recent) {
            if (claimed.contains(b.id())) continue;
            if (b.totalRequests() != shard.requests()) continue;
            if (found == null || b.createdInstant().isBefore(found.createdInstant())) found = b;
        }
        return Optional.ofNullable(found);
    }
}
