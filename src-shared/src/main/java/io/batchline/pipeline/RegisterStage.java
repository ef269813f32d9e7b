package io.batchline.pipeline;

import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.Registered;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.ShardRecord;
import java.util.List;
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
        io.batchline.job.JobSpec job = ctx.loadJob(store, jobKey); // fail fast, with the spec's own error
        if (job.golden() != null) freezeGolden(store, start, job.golden().file());
        String snapshot = RunKeys.jobSnapshot(start.runId());
        if (!store.exists(snapshot)) {
            store.put(snapshot, store.read(jobKey), "application/yaml");
        }
        io.batchline.rerun.RerunLink.freeze(store, start.key(), start.runId()); // a rerun: which run it reprocesses
        RunRecord stored = ctx.runs().createRun(new RunRecord(start.runId(), start.job(), start.bucket(), start.key(),
                start.etag(), RunRecord.RunStatus.RUNNING, ctx.clock().instant(), null, null, null));
        ctx.faults().point("register.after_record");
        return new Registered(stored.runId(), stored.job(), stored.inputKey(), stored.startedAt().toString());
    }

    /**
     * Resume: reopens a run that failed or whose execution was stopped or crashed, and says from which
     * state its new execution goes on, judged from the run's records alone (so the same works for a deployed stack).
     * The reservation made when the run was planned stays as it is; the run's finalizer settles it.
     */
    public StagePayloads.Resumed resume(RunStart start) {
        String runId = start.runId();
        var runs = ctx.runs();
        RunRecord before = runs.run(runId).orElseThrow(() ->
                new PermanentStageException("RunMissing", "no run " + runId + " to resume"));
        if (!runs.reopenRun(runId, ctx.clock().instant(), start.execution())) {
            RunRecord now = runs.run(runId).orElse(before);
            throw new PermanentStageException("RunEnded", "run " + runId + " ended as " + now.status()
                    + (now.cancelRequested() ? " (canceled by an operator)" : "") + ": there is nothing to resume");
        }
        int last = 0;
        List<ShardRecord> shards = List.of();
        for (int a = 1; ; a++) {
            List<ShardRecord> s = runs.shards(runId, a);
            if (s.isEmpty()) break;
            last = a;
            shards = s;
        }
        boolean nothingSent = shards.stream().allMatch(s -> s.status() == ShardRecord.ShardStatus.PLANNED);
        io.batchline.job.JobSpec job = ctx.jobOfRun(before.bucket(), runId);
        String next;
        StagePayloads.Formatted plan;
        if (last == 0 || (last == 1 && nothingSent)) {
            next = "format";
            plan = new StagePayloads.Formatted(1, 0, 0, 0, 0, null);
        } else if (nothingSent) {
            next = "retry";
            plan = new StagePayloads.Formatted(last - 1, 0, 0, 0, 0, RunKeys.plan(runId, last - 1));
        } else {
            next = "poll";
            long requests = shards.stream().mapToLong(ShardRecord::requests).sum();
            // with a canary, attempt 1's check is repeated: its verdict is on S3, recording the rest resets nothing
            plan = new StagePayloads.Formatted(last, shards.size(), requests, 0, 0, RunKeys.plan(runId, last),
                    last == 1 && job.canary() != null);
        }
        long open = shards.stream().filter(s -> s.status().open() || s.status() == ShardRecord.ShardStatus.PLANNED)
                .count();
        int attempt = last;
        java.util.logging.Logger.getLogger(RegisterStage.class.getName()).info(() -> "resume: run " + runId + " was "
                + before.status() + (before.error() == null ? "" : " (" + before.error() + ")") + "; goes on at "
                + next + ", attempt " + Math.max(attempt, 1) + ", " + open + " shard(s) not ended");
        return new StagePayloads.Resumed(new Registered(runId, before.job(), before.inputKey(),
                before.startedAt().toString()), next, plan,
                new StagePayloads.PollState(false, ctx.config().pollMinSeconds(), 0, (int) open, List.of(), List.of()));
    }

    /**
     * Golden items: jobs/<job>/<file> is copied next to the frozen spec before the spec is, so a run whose
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
