package io.batchline.pipeline;

import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.Registered;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.store.ObjectStore;

/**
 * "Register run": checks the job spec before anything is spent, freezes it for this run, and records the run
 * with a conditional write (a repeated invocation finds its own record and carries on).
 */
public final class RegisterStage {
    private final PipelineContext ctx;

    public RegisterStage(PipelineContext ctx) {
        this.ctx = ctx;
    }

    public Registered register(RunStart start) {
        ObjectStore store = ctx.store(start.bucket());
        if (!store.exists(start.key())) {
            throw new PermanentStageException("InputMissing", "no input at s3://" + start.bucket() + "/" + start.key());
        }
        String jobKey = RunKeys.jobSpec(start.job());
        PipelineContext.loadJob(store, jobKey); // fail fast on a bad spec, with the spec's own error
        String snapshot = RunKeys.jobSnapshot(start.runId());
        if (!store.exists(snapshot)) {
            store.put(snapshot, store.read(jobKey), "application/yaml");
        }
        RunRecord stored = ctx.runs().createRun(new RunRecord(start.runId(), start.job(), start.bucket(), start.key(),
                start.etag(), RunRecord.RunStatus.RUNNING, ctx.clock().instant(), null, null, null));
        io.batchline.chaos.Chaos.point("register.after_record");
        return new Registered(stored.runId(), stored.job(), stored.inputKey(), stored.startedAt().toString());
    }
}
