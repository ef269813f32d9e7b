package io.batchline.pipeline;

import io.batchline.json.Json;
import io.batchline.metrics.EmfLine;
import io.batchline.metrics.RunMetrics;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * Objects in the inbox that start no run: why a key is not {@code inbox/<job>/<name>.jsonl|csv[.gz]},
 * and the EMF line that counts it ({@value #METRIC}, namespace Batchline, dimension {@code stage}; the reason and
 * the key as properties), so a file dropped with the wrong name is seen and not just an INFO log line.
 */
public final class IgnoredInbox {
    public static final String METRIC = "IgnoredInboxObjects";

    private IgnoredInbox() {}

    /** Why {@code key} starts no run: null when it does (an inbox input), else a short reason. */
    public static String reason(String key) {
        if (RunIds.jobOfInboxKey(key).isPresent()) return null;
        if (!key.startsWith(RunKeys.INBOX)) return "outside inbox/";
        String rest = key.substring(RunKeys.INBOX.length());
        int slash = rest.indexOf('/');
        if (slash < 0) return "not in a job folder (inbox/<job>/<name>)";
        String job = rest.substring(0, slash);
        String name = rest.substring(slash + 1);
        if (name.isEmpty()) return "a folder, not a file";
        if (name.contains("/")) return "nested folder (only inbox/<job>/<name> is read)";
        if (!job.matches("[A-Za-z0-9][A-Za-z0-9_-]{0,63}")) {
            return "job folder '" + job + "' is not a job name (1-64 of [A-Za-z0-9_-])";
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.matches(".+\\.(jsonl|csv)(\\.gz)?")) return "wrong case in the extension (.jsonl, .csv, .gz are lower case)";
        return "wrong extension (.jsonl or .csv, optionally .gz)";
    }

    /** One ignored object as an EMF line: {@value #METRIC} = 1 with its reason. */
    public static EmfLine metric(String stage, String bucket, String key, String reason) {
        return new EmfLine(RunMetrics.NAMESPACE).dimension("stage", stage)
                .property("bucket", bucket).property("key", key).property("reason", reason)
                .metric(METRIC, "Count", 1);
    }

    public static void print(String stage, String bucket, String key, String reason, Instant at, PrintStream out) {
        out.println(new String(Json.bytes(metric(stage, bucket, key, reason).toJson(at)), StandardCharsets.UTF_8));
    }
}
