package io.batchline.pipeline;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What each stage's function may do in the run bucket, as key patterns in IAM's notation ({@code *} matches any
 * characters, {@code /} included): the deployed stack grants exactly these to the stage's role (reads as
 * {@code s3:GetObject}, which a HEAD needs too, writes as {@code s3:PutObject}, deletes as {@code s3:DeleteObject},
 * and {@code s3:ListBucket} on the bucket to every stage that reads, so that a missing key is a 404, not a 403), and
 * the stage tests run every stage against a store that refuses any other key, so a key a stage touches without a
 * grant fails a test instead of a deployed run.
 */
public record StageBucketAccess(List<String> reads, List<String> writes, List<String> deletes) {
    private static final StageBucketAccess NONE = new StageBucketAccess(List.of(), List.of(), List.of());

    private static final Map<String, StageBucketAccess> BY_STAGE = Map.ofEntries(
            Map.entry(StageNames.INTAKE, NONE), // reads the S3 event, starts the execution
            Map.entry(StageNames.REGISTER, new StageBucketAccess(
                    List.of("inbox/*", "jobs/*", "reruns/*", "runs/*/job.yaml", "runs/*/golden/*",
                            "runs/*/rerun-of.json"),
                    List.of("runs/*/job.yaml", "runs/*/golden/*", "runs/*/rerun-of.json"),
                    List.of())),
            Map.entry(StageNames.FORMAT, new StageBucketAccess(
                    List.of("inbox/*", "runs/*"),
                    List.of("runs/*/plan-a*", "runs/*/requests/*", "runs/*/parts/*", "runs/*/checkpoints/*",
                            "runs/*/plan-segments/*", "runs/*/chunks/*"),
                    List.of())),
            // the first attempt's calibration goes into the plan; a shard the provider finds too large is split
            Map.entry(StageNames.SUBMIT, new StageBucketAccess(
                    List.of("runs/*"), List.of("runs/*/plan-a*", "runs/*/requests/*"), List.of())),
            Map.entry(StageNames.POLL, new StageBucketAccess(List.of("runs/*"), List.of("runs/*/raw/*"), List.of())),
            // collect's checkpoints replace the outcome parts and chunk answers of a shard's unfinished segments
            Map.entry(StageNames.COLLECT, new StageBucketAccess(
                    List.of("runs/*"),
                    List.of("runs/*/parts/*", "runs/*/retry/*", "runs/*/golden-out/*", "runs/*/checkpoints/*",
                            "runs/*/chunks/*", "runs/*/review-sent/*"),
                    List.of("runs/*/parts/*", "runs/*/retry/*", "runs/*/golden-out/*", "runs/*/chunks/*"))),
            Map.entry(StageNames.CANARY, new StageBucketAccess(
                    List.of("runs/*"), List.of("runs/*/canary.json", "runs/*/parts/*", "runs/*/chunks/*"), List.of())),
            // chunked items' merged answers become one more outcome part (attempt 0) before the outcome files
            Map.entry(StageNames.FINALIZE, new StageBucketAccess(
                    List.of("runs/*"), List.of("runs/*/out/*", "runs/*/parts/*", "runs/*/report.json",
                            "runs/*/report.html"),
                    List.of())),
            Map.entry(StageNames.MARK_FAILED, new StageBucketAccess(List.of("runs/*"), List.of(), List.of())),
            Map.entry(StageNames.CANCEL, NONE), // the table and the provider only
            // lists the inbox, reads each file's ETag, asks whether its run registered
            Map.entry(StageNames.SWEEP, new StageBucketAccess(List.of("inbox/*", "runs/*/job.yaml"), List.of(),
                    List.of())),
            // releasing a reservation sums the cost in the run's outcome parts, nothing else of the bucket
            Map.entry(StageNames.EXECUTION_ENDED, new StageBucketAccess(List.of("runs/*/parts/*"), List.of(),
                    List.of())));

    /** The access of the stage named {@code stage} (one of {@link StageNames}). */
    public static StageBucketAccess of(String stage) {
        StageBucketAccess access = BY_STAGE.get(stage);
        if (access == null) throw new IllegalArgumentException("no stage named " + stage);
        return access;
    }

    public boolean mayRead(String key) {
        return matchesAny(reads, key);
    }

    public boolean mayWrite(String key) {
        return matchesAny(writes, key);
    }

    public boolean mayDelete(String key) {
        return matchesAny(deletes, key);
    }

    /** Whether {@code key} matches one of {@code patterns} as IAM matches a resource ARN's key part. */
    static boolean matchesAny(List<String> patterns, String key) {
        for (String p : patterns) {
            String[] parts = p.split("\\*", -1);
            StringBuilder regex = new StringBuilder(Pattern.quote(parts[0]));
            for (int i = 1; i < parts.length; i++) regex.append(".*").append(Pattern.quote(parts[i]));
            if (Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(key).matches()) return true;
        }
        return false;
    }
}
