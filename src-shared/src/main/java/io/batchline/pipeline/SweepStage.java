package io.batchline.pipeline;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import io.batchline.store.ObjectStore.ObjectInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The scheduled inbox sweep: starts a run for every inbox file that has none yet, e.g. when its S3 event
 * was lost or dead-lettered, or files were copied in before the notification existed. A file is "run" once its
 * run registered (runs/<id>/job.yaml); a run started but not yet registered meets Step Functions' execution-name
 * idempotency through {@link IntakeStage#start}, exactly as a duplicated S3 event does.
 */
public final class SweepStage {
    private static final Logger LOG = Logger.getLogger(SweepStage.class.getName());
    public static final String MODE_INBOX = "inbox";

    private final Function<String, ObjectStore> stores;
    private final IntakeStage intake;
    private final String defaultBucket;

    public SweepStage(Function<String, ObjectStore> stores, IntakeStage intake, String defaultBucket) {
        this.stores = stores;
        this.intake = intake;
        this.defaultBucket = defaultBucket;
    }

    /** The schedule's input: {"mode": "inbox"}; optional bucket (default BATCHLINE_BUCKET) and job (default all). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SweepRequest(
            @JsonProperty("mode") String mode,
            @JsonProperty("bucket") String bucket,
            @JsonProperty("job") String job) {}

    public record SweepResult(
            @JsonProperty("files") int files,
            @JsonProperty("started") List<String> started,
            @JsonProperty("already_started") int alreadyStarted,
            @JsonProperty("already_run") int alreadyRun,
            @JsonProperty("ignored") int ignored) {}

    public SweepResult sweep(SweepRequest request) {
        SweepRequest r = request == null ? new SweepRequest(null, null, null) : request;
        String mode = r.mode() == null ? MODE_INBOX : r.mode();
        if (!mode.equals(MODE_INBOX)) {
            // the pending-retry re-run (schedule "PendingRetries", disabled by default) has no stage yet
            throw new PermanentStageException("SweepModeUnsupported", "sweep mode '" + mode
                    + "' is not implemented; supported: " + MODE_INBOX);
        }
        String bucket = r.bucket() != null && !r.bucket().isBlank() ? r.bucket() : defaultBucket;
        if (bucket == null || bucket.isBlank()) throw new IllegalStateException("BATCHLINE_BUCKET is not set");
        ObjectStore store = stores.apply(bucket);
        String prefix = r.job() == null ? RunKeys.INBOX : RunKeys.INBOX + r.job() + "/";
        List<String> started = new ArrayList<>();
        int files = 0, alreadyStarted = 0, alreadyRun = 0, ignored = 0;
        for (String key : store.list(prefix)) {
            files++;
            Optional<String> job = RunIds.jobOfInboxKey(key);
            Optional<ObjectInfo> info = job.isPresent() ? store.head(key) : Optional.empty();
            if (info.isEmpty()) { // not inbox/<job>/<name>.jsonl|csv[.gz], or deleted since the listing
                ignored++;
                continue;
            }
            String etag = RunIds.stripQuotes(info.get().etag());
            String runId = RunIds.runId(job.get(), bucket, key, etag);
            if (store.exists(RunKeys.jobSnapshot(runId))) {
                alreadyRun++;
                continue;
            }
            IntakeStage.Decision d = intake.start(new RunStart(runId, bucket, key, etag, job.get()));
            if (d == IntakeStage.Decision.STARTED) {
                started.add(runId);
                LOG.info(() -> "sweep: started run " + runId + " for s3://" + bucket + "/" + key);
            } else {
                alreadyStarted++;
            }
        }
        SweepResult result = new SweepResult(files, started, alreadyStarted, alreadyRun, ignored);
        LOG.info(() -> "sweep: " + result);
        return result;
    }
}
