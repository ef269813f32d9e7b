package io.batchline.pipeline;

import io.batchline.job.JobSpec;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.Formatted;
import io.batchline.plan.Plan;
import io.batchline.plan.PlanRequest;
import io.batchline.plan.Planner;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectChangedException;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * "Plan and format" (attempt 1, from the input) and "Plan retry round" (attempt n+1, from the requests the
 * collectors set aside). Streams, renders and shards; every shard is recorded as PLANNED before submission.
 * A repeat writes the same keys again and never resets a shard that was already sent.
 */
public final class FormatStage {
    private final PipelineContext ctx;

    public FormatStage(PipelineContext ctx) {
        this.ctx = ctx;
    }

    public Formatted format(FormatRequest request) {
        if (request.retryOf() != null) return planRetry(request.runId(), request.bucket(), request.retryOf());
        String runId = request.runId();
        ObjectStore store = ctx.store(request.bucket());
        RunRecord run = ctx.runs().run(runId).orElseThrow(() ->
                new PermanentStageException("RunMissing", "no run record for " + runId));
        JobSpec job = ctx.jobOfRun(request.bucket(), runId);
        checkModelsServed(job);
        Plan plan;
        // the bytes of the version the run is named after, or none, never another version's bytes: a resume
        // from a format checkpoint comes through here too, so it re-reads that same version
        try (InputStream in = openInput(store, run);
             InputStream golden = job.golden() == null ? null : openGolden(store, runId, job)) {
            plan = planner().plan(PlanRequest.of(job, runId, 1, in, run.inputKey(), store)
                    .withGolden(golden == null ? null
                            : new Planner.GoldenInput(RunKeys.goldenSnapshot(runId, job.golden().file()), golden))
                    .withCache(io.batchline.cache.ResultCache.lookup(ctx.resultCache(), job, runId, store, ctx.clock()))
                    // a killed format resumes from its last checkpoint
                    .withCheckpointEvery(ctx.config().formatCheckpointEvery()));
        } catch (ObjectChangedException e) {
            throw inputChanged(run, e);
        } catch (NoSuchObjectException e) {
            throw new PermanentStageException("InputMissing", e.getMessage(), e);
        } catch (io.batchline.job.JobSpecException e) {
            throw new PermanentStageException("JobSpecInvalid", e.getMessage(), e);
        } catch (Planner.GoldenFileException e) {
            throw new PermanentStageException("GoldenInvalid", e.getMessage(), e);
        } catch (IOException | UncheckedIOException e) {
            var corrupt = io.batchline.input.CorruptInputException.in(e); // not transient: same bytes again
            if (corrupt != null) throw new PermanentStageException("InputCorrupt", corrupt.getMessage(), e);
            throw new TransientStageException("planning " + run.inputKey() + ": " + e.getMessage(), e);
        }
        ctx.budget().reserve(runId, job, io.batchline.plan.Strata.dearest(job, ctx.pricesForRun(runId)), plan,
                escalation(job, runId));
        io.batchline.cache.ResultCache.publishReviews(ctx.reviewQueue(), job, store, runId); // cached review items
        ctx.faults().point("format.after_plan");
        return record(runId, plan, plan.items(), plan.invalid());
    }

    /**
     * The run's input as the version its id was derived from (bucket, key, ETag): opened with that ETag, so an
     * overwrite between the S3 event and this read fails the run instead of formatting the new bytes under the old
     * version's name. A record without an ETag (none is written so today) is refused rather than read by key.
     */
    static InputStream openInput(ObjectStore store, RunRecord run) {
        if (run.etag() == null || run.etag().isBlank()) {
            throw new PermanentStageException("InputVersionUnknown", "run " + run.runId() + " names no ETag for "
                    + run.inputKey() + ": its input cannot be read as the version the run was named after");
        }
        return store.open(run.inputKey(), ObjectStore.Version.ofEtag(run.etag()));
    }

    static PermanentStageException inputChanged(RunRecord run, ObjectChangedException e) {
        return new PermanentStageException("InputChanged", "s3://" + run.bucket() + "/" + run.inputKey()
                + ": the object was overwritten after this run was named (ETag " + e.expectedEtag() + " expected, now "
                + (e.currentEtag() == null ? "unknown" : e.currentEtag()) + "); nothing of it was processed under"
                + " this run, and the new version runs under its own run", e);
    }

    /** A model retired since the job was written is refused before anything of the run is sent. */
    private void checkModelsServed(JobSpec job) {
        java.time.LocalDate today = java.time.LocalDate.now(ctx.clock().withZone(java.time.ZoneOffset.UTC));
        java.util.List<String> models = new java.util.ArrayList<>(java.util.List.of(job.model()));
        if (job.strata() != null) {
            for (JobSpec.Stratum s : job.strata()) if (s.model() != null) models.add(s.model());
        }
        for (String model : models) {
            ctx.prices().catalogue().problemWith(model, today, true).ifPresent(p -> {
                throw new PermanentStageException("ModelNotServed", p);
            });
        }
    }

    private Formatted planRetry(String runId, String bucket, int retryOf) {
        JobSpec job = ctx.jobOfRun(bucket, runId);
        int next = retryOf + 1;
        ObjectStore store = ctx.store(bucket);
        List<String> parts = next > job.lastAttempt() ? List.of() : store.list(RunKeys.retryPrefix(runId, next));
        if (parts.isEmpty()) return new Formatted(retryOf, 0, 0, 0, 0, null);
        if (ctx.runs().cancelRequested(runId)) { // no retry or repair round after a cancel
            new CancelStage(ctx).failRetries(store, runId, next, parts);
            return new Formatted(retryOf, 0, 0, 0, 0, null);
        }
        Plan plan = planner().planRetry(job, runId, next, parts, store);
        // a retry round may hold escalation requests: its worst case is at the dearer of the two prices
        io.batchline.cost.Price price = io.batchline.plan.Strata.dearest(job, ctx.pricesForRun(runId));
        io.batchline.budget.BudgetGuard.Escalation escalation = escalation(job, runId);
        if (escalation != null && escalation.price().worstCase(1_000_000, 1_000_000)
                .compareTo(price.worstCase(1_000_000, 1_000_000)) > 0) {
            price = escalation.price();
        }
        ctx.budget().reserve(runId, job, price, plan, escalation);
        return record(runId, plan, plan.valid() + plan.invalid(), plan.invalid());
    }

    /** Renders requests with the configured catalogue, read on first use rather than when the stage is built. */
    private Planner planner() {
        return new Planner(ctx.config().catalogue(), ctx.config().anthropicVersion(), ctx.faults());
    }

    /** The job's escalation round and its model's price for this run, or null when the job has no escalation. */
    private io.batchline.budget.BudgetGuard.Escalation escalation(JobSpec job, String runId) {
        if (job.escalation() == null) return null;
        PipelineConfig config = ctx.config();
        return new io.batchline.budget.BudgetGuard.Escalation(
                io.batchline.escalate.EscalationRound.of(job, config.catalogue(), config.anthropicVersion()),
                ctx.pricesForRun(runId).priceFor(job.escalation().model(), job.cacheTtl()));
    }

    private Formatted record(String runId, Plan plan, long items, long invalid) {
        // with a canary only its shards are recorded (so only they are submitted); "Check canary" records the rest
        int now = plan.canaryShards() > 0 ? plan.canaryShards() : plan.shards().size();
        recordShards(ctx, runId, plan.attempt(), plan.shards().subList(0, now));
        return new Formatted(plan.attempt(), now, plan.requests(), items, invalid,
                RunKeys.plan(runId, plan.attempt()), plan.canaryShards() > 0);
    }

    /** The golden file frozen at registration: the same golden items for every attempt and re-run. */
    private static InputStream openGolden(ObjectStore store, String runId, JobSpec job) {
        String key = RunKeys.goldenSnapshot(runId, job.golden().file());
        try {
            return store.open(key);
        } catch (NoSuchObjectException e) {
            throw new PermanentStageException("GoldenMissing", "the run's golden file " + key + " is missing (it is"
                    + " frozen there by \"Register run\")", e);
        }
    }

    private static void recordShards(PipelineContext ctx, String runId, int attempt, List<Plan.ShardPlan> shards) {
        for (Plan.ShardPlan s : shards) ctx.runs().planShard(s.planned(runId, attempt));
    }
}
