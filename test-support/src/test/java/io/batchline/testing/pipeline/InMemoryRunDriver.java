package io.batchline.testing.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.CanaryStage;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.FinalizeStage;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StagePayloads.CanaryChecked;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.Formatted;
import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.SubmitStage;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one job through the real stages in the order batchline-run.asl.json calls them (Register, Plan and format,
 * Submit, Check batches until all ended, Collect every shard, Plan retry round, ..., Finalize), on an
 * {@link InMemoryPipeline}: the scripted provider ends a batch on its first look, and the clock is moved on by the
 * wait the state machine would make before each check instead of anyone waiting. Each stage sees the bucket through
 * its deployed function's grants ({@link InMemoryPipeline#ctxFor}): a key outside them fails the run.
 */
final class InMemoryRunDriver {
    private final InMemoryPipeline p;

    InMemoryRunDriver(InMemoryPipeline p) {
        this.p = p;
    }

    /** The last run's "Check canary" verdict; null when its job had no canary. */
    CanaryChecked canary;

    /** Results between collect's checkpoints; a test sets a small one to collect shards in segments. */
    int collectCheckpointEvery = io.batchline.pipeline.CollectCheckpoint.DEFAULT_EVERY;

    /** Uploads the job and input and runs it to the end; returns the run id. */
    String run(String runId, byte[] jobYaml, byte[] input) {
        String bucket = InMemoryPipeline.BUCKET;
        Formatted plan = start(runId, jobYaml, input);
        canary = null;
        while (plan.shards() > 0) {
            PollState poll = new SubmitStage(p.ctxFor(StageNames.SUBMIT)).submit(new SubmitRequest(runId, bucket, plan.attempt()));
            for (int i = 0; !poll.allEnded(); i++) {
                if (i > 600) throw new IllegalStateException("batches of attempt " + plan.attempt()
                        + " never ended: " + p.runs.shards(runId, plan.attempt()) + "; last check " + poll);
                p.clock.advance(java.time.Duration.ofSeconds(poll.waitSeconds())); // the state machine's wait
                poll = new PollStage(p.ctxFor(StageNames.POLL)).poll(new PollRequest(runId, bucket, plan.attempt(), poll.polls()));
            }
            for (int shard : poll.endedShards()) {
                new CollectStage(p.ctxFor(StageNames.COLLECT), collectCheckpointEvery)
                        .collect(new CollectRequest(runId, bucket, plan.attempt(), shard));
            }
            if (plan.canary() && canary == null) {
                canary = new CanaryStage(p.ctxFor(StageNames.CANARY)).check(new RunRef(runId, bucket));
                if (!canary.passed()) break;
                if (canary.shards() > 0) continue;
            }
            plan = new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(runId, bucket, null, plan.attempt()));
        }
        new FinalizeStage(p.ctxFor(StageNames.FINALIZE)).finalize(new RunRef(runId, bucket));
        if (!p.bucketAccessRefused.isEmpty()) {
            throw new AssertionError("stages touched keys their deployed roles may not: " + p.bucketAccessRefused);
        }
        return runId;
    }

    /** Uploads the job (as quality-test) and input, registers the run and plans its first attempt. */
    Formatted start(String runId, byte[] jobYaml, byte[] input) {
        String job = "quality-test";
        String inputKey = RunKeys.INBOX + job + "/" + runId + ".jsonl";
        String bucket = InMemoryPipeline.BUCKET;
        p.store().put(RunKeys.jobSpec(job), jobYaml, "application/yaml");
        p.store().put(inputKey, input, "application/x-ndjson");
        new RegisterStage(p.ctxFor(StageNames.REGISTER)).register(new RunStart(runId, bucket, inputKey,
                p.store().head(inputKey).orElseThrow().etag(), job));
        return new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(runId, bucket, 1, null));
    }

    List<JsonNode> outcomes(String runId, OutcomeKind kind) {
        return lines(RunKeys.outcome(runId, kind));
    }

    List<JsonNode> lines(String key) {
        List<JsonNode> lines = new ArrayList<>();
        JsonLines.forEachLine(p.store().open(key), l -> lines.add(Json.tree(l.getBytes(StandardCharsets.UTF_8))));
        return lines;
    }

    JsonNode report(String runId) {
        return Json.tree(p.store().read(RunKeys.report(runId)));
    }
}
