package io.batchline.offline.pipeline;

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
import io.batchline.pipeline.SubmitStage;
import io.batchline.run.RunKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one job through the real stages in the order batchline-run.asl.json calls them (Register, Plan and
 * format, Submit, Check batches until all ended, Collect every shard, Plan retry round, ..., Finalize), on the
 * fixture's emulators and simulator. The state machine itself is tested in BatchlineRunStateMachineTest.
 */
final class RunDriver {
    private final StageFixture f;

    RunDriver(StageFixture f) {
        this.f = f;
    }

    /** Results between collect's checkpoints; a test sets a small one to collect shards in segments. */
    int collectCheckpointEvery = io.batchline.pipeline.CollectCheckpoint.DEFAULT_EVERY;

    /** Uploads the job and input and runs it to the end; returns the run id. */
    String run(String runId, byte[] jobYaml, byte[] input) throws InterruptedException {
        String job = "quality-test";
        String inputKey = RunKeys.INBOX + job + "/" + runId + ".jsonl";
        f.store.put(RunKeys.jobSpec(job), jobYaml, "application/yaml");
        f.store.put(inputKey, input, "application/x-ndjson");
        new RegisterStage(f.ctx).register(new RunStart(runId, StageFixture.BUCKET, inputKey, f.store.head(inputKey).orElseThrow().etag(), job));
        Formatted plan = new FormatStage(f.ctx).format(new FormatRequest(runId, StageFixture.BUCKET, 1, null));
        canary = null;
        while (plan.shards() > 0) {
            PollState poll = new SubmitStage(f.ctx).submit(new SubmitRequest(runId, StageFixture.BUCKET, plan.attempt()));
            for (int i = 0; !poll.allEnded(); i++) {
                if (i > 600) throw new IllegalStateException("batches of attempt " + plan.attempt() + " never ended");
                Thread.sleep(200);
                poll = new PollStage(f.ctx).poll(new PollRequest(runId, StageFixture.BUCKET, plan.attempt(), poll.polls()));
            }
            for (int shard : poll.endedShards()) {
                new CollectStage(f.ctx, collectCheckpointEvery)
                        .collect(new CollectRequest(runId, StageFixture.BUCKET, plan.attempt(), shard));
            }
            if (plan.canary() && canary == null) { // "Canary pending?" -> "Check canary" -> "Canary passed?"
                canary = new CanaryStage(f.ctx).check(new RunRef(runId, StageFixture.BUCKET));
                if (!canary.passed()) break;
                if (canary.shards() > 0) continue; // "Submit batches" again: the rest of attempt 1
            }
            plan = new FormatStage(f.ctx).format(new FormatRequest(runId, StageFixture.BUCKET, null, plan.attempt()));
        }
        new FinalizeStage(f.ctx).finalize(new RunRef(runId, StageFixture.BUCKET));
        return runId;
    }

    /** The last run's "Check canary" verdict; null when its job had no canary. */
    CanaryChecked canary;

    List<JsonNode> outcomes(String runId, OutcomeKind kind) {
        return lines(RunKeys.outcome(runId, kind));
    }

    List<JsonNode> lines(String key) {
        List<JsonNode> lines = new ArrayList<>();
        JsonLines.forEachLine(f.store.open(key), l -> lines.add(Json.tree(l.getBytes(StandardCharsets.UTF_8))));
        return lines;
    }

    JsonNode report(String runId) {
        return Json.tree(f.store.read(RunKeys.report(runId)));
    }
}
