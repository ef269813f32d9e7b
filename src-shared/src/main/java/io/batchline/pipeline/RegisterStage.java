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
        io.batchline.job.JobSpec job = PipelineContext.loadJob(store, jobKey); // fail fast, with the spec's own error
        if (job.golden() != null) freezeGolden(store, start, job.golden().file());
        String snapshot = RunKeys.jobSnapshot(start.runId());
        if (!store.exists(snapshot)) {
            store.put(snapshot, store.read(jobKey), "application/yaml");
        }
        RunRecord stored = ctx.runs().createRun(new RunRecord(start.runId(), start.job(), start.bucket(), start.key(),
                start.etag(), RunRecord.RunStatus.RUNNING, ctx.clock().instant(), null, null, null));
        io.batchline.chaos.Chaos.point("register.after_record");
        return new Registered(stored.runId(), stored.job(), stored.inputKey(), stored.startedAt().toString());
    }

    /**
     * Golden items (R4.5): jobs/<job>/<file> is copied next to the frozen spec before the spec is, so a run whose
     * spec is frozen always has its golden file, and later edits of it change no started run.
     */
    private static void freezeGolden(ObjectStore store, RunStart start, String file) {
        String snapshot = RunKeys.goldenSnapshot(start.runId(), file);
        if (store.exists(snapshot)) return;
        String source = RunKeys.goldenSource(start.job(), file);
        if (!store.exists(source)) {
            throw new PermanentStageException("GoldenMissing", "job " + start.job() + " names golden.file '" + file
                    + "', but s3://" + start.bucket() + "/" + source + " does not exist: upload it next to the job"
                    + " spec (local run does this from the job file's folder)");
        }
        try (java.io.InputStream in = store.open(source);
             java.io.OutputStream out = store.create(snapshot, "application/octet-stream")) {
            in.transferTo(out); // streamed: a golden file may be large
        } catch (java.io.IOException e) {
            throw new TransientStageException("freezing " + source + ": " + e.getMessage(), e);
        }
    }
}
