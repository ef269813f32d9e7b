package io.batchline.cli.operate;

import io.batchline.aws.dynamodb.DynamoResultCache;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.cache.ResultCache;
import io.batchline.cli.JobFiles;
import io.batchline.cli.Target;
import io.batchline.cli.UserInputException;
import io.batchline.input.InputReader;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecException;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.rerun.RerunInput;
import io.batchline.rerun.RerunLink;
import io.batchline.rerun.RerunSelection;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.ShardRecord;
import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectChangedException;
import io.batchline.store.ObjectStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * {@code ./batchline rerun RUN_ID --job JOB2 [--only rejected,review,...]}: the selected items of a finished run go
 * through another job spec (another prompt version) as a new run linked to the first. The new run's input is the
 * first run's with every unselected record blanked ({@link RerunInput}), so each item keeps its line and id and the
 * two outcome folders compare line by line. An item whose request is byte-identical to one the first run sent is
 * answered from the result cache, not sent: the rerun's job gets {@code result_cache} with a window covering the
 * first run when it sets none, and the first run's answers are put into the cache when its job had none. The new
 * run is started and followed as {@code local run} starts one ({@link RunSubmission}), on the target of
 * {@code --target FILE} or the offline stack of {@code --state DIR}.
 */
final class RerunCommand {
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;
    /** The catalogue and API version job specs are checked against. */
    private final PipelineConfig config;

    RerunCommand(PrintStream out, PrintStream err, Clock clock, PipelineConfig config) {
        this.out = out;
        this.err = err;
        this.clock = clock;
        this.config = config;
    }

    /** Opens the target the rerun runs on (after the job file was checked). */
    interface TargetOpener {
        Target open() throws Exception;
    }

    record Options(String runId, Path jobFile, Set<RerunSelection.Tier> only, Path outDir, int timeoutMinutes) {}

    /** The job file is read and checked before {@code target} is opened: a bad spec starts no stack. */
    int run(Options o, TargetOpener target) throws Exception {
        JobSpec job = JobFiles.loadJob(o.jobFile(), config); // checked exactly as `local run --job` checks it
        byte[] jobBytes = Files.readAllBytes(o.jobFile());
        try (Target stack = target.open()) {
            ObjectStore bucket = new S3ObjectStore(stack.s3(), stack.names().bucket());
            DynamoRunStore runs = new DynamoRunStore(stack.dynamoDb(), stack.names().table());
            RunRecord first = runs.run(o.runId()).orElseThrow(() -> new UserInputException("no run " + o.runId()
                    + " (`" + stack.commandHere("status") + "` lists the runs)"));
            if (!bucket.exists(RunKeys.report(first.runId()))) {
                throw new UserInputException("run " + first.runId() + " has not finished (" + first.status()
                        + "): it has no outcome files to select from yet");
            }
            JobSpec firstJob = frozenJob(bucket, first.runId());
            if (!java.util.Objects.equals(job.idField(), firstJob.idField())) {
                throw new UserInputException(o.jobFile() + ": id_field is " + describe(job.idField()) + " but run "
                        + first.runId() + " read its ids from " + describe(firstJob.idField())
                        + ": the rerun would give its items other ids; use the same id_field");
            }

            BitSet selected = RerunSelection.select(bucket, first.runId(), o.only());
            String only = RerunSelection.labels(o.only());
            if (selected.isEmpty()) {
                err.printf("batchline: run %s has no item in %s: nothing to rerun, no run started%n", first.runId(),
                        only.replace(",", ", "));
                return 1;
            }

            byte[] effective = withResultCache(job, jobBytes, first, o.jobFile());
            JobSpec effectiveJob = loadServedToday(effective);
            if (firstJob.resultCache() == null) seedCache(stack, bucket, runs, first, effectiveJob);

            String ext = extensionOf(first.inputKey());
            String inputName = "rerun-" + first.runId() + "-" + RunIds.sha256Hex(new String(jobBytes,
                    StandardCharsets.UTF_8) + "\n--only " + only).substring(0, 10) + ext;
            Path input = Files.createTempFile("batchline-rerun-", ext);
            try {
                RerunInput.Written w = writeInput(bucket, first, firstJob, selected, input);
                if (w.kept() != selected.cardinality()) {
                    throw new IllegalStateException("run " + first.runId() + "'s input " + first.inputKey() + " has "
                            + w.kept() + " of the " + selected.cardinality() + " selected line(s): has it changed?");
                }
                out.printf("batchline: rerun of run %s: %,d item(s) selected (--only %s) of %,d input line(s); the new"
                                + " input keeps their line numbers (the other lines are blank)%n", first.runId(),
                        selected.cardinality(), only, w.lines());
                String inboxKey = RunKeys.INBOX + job.name() + "/" + inputName;
                bucket.put(RunKeys.rerunRequest(inboxKey), Json.bytes(new RerunLink(first.runId(), only,
                        selected.cardinality())), "application/json");
                // the spec with the added result_cache is the job's spec in the bucket only for this run's start
                String jobKey = RunKeys.jobSpec(job.name());
                byte[] before = bucket.exists(jobKey) ? bucket.read(jobKey) : jobBytes;
                try {
                    return new RunSubmission(out, err).submit(stack, job, o.jobFile(), effective, input, inputName,
                            o.outDir(), o.timeoutMinutes());
                } finally {
                    if (effective != jobBytes) bucket.put(jobKey, before, "application/yaml");
                }
            } finally {
                Files.deleteIfExists(input);
            }
        }
    }

    private static String describe(String idField) {
        return idField == null ? "no id_field (hashed ids)" : "'" + idField + "'";
    }

    private JobSpec frozenJob(ObjectStore bucket, String runId) throws Exception {
        try (InputStream in = bucket.open(RunKeys.jobSnapshot(runId))) {
            return loadServedToday(in.readAllBytes());
        } catch (JobSpecException e) {
            throw new UserInputException("run " + runId + "'s frozen job spec no longer loads: " + e.getMessage());
        }
    }

    /** A job spec checked against the configured catalogue, its models still served today. */
    private JobSpec loadServedToday(byte[] yaml) {
        return JobSpecLoader.load(yaml, LocalDate.now(ZoneOffset.UTC), config.catalogue(), config.anthropicVersion());
    }

    private static String extensionOf(String inputKey) {
        String lower = inputKey.toLowerCase(java.util.Locale.ROOT);
        String ext = InputReader.formatOf(lower) == InputReader.Format.CSV ? ".csv" : ".jsonl";
        return InputReader.isGzip(lower) ? ext + ".gz" : ext;
    }

    /**
     * The job spec the rerun runs with: the file as written, plus {@code result_cache} with a window covering the
     * first run when it sets none, so a request identical to one the first run sent is answered from the cache.
     */
    private byte[] withResultCache(JobSpec job, byte[] jobBytes, RunRecord first, Path jobFile) {
        Duration age = Duration.between(first.startedAt(), clock.instant());
        if (job.resultCache() != null) {
            if (job.resultCache().windowDuration().compareTo(age) < 0) {
                out.printf("batchline: note: %s sets result_cache.window %s, shorter than the %d h since run %s"
                                + " started: its answers are not reused, identical requests are sent (and paid) again%n",
                        jobFile, job.resultCache().window(), age.toHours(), first.runId());
            }
            return jobBytes;
        }
        long days = age.toDays() + 2; // covers the first run with a day to spare
        String text = new String(jobBytes, StandardCharsets.UTF_8);
        String added = (text.endsWith("\n") ? "" : "\n") + "\n# added by `batchline rerun`: answers to requests identical"
                + " to run " + first.runId() + "'s are reused, not paid again\nresult_cache:\n  window: " + days + "d\n";
        byte[] effective = (text + added).getBytes(StandardCharsets.UTF_8);
        try {
            loadServedToday(effective);
        } catch (JobSpecException e) {
            throw new UserInputException(jobFile + ": result_cache could not be added to this spec (" + e.getMessage()
                    + "); add `result_cache: {window: " + days + "d}` to it yourself");
        }
        out.printf("batchline: result_cache.window %dd added to the rerun's job spec (it sets none): requests"
                + " identical to run %s's are answered from the cache%n", days, first.runId());
        return effective;
    }

    /**
     * The first run's job had no result cache, so its answers were not stored: they are put in now, each under the
     * hash of the request that got it (read from the run's request shards), by the same rules collect stores by.
     */
    private void seedCache(Target stack, ObjectStore bucket, DynamoRunStore runs, RunRecord first,
                           JobSpec effectiveJob) {
        DynamoResultCache cache = new DynamoResultCache(stack.dynamoDb(), stack.names().table());
        long stored = 0;
        for (int attempt = 1; ; attempt++) {
            List<ShardRecord> shards = runs.shards(first.runId(), attempt);
            if (shards.isEmpty()) break;
            for (ShardRecord shard : shards) {
                if (!bucket.exists(shard.requestsKey())) continue;
                stored += ResultCache.storeCollected(cache, effectiveJob, bucket, shard, clock);
            }
        }
        out.printf("batchline: %,d answer(s) of run %s put into the result cache (its job had no result_cache)%n",
                stored, first.runId());
    }

    /** The rerun's input: the first run's input (streamed from the bucket) with the unselected records blank. */
    private static RerunInput.Written writeInput(ObjectStore bucket, RunRecord first, JobSpec firstJob, BitSet selected,
                                                 Path to) throws Exception {
        String name = first.inputKey();
        ObjectStore.Version version = ObjectStore.Version.ofEtag(first.etag()); // the bytes the run read, or none
        try {
            BitSet starts = null;
            if (InputReader.formatOf(name) == InputReader.Format.CSV) {
                starts = RerunInput.csvRecordStarts(bucket.open(name, version), name, firstJob.idField(),
                        firstJob.maxLineBytes());
            }
            try (OutputStream file = Files.newOutputStream(to);
                 OutputStream o = InputReader.isGzip(name) ? new GZIPOutputStream(file, 64 * 1024) : file) {
                return RerunInput.write(bucket.open(name, version), name, selected, starts, o);
            }
        } catch (ObjectChangedException | NoSuchObjectException e) {
            throw new UserInputException("run " + first.runId() + "'s input s3://" + first.bucket() + "/" + name
                    + " is no longer the file it read (" + e.getMessage() + "): its lines cannot be selected again");
        }
    }
}
