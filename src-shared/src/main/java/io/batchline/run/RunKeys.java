package io.batchline.run;

import io.batchline.outcome.OutcomeKind;

/** The one place that knows the bucket layout (architecture.md, "Where data lives"). */
public final class RunKeys {
    private RunKeys() {}

    public static final String INBOX = "inbox/";
    public static final String JOBS = "jobs/";

    public static String jobSpec(String job) {
        return JOBS + job + ".yaml";
    }

    public static String run(String runId) {
        return "runs/" + runId + "/";
    }

    /** The job spec as it was when the run started: later edits of jobs/ do not change a run. */
    public static String jobSnapshot(String runId) {
        return run(runId) + "job.yaml";
    }

    public static String plan(String runId, int attempt) {
        return run(runId) + "plan-a" + attempt + ".json";
    }

    public static String shard(String runId, int attempt, int shard) {
        return run(runId) + "requests/a" + attempt + "/shard-" + pad(shard) + ".jsonl";
    }

    /** custom_id -> item (id, line, attempts so far) for one shard; bounded by the shard size. */
    public static String shardIndex(String runId, int attempt, int shard) {
        return run(runId) + "requests/a" + attempt + "/shard-" + pad(shard) + ".index.jsonl";
    }

    public static String raw(String runId, String batchId) {
        return run(runId) + "raw/" + batchId + ".jsonl";
    }

    /** Outcome lines the planner wrote (bad input lines, template errors). */
    public static String planPart(String runId, int attempt, OutcomeKind kind) {
        return run(runId) + "parts/a" + attempt + "/plan/" + kind.fileName();
    }

    /** Outcome lines of items answered from the result cache at planning; rewritten whole. */
    public static String cachedPart(String runId, OutcomeKind kind) {
        return run(runId) + "parts/a1/cached/" + kind.fileName();
    }

    /** Outcome lines one collected shard wrote; rewritten whole when a collect is repeated. */
    public static String shardPart(String runId, int attempt, int shard, OutcomeKind kind) {
        return run(runId) + "parts/a" + attempt + "/shard-" + pad(shard) + "/" + kind.fileName();
    }

    /**
     * Outcome lines of one checkpointed segment of a large shard: collect closes a segment every K results
     * so a restarted collect continues after it; the shard's last lines still go to {@link #shardPart}.
     */
    public static String shardSegmentPart(String runId, int attempt, int shard, int segment, OutcomeKind kind) {
        return shardSegmentsPrefix(runId, attempt, shard) + pad(segment) + "/" + kind.fileName();
    }

    /** Every outcome part of one collected shard: its last parts and its segments. */
    public static String shardPartsPrefix(String runId, int attempt, int shard) {
        return run(runId) + "parts/a" + attempt + "/shard-" + pad(shard) + "/";
    }

    public static String shardSegmentsPrefix(String runId, int attempt, int shard) {
        return run(runId) + "parts/a" + attempt + "/shard-" + pad(shard) + "/seg-";
    }

    /** Where collect records how far it got in one shard. */
    public static String collectCheckpoint(String runId, int attempt, int shard) {
        return run(runId) + "checkpoints/collect-a" + attempt + "-shard-" + pad(shard) + ".json";
    }

    /** Where "Plan and format" records how far it got in the input. */
    public static String formatCheckpoint(String runId, int attempt) {
        return run(runId) + "checkpoints/format-a" + attempt + ".json";
    }

    /**
     * Segment n of an outcome part planning writes across checkpoints ({@code part}: failed, chunks, cached-review,
     * ...); kept out of parts/ and chunks/, whose whole listing is merged: only the part assembled from the recorded
     * segments is.
     */
    public static String planSegment(String runId, int attempt, String part, int segment) {
        return run(runId) + "plan-segments/a" + attempt + "/" + part + "/seg-" + pad(segment) + ".jsonl";
    }

    public static String partsPrefix(String runId) {
        return run(runId) + "parts/";
    }

    /** Requests to send again in the next attempt, written by collect for one shard. */
    public static String retryPart(String runId, int nextAttempt, int fromShard) {
        return run(runId) + "retry/a" + nextAttempt + "/from-shard-" + pad(fromShard) + ".jsonl";
    }

    public static String retryPrefix(String runId, int nextAttempt) {
        return run(runId) + "retry/a" + nextAttempt + "/";
    }

    public static String outcome(String runId, OutcomeKind kind) {
        return run(runId) + "out/" + kind.fileName();
    }

    public static String report(String runId) {
        return run(runId) + "report.json";
    }

    /** The run's page, report.html: next to report.json. */
    public static String reportPage(String runId) {
        return run(runId) + "report.html";
    }

    /**
     * Where `rerun` records, before it drops a rerun's input at {@code inboxKey}, which run and selection the input
     * comes from; registration copies it to {@link #rerunOf}. Outside inbox/, so it starts no run.
     */
    public static String rerunRequest(String inboxKey) {
        return "reruns/" + (inboxKey.startsWith(INBOX) ? inboxKey.substring(INBOX.length()) : inboxKey) + ".json";
    }

    /** The run's link to the run it reprocesses ({@code run_id}, {@code only}, {@code selected}); absent otherwise. */
    public static String rerunOf(String runId) {
        return run(runId) + "rerun-of.json";
    }

    /** Where a job's golden file lives in the bucket: {@code jobs/<job>/<file>}, next to the spec. */
    public static String goldenSource(String job, String file) {
        return JOBS + job + "/" + file;
    }

    /** The golden file frozen with the run at registration; keeps its name, so its format (.jsonl/.csv) too. */
    public static String goldenSnapshot(String runId, String file) {
        return run(runId) + "golden/" + file.substring(file.lastIndexOf('/') + 1);
    }

    /** Golden items' outcome lines of one collected shard: kept out of parts/, so never in the outcome files. */
    public static String goldenPart(String runId, int attempt, int shard) {
        return goldenPartsPrefix(runId) + "a" + attempt + "/shard-" + pad(shard) + ".jsonl";
    }

    public static String goldenPartsPrefix(String runId) {
        return run(runId) + "golden-out/";
    }

    /** The canary's verdict (items, pass rate, cost per item, passed, cause), written once by "Check canary". */
    public static String canary(String runId) {
        return run(runId) + "canary.json";
    }

    /** Failed lines for the items a failed canary kept from being sent (merged by the finalizer like any part). */
    public static String canaryFailedPart(String runId) {
        return run(runId) + "parts/canary/" + OutcomeKind.FAILED.fileName();
    }

    /** Verdicts on the chunks of long items one collected shard reached, sorted by line and chunk. */
    public static String chunkPart(String runId, int attempt, int shard) {
        return run(runId) + "chunks/a" + attempt + "/shard-" + pad(shard) + ".jsonl";
    }

    /** Chunks the planner could not send (pre-flight, size), in line and chunk order. */
    public static String planChunkPart(String runId, int attempt) {
        return run(runId) + "chunks/a" + attempt + "/plan.jsonl";
    }

    public static String chunksPrefix(String runId) {
        return run(runId) + "chunks/";
    }

    /**
     * The "attempt" under which finalize writes the merged lines of chunked items as ordinary outcome parts
     * ({@code shardPart(runId, 0, 0, kind)}), so they are merged, counted and sent for review like any shard's.
     */
    public static final int MERGED_CHUNKS_ATTEMPT = 0;

    public static String pad(int shard) {
        return String.format("%04d", shard);
    }
}
