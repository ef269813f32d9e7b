package io.batchline.offline.aws;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * S3 event notifications as AWS sends them (the part S3Proxy lacks): rules on key prefix/suffix, one
 * message per created object, in the {"Records":[...]} shape with eventVersion 2.1.
 *
 * <p>Delivery is synchronous, inside the S3 request and before its response, so a caller that sees its
 * PutObject succeed can already receive the event. A failing sink never fails the S3 request (AWS does
 * not either); the failure is logged and counted in {@link #deliveryFailures()}.
 */
public final class S3EventNotifications {
    public enum EventName {
        PUT("ObjectCreated:Put"),
        COMPLETE_MULTIPART_UPLOAD("ObjectCreated:CompleteMultipartUpload"),
        COPY("ObjectCreated:Copy");

        public final String awsName;

        EventName(String awsName) {
            this.awsName = awsName;
        }
    }

    /** One notification configuration; bucketOrNull = any bucket, suffixOrNull = any suffix. */
    public record Rule(String configurationId, String bucketOrNull, String prefix, String suffixOrNull,
                       Consumer<String> sink) {
        public Rule {
            Objects.requireNonNull(configurationId, "configurationId");
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(sink, "sink");
        }

        boolean matches(String bucket, String key) {
            return (bucketOrNull == null || bucketOrNull.equals(bucket))
                    && key.startsWith(prefix)
                    && (suffixOrNull == null || key.endsWith(suffixOrNull));
        }
    }

    private static final System.Logger LOG = System.getLogger(S3EventNotifications.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final DateTimeFormatter EVENT_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String PRINCIPAL = "AWS:" + AwsClientsForLocal.ACCOUNT_ID;
    private static final String OWNER = "A" + AwsClientsForLocal.ACCOUNT_ID;

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    // AWS sequencers grow per key; one global counter seeded with the clock keeps that across restarts
    private final AtomicLong sequencer = new AtomicLong(System.currentTimeMillis() * 1000);
    private final AtomicLong failures = new AtomicLong();
    private final SecureRandom random = new SecureRandom();

    public void add(Rule rule) {
        rules.add(Objects.requireNonNull(rule));
    }

    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    public long deliveryFailures() {
        return failures.get();
    }

    boolean anyRuleFor(String bucket, String key) {
        for (Rule r : rules) {
            if (r.matches(bucket, key)) {
                return true;
            }
        }
        return false;
    }

    /** Called after an object was created; eTag may carry quotes (they are removed, as in AWS events). */
    void objectCreated(EventName event, String bucket, String key, long size, String eTag) {
        for (Rule rule : rules) {
            if (!rule.matches(bucket, key)) {
                continue;
            }
            String body = eventJson(event, rule.configurationId(), bucket, key, size, eTag, Instant.now());
            try {
                rule.sink().accept(body);
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "S3 event notification " + rule.configurationId() + " for s3://"
                        + bucket + "/" + key + " was not delivered (the object itself was stored)", e);
            }
        }
    }

    String eventJson(EventName event, String configurationId, String bucket, String key, long size,
                     String eTag, Instant time) {
        ObjectNode root = MAPPER.createObjectNode();
        ObjectNode rec = root.putArray("Records").addObject();
        rec.put("eventVersion", "2.1");
        rec.put("eventSource", "aws:s3");
        rec.put("awsRegion", AwsClientsForLocal.REGION.id());
        rec.put("eventTime", EVENT_TIME.format(time));
        rec.put("eventName", event.awsName);
        rec.putObject("userIdentity").put("principalId", PRINCIPAL);
        // the blob-store layer does not see the client address; everything local comes from loopback
        rec.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        ObjectNode response = rec.putObject("responseElements");
        response.put("x-amz-request-id", hex(8).toUpperCase());
        response.put("x-amz-id-2", java.util.Base64.getEncoder().encodeToString(bytes(48)));
        ObjectNode s3 = rec.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", configurationId);
        ObjectNode b = s3.putObject("bucket");
        b.put("name", bucket);
        b.putObject("ownerIdentity").put("principalId", OWNER);
        b.put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode o = s3.putObject("object");
        o.put("key", encodeKey(key));
        o.put("size", size);
        o.put("eTag", stripQuotes(eTag));
        o.put("sequencer", String.format("%018X", sequencer.incrementAndGet()));
        try {
            return MAPPER.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an S3 event", e);
        }
    }

    /**
     * S3 writes keys in events form-URL-encoded: space as '+', UTF-8 percent escapes, '/' kept.
     * Consumers decode with URLDecoder (UTF-8).
     */
    public static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    static String stripQuotes(String eTag) {
        if (eTag == null) {
            return null;
        }
        String t = eTag.strip();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }

    private String hex(int n) {
        return HexFormat.of().formatHex(bytes(n));
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
