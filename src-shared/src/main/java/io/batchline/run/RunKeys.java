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

    /** Outcome lines one collected shard wrote; rewritten whole when a collect is repeated. */
    public static String shardPart(String runId, int attempt, int shard, OutcomeKind kind) {
        return run(runId) + "parts/a" + attempt + "/shard-" + pad(shard) + "/" + kind.fileName();
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

    public static String pad(int shard) {
        return String.format("%04d", shard);
    }
}
