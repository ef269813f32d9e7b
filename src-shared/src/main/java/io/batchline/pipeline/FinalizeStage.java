package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.pipeline.StagePayloads.Finalized;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.report.BatchSummary;
import io.batchline.report.RunReportBuilder;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * "Finalize run": merges every outcome part into the four outcome files, checks that each input line ended in
 * exactly one of them, and writes report.json. Merging is a pure function of the parts, so a repeat rewrites
 * the same files.
 */
public final class FinalizeStage {
    private final PipelineContext ctx;

    /** The execution's error when a canary failed: the state machine's "Canary failed" state shows it. */
    public static final String CANARY_FAILED_ERROR = "CanaryFailed";

    public FinalizeStage(PipelineContext ctx) {
        this.ctx = ctx;
    }

    public Finalized finalize(RunRef ref) {
        String runId = ref.runId();
        ObjectStore store = ctx.store(ref.bucket());
        RunRecord run = ctx.runs().run(runId).orElseThrow(() ->
                new PermanentStageException("RunMissing", "no run record for " + runId));
        JobSpec job = ctx.jobOfRun(ref.bucket(), runId);
        ObjectNode canary = CanaryVerdictFile.reportBlock(store, runId); // null without a canary check
        boolean canaryFailed = canary != null && !canary.path("passed").asBoolean();
        JsonNode plan = Json.tree(store.read(RunKeys.plan(runId, 1))); // read once: items, calibration, canary shards
        long expected = plan.path("items").asLong();
        RunReportBuilder report = new RunReportBuilder().runId(runId).job(job.name())
                .input("s3://" + ref.bucket() + "/" + run.inputKey())
                .price(ctx.pricesForRun(runId).priceFor(job.model(), job.cacheTtl())).thresholds(job.confidence())
                .escalation(job.escalation(), job.escalation() == null ? null
                        : ctx.pricesForRun(runId).priceFor(job.escalation().model(), job.cacheTtl()))
                .startedAt(run.startedAt())
                .calibration(plan.get("calibration")) // the token estimator's measured error
                .status(run.cancelRequested() ? "canceled" : canaryFailed ? "failed" : "succeeded",
                        run.cancelRequestedAt());

        ChunkMerger.mergeInto(store, runId, job, ctx.reviewQueue()); // chunked items' lines, before listing
        List<String> parts = store.list(RunKeys.partsPrefix(runId));
        var quality = new io.batchline.quality.QualityControl(job, runId, expected); // spot-check sample, accuracy
        for (OutcomeKind kind : OutcomeKind.values()) {
            String suffix = "/" + kind.fileName();
            try (OutputStream out = store.create(RunKeys.outcome(runId, kind), "application/x-ndjson")) {
                for (String part : parts) {
                    if (!part.endsWith(suffix)) continue;
                    ctx.faults().point("finalize.mid_merge");
                    JsonLines.forEachLine(store.open(part), line -> {
                        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                        OutcomeLine parsed = Json.read(bytes, OutcomeLine.class);
                        report.accept(parsed);
                        quality.accept(parsed, bytes);
                        try {
                            out.write(bytes);
                            out.write('\n');
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                }
            } catch (IOException e) {
                throw new TransientStageException("writing " + kind.fileName() + " of run " + runId + ": "
                        + e.getMessage(), e);
            }
        }
        long canaryShards = plan.path("canary_shards").asLong();
        int lastAttempt = job.lastAttempt();
        long[] requestsByAttempt = new long[lastAttempt]; // the run's shape, for aws_cost's projection
        long shardCount = 0, requestBytes = 0, canaryLeft = canaryShards;
        for (int attempt = 1; attempt <= lastAttempt; attempt++) {
            for (ShardRecord s : ctx.runs().shards(runId, attempt)) {
                report.batch(new BatchSummary(s.batchId(), s.attempt(), s.shard(), s.requests(),
                        s.status().name().toLowerCase(java.util.Locale.ROOT), s.submittedAt(), s.endedAt()));
                if (s.status() == ShardRecord.ShardStatus.REPLACED) continue;
                shardCount++;
                if (attempt == 1 && canaryLeft > 0) { // the canary's shards come first in attempt 1
                    canaryLeft--;
                    continue;
                }
                requestsByAttempt[attempt - 1] += s.requests();
                requestBytes += s.bytes();
            }
        }
        // golden results, apart from the outcomes; their cost joins the totals before the budget settles
        var golden = io.batchline.quality.GoldenQuality.collect(job, store, runId, report);
        if (!report.conserves(expected)) {
            throw new PermanentStageException("ItemsNotConserved", "the input has " + expected
                    + " items but the outcome files hold " + report.items() + ": refusing to report a run that lost"
                    + " or duplicated items");
        }
        Instant finished = ctx.clock().instant();
        ctx.budget().settleInto(report.finishedAt(finished), runId, job, finished); // budget: spend, forecast
        ObjectNode json = report.finishedAt(finished).build();
        io.batchline.rerun.RerunLink.addTo(store, runId, json); // rerun_of: the run this one reprocesses
        json.set("prompt_version", io.batchline.job.PromptVersion.of(job).toJson()); // what shaped the requests
        quality.finish(store, runId, json); // sample.jsonl; report.sample and report.quality
        if (golden != null) json.set("golden_quality", golden.toJson());
        if (golden != null && plan.hasNonNull("golden_skipped")) { // why no golden item was sent
            ((ObjectNode) json.get("golden_quality")).put("skipped", plan.get("golden_skipped").asText());
        }
        if (canary != null) json.set("canary", canary);
        io.batchline.cost.StageMeter.addAwsCost(runId, json, new io.batchline.cost.AwsCostModel.RunShape( // AWS cost
                report.items(), shardCount, canaryShards - canaryLeft, requestsByAttempt, requestBytes,
                job.shard() == null ? 0 : job.shard().maxRequests(), job.shard() == null ? 0 : job.shard().maxBytes()));
        store.put(RunKeys.report(runId), Json.bytes(json), "application/json");
        io.batchline.report.RunReportPage.publish(store, runId, json, ctx.reportPages()); // report.html
        io.batchline.metrics.RunMetrics.print(json, "finalize", finished, System.out); // metrics: EMF on stdout
        if (canaryFailed) { // the outcomes and the report are written; the execution then fails with the cause
            String cause = canary.path("cause").asText();
            ctx.runs().finishRun(runId, RunRecord.RunStatus.FAILED, finished, CANARY_FAILED_ERROR, cause);
            return new Finalized(runId, "CANARY_FAILED", report.items(), report.count(OutcomeKind.ACCEPTED),
                    report.count(OutcomeKind.REVIEW), report.count(OutcomeKind.REJECTED),
                    report.count(OutcomeKind.FAILED), report.costUsd(), RunKeys.report(runId),
                    RunKeys.run(runId) + "out/", CANARY_FAILED_ERROR, cause);
        }
        RunRecord.RunStatus status = run.cancelRequested() ? RunRecord.RunStatus.CANCELED : RunRecord.RunStatus.SUCCEEDED;
        ctx.runs().finishRun(runId, status, finished, null, null);
        return new Finalized(runId, status.name(), report.items(), report.count(OutcomeKind.ACCEPTED),
                report.count(OutcomeKind.REVIEW), report.count(OutcomeKind.REJECTED), report.count(OutcomeKind.FAILED),
                report.costUsd(), RunKeys.report(runId), RunKeys.run(runId) + "out/");
    }

}
