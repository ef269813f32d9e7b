package io.batchline.run;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Run ids are derived, never random: the same object (bucket, key, ETag) always maps to the same run,
 * so a duplicated S3 event meets Step Functions' execution-name idempotency and the run record's
 * conditional write. The id is also a valid execution name (1-80 of [A-Za-z0-9-_]).
 */
public final class RunIds {
    private RunIds() {}

    private static final Pattern INBOX_KEY =
            Pattern.compile("^inbox/([A-Za-z0-9][A-Za-z0-9_-]{0,63})/([^/]+\\.(jsonl|csv)(\\.gz)?)$");

    public static String runId(String job, String bucket, String key, String etag) {
        String hash = sha256Hex(bucket + "\n" + key + "\n" + stripQuotes(etag)).substring(0, 12);
        String prefix = job.length() > 60 ? job.substring(0, 60) : job;
        return prefix + "-" + hash;
    }

    /** The job named by an inbox key ({@code inbox/<job>/<name>.jsonl|csv[.gz]}), or empty if it is not one. */
    public static Optional<String> jobOfInboxKey(String key) {
        Matcher m = INBOX_KEY.matcher(key);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public static String stripQuotes(String etag) {
        if (etag == null) return "";
        return etag.startsWith("\"") && etag.endsWith("\"") && etag.length() >= 2
                ? etag.substring(1, etag.length() - 1) : etag;
    }

    public static String sha256Hex(String s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
