package io.batchline.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.JsonLines;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.plan.ItemCarry;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import io.batchline.run.RunRecord;
import io.batchline.run.RunStore;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * An operator cancels a run. The request is one conditional write on the run record; the batches in flight are asked
 * to cancel at the provider; the running execution carries on: its poll sees the batches end, its collectors keep
 * what finished and fail the rest with reason {@value FailureReason#CANCELED_UNFINISHED}, no shard is sent
 * after the request and no retry or repair round is planned, and the finalizer reports the run as canceled.
 */
public final class CancelStage {
    private static final Logger LOG = Logger.getLogger(CancelStage.class.getName());

    private final PipelineContext ctx;

    public CancelStage(PipelineContext ctx) {
        this.ctx = ctx;
    }

    /** The cancel function's input: {"run_id": "..."}. */
    public record CancelRequest(@JsonProperty("run_id") String runId) {}

    /**
     * @param status            {@code cancel_requested} (this call recorded it) or {@code already_requested}
     * @param requestedAt       when the cancel was first requested
     * @param batchesCanceling  the batches in flight that were asked to cancel
     */
    public record Canceled(
            @JsonProperty("run_id") String runId,
            @JsonProperty("status") String status,
            @JsonProperty("requested_at") String requestedAt,
            @JsonProperty("batches_canceling") int batchesCanceling) {}

    public Canceled cancel(CancelRequest request) {
        if (request == null || request.runId() == null || request.runId().isBlank()) {
            throw new PermanentStageException("BadRequest", "cancel needs {\"run_id\": \"...\"}");
        }
        String runId = request.runId();
        RunStore.CancelRequest outcome = ctx.runs().requestCancel(runId, ctx.clock().instant());
        RunRecord run = ctx.runs().run(runId).orElse(null);
        if (outcome == RunStore.CancelRequest.NO_RUN || run == null) {
            throw new PermanentStageException("RunMissing", "no run " + runId);
        }
        if (outcome == RunStore.CancelRequest.RUN_ENDED) {
            throw new PermanentStageException("RunEnded", "run " + runId + " already ended as " + run.status()
                    + (run.finishedAt() == null ? "" : " at " + run.finishedAt()) + ": there is nothing to cancel");
        }
        int canceling = cancelInFlight(runId);
        return new Canceled(runId, outcome == RunStore.CancelRequest.REQUESTED ? "cancel_requested" : "already_requested",
                run.cancelRequestedAt() == null ? null : run.cancelRequestedAt().toString(), canceling);
    }

    /** Asks the provider to cancel every batch of the run that has not ended; idempotent. */
    int cancelInFlight(String runId) {
        int canceling = 0;
        // attempts are planned one after the other, so the first attempt without shards is past the last one
        for (int attempt = 1; ; attempt++) {
            List<ShardRecord> shards = ctx.runs().shards(runId, attempt);
            if (shards.isEmpty()) return canceling;
            for (ShardRecord shard : shards) {
                if (shard.status() == ShardStatus.SUBMITTED && cancelBatch(shard.batchId())) canceling++;
            }
        }
    }

    /** @return true when the batch is (now) canceling, false when it had already ended */
    boolean cancelBatch(String batchId) {
        try {
            MessageBatch batch = ctx.provider().cancel(batchId);
            LOG.info(() -> "cancel: batch " + batchId + " is " + batch.processingStatus());
            return !batch.ended();
        } catch (ProviderException e) {
            if (e.retryable()) throw new TransientStageException("canceling " + batchId + ": " + e.getMessage(), e);
            // the provider refuses to cancel a batch that has just ended; anything else is a real error
            MessageBatch now = BatchStatuses.retrieve(ctx, batchId);
            if (now.ended()) return false;
            throw new PermanentStageException("ProviderRejected", "canceling " + batchId + ": " + e.getMessage(), e);
        }
    }


    /**
     * The retry parts of an attempt that will not happen because the run was canceled: each item fails with reason
     * {@value FailureReason#CANCELED_UNFINISHED}, its attempts and history as they were, naming the batch and
     * custom_id it was last in; a line without params still names its item, and fails like the others.
     * Streams the parts into the attempt's planner part, rewritten whole on a repeat.
     *
     * @throws PermanentStageException for a retry line that names no input line (not JSON, or no line number):
     *                                 the run fails with where it is, rather than an outcome for a made-up line
     */
    void failRetries(ObjectStore store, String runId, int attempt, List<String> retryParts) {
        String key = RunKeys.planPart(runId, attempt, OutcomeKind.FAILED);
        try (OutputStream out = store.create(key, "application/x-ndjson")) {
            for (String part : retryParts) {
                UnsentItemReader.forEachRetried(store, part, attempt - 1, retry -> {
                    ItemCarry item = retry.item();
                    JsonNode history = item.history();
                    JsonNode last = history == null || history.isEmpty() ? null : history.get(history.size() - 1);
                    JsonLines.write(out, OutcomeLine.of(item.id(), item.line(), OutcomeKind.FAILED)
                            .reason(FailureReason.CANCELED_UNFINISHED).free().attempts(item.attempts())
                            .batchId(last == null ? null : last.path("batch_id").asText(null))
                            .customId(last == null ? null : last.path("custom_id").asText(null))
                            .truncated(item.truncated()).groundTruth(item.label()).history(history).build());
                });
            }
        } catch (IOException e) {
            throw new TransientStageException("writing " + key + ": " + e.getMessage(), e);
        }
    }

    /**
     * Called by submission once the run is canceled: no shard of the attempt is sent any more. A PLANNED shard
     * becomes CANCELED; a SUBMITTING one (a create may have reached the provider before a crash) adopts its
     * batch if the provider has one, and that batch is canceled, else it becomes CANCELED too.
     *
     * @return the batches of the attempt still open at the provider
     */
    int holdUnsent(String runId, int attempt, SubmitStage submit) {
        RunStore runs = ctx.runs();
        List<ShardRecord> shards = runs.shards(runId, attempt);
        Set<String> claimed = new HashSet<>();
        for (ShardRecord s : shards) if (s.batchId() != null) claimed.add(s.batchId());
        int open = 0;
        for (ShardRecord shard : shards) {
            if (shard.status() == ShardStatus.SUBMITTED) {
                open++;
            } else if (shard.status() == ShardStatus.SUBMITTING) {
                Optional<MessageBatch> orphan = submit.findOrphan(shard, claimed);
                if (orphan.isPresent()
                        && runs.markSubmitted(runId, attempt, shard.shard(), orphan.get().id(), ctx.clock().instant())) {
                    claimed.add(orphan.get().id());
                    cancelBatch(orphan.get().id());
                    open++;
                } else {
                    runs.markCanceled(runId, attempt, shard.shard());
                }
            } else if (shard.status() == ShardStatus.PLANNED) {
                runs.markCanceled(runId, attempt, shard.shard());
            }
        }
        LOG.info(() -> "submit: run " + runId + " is canceled: no shard of attempt " + attempt + " is sent");
        return open;
    }
}
