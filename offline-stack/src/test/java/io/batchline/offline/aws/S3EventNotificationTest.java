package io.batchline.offline.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.batchline.offline.teststack.OfflineStackOnly;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

@OfflineStackOnly("tests the offline stack's own S3 -> SQS notifications (S3Emulator.addNotification)")
class S3EventNotificationTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String BUCKET = "batchline-events";
    static SqsEmulator sqsEmulator;
    static S3Emulator s3;
    static S3Client client;
    static SqsClient sqs;
    static String intakeUrl;
    static final List<String> suffixEvents = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        sqsEmulator = SqsEmulator.start(0);
        sqs = sqsEmulator.client();
        intakeUrl = sqsEmulator.createQueue("intake", Duration.ofSeconds(30), "intake-dlq", 3);
        s3 = S3Emulator.start(0, null);
        s3.addNotification("inbox/", null, URI.create(intakeUrl));
        s3.addNotification("reports/", ".json", suffixEvents::add);
        client = AwsClientsForLocal.s3(s3.endpoint());
        client.createBucket(b -> b.bucket(BUCKET));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (sqsEmulator != null) {
            sqsEmulator.close();
        }
    }

    @Test
    void putUnderThePrefixSendsOneAwsShapedEventAndOtherKeysNone() throws Exception {
        drain();
        String key = "inbox/job 1/données+x.jsonl";
        String body = "{\"id\":\"a\"}\n";
        Instant before = Instant.now().minusSeconds(1);
        client.putObject(b -> b.bucket(BUCKET).key("jobs/not-watched.yaml"), RequestBody.fromString("x: 1"));
        client.putObject(b -> b.bucket(BUCKET).key("inboxes/not-watched.jsonl"), RequestBody.fromString("{}"));
        String eTag = client.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(body)).eTag();

        // delivery happens before PutObject returns, so everything sent so far is in the queue now
        List<Message> messages = drain();
        assertThat(messages).hasSize(1);
        JsonNode root = JSON.readTree(messages.get(0).body());
        assertThat(root.fieldNames()).toIterable().containsExactly("Records");
        assertThat(root.get("Records")).hasSize(1);
        JsonNode r = root.get("Records").get(0);
        assertThat(r.get("eventVersion").asText()).isEqualTo("2.1");
        assertThat(r.get("eventSource").asText()).isEqualTo("aws:s3");
        assertThat(r.get("awsRegion").asText()).isEqualTo("us-east-1");
        assertThat(Instant.parse(r.get("eventTime").asText())).isAfter(before);
        assertThat(r.get("eventTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(r.get("eventName").asText()).isEqualTo("ObjectCreated:Put");
        assertThat(r.get("userIdentity").get("principalId").asText()).isNotBlank();
        assertThat(r.get("requestParameters").get("sourceIPAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(r.get("responseElements").get("x-amz-request-id").asText()).isNotBlank();
        assertThat(r.get("responseElements").get("x-amz-id-2").asText()).isNotBlank();
        JsonNode s3n = r.get("s3");
        assertThat(s3n.get("s3SchemaVersion").asText()).isEqualTo("1.0");
        assertThat(s3n.get("configurationId").asText()).isNotBlank();
        assertThat(s3n.get("bucket").get("name").asText()).isEqualTo(BUCKET);
        assertThat(s3n.get("bucket").get("arn").asText()).isEqualTo("arn:aws:s3:::" + BUCKET);
        assertThat(s3n.get("bucket").get("ownerIdentity").get("principalId").asText()).isNotBlank();
        JsonNode o = s3n.get("object");
        // S3 form-encodes keys: space as '+', a literal '+' as %2B, UTF-8 escapes, '/' kept
        assertThat(o.get("key").asText()).isEqualTo("inbox/job+1/donn%C3%A9es%2Bx.jsonl");
        assertThat(URLDecoder.decode(o.get("key").asText(), StandardCharsets.UTF_8)).isEqualTo(key);
        assertThat(o.get("size").isIntegralNumber()).isTrue();
        assertThat(o.get("size").asLong()).isEqualTo(body.getBytes(StandardCharsets.UTF_8).length);
        assertThat(o.get("eTag").asText()).isEqualTo(eTag.replace("\"", "")).doesNotContain("\"");
        assertThat(o.get("sequencer").asText()).matches("[0-9A-F]+");
    }

    @Test
    void rePuttingTheSameKeySendsAnotherEvent() throws Exception {
        drain();
        client.putObject(b -> b.bucket(BUCKET).key("inbox/j/again.jsonl"), RequestBody.fromString("1"));
        String second = client.putObject(b -> b.bucket(BUCKET).key("inbox/j/again.jsonl"), RequestBody.fromString("22"))
                .eTag();
        List<JsonNode> objects = new ArrayList<>();
        for (Message m : drain()) {
            objects.add(JSON.readTree(m.body()).get("Records").get(0).get("s3").get("object"));
        }
        assertThat(objects).hasSize(2);
        assertThat(objects).allSatisfy(o -> assertThat(o.get("key").asText()).isEqualTo("inbox/j/again.jsonl"));
        assertThat(objects).extracting(o -> o.get("size").asLong()).containsExactlyInAnyOrder(1L, 2L);
        JsonNode latest = objects.stream().filter(o -> o.get("size").asLong() == 2L).findFirst().orElseThrow();
        JsonNode earlier = objects.stream().filter(o -> o.get("size").asLong() == 1L).findFirst().orElseThrow();
        assertThat(latest.get("eTag").asText()).isEqualTo(second.replace("\"", ""));
        // a later write of the same key has a greater sequencer (same-length hex, so string order works)
        assertThat(latest.get("sequencer").asText()).isGreaterThan(earlier.get("sequencer").asText());
    }

    @Test
    void completeMultipartUploadAndCopySendTheirOwnEventNames() throws Exception {
        drain();
        String key = "inbox/mp/big.jsonl";
        String uploadId = client.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        byte[] part1 = new byte[5 * 1024 * 1024];
        byte[] part2 = "tail".getBytes(StandardCharsets.UTF_8);
        String e1 = client.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(part1)).eTag();
        String e2 = client.uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(part2)).eTag();
        // parts alone create no object, so no event yet
        assertThat(drain()).isEmpty();
        String mpETag = client.completeMultipartUpload(b -> b.bucket(BUCKET).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(e1).build(),
                        CompletedPart.builder().partNumber(2).eTag(e2).build()))).eTag();
        String copyETag = client.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("jobs/not-watched-src.txt")
                        .destinationBucket(BUCKET).destinationKey("inbox/copied/x.txt"))
                .copyObjectResult().eTag();

        List<JsonNode> records = new ArrayList<>();
        for (Message m : drain()) {
            records.add(JSON.readTree(m.body()).get("Records").get(0));
        }
        assertThat(records).extracting(r -> r.get("eventName").asText())
                .containsExactlyInAnyOrder("ObjectCreated:CompleteMultipartUpload", "ObjectCreated:Copy");
        JsonNode mp = records.stream().filter(r -> r.get("eventName").asText().endsWith("Upload")).findFirst()
                .orElseThrow().get("s3").get("object");
        assertThat(mp.get("key").asText()).isEqualTo(key);
        assertThat(mp.get("size").asLong()).isEqualTo(part1.length + part2.length);
        assertThat(mp.get("eTag").asText()).isEqualTo(mpETag.replace("\"", "")).endsWith("-2");
        JsonNode copy = records.stream().filter(r -> r.get("eventName").asText().endsWith("Copy")).findFirst()
                .orElseThrow().get("s3").get("object");
        assertThat(copy.get("key").asText()).isEqualTo("inbox/copied/x.txt");
        assertThat(copy.get("size").asLong()).isEqualTo(3);
        assertThat(copy.get("eTag").asText()).isEqualTo(copyETag.replace("\"", ""));
    }

    @Test
    void suffixFilterAndConsumerSink() throws Exception {
        suffixEvents.clear();
        client.putObject(b -> b.bucket(BUCKET).key("reports/r1.html"), RequestBody.fromString("<p>"));
        client.putObject(b -> b.bucket(BUCKET).key("reports/r1.json"), RequestBody.fromString("{}"));
        // a client-level retry of a put the server already stored yields a second event, as S3's at-least-once
        // delivery may: what matters here is that only the .json key passes the suffix filter
        assertThat(suffixEvents).isNotEmpty();
        for (String event : suffixEvents) {
            JsonNode o = JSON.readTree(event).get("Records").get(0).get("s3").get("object");
            assertThat(o.get("key").asText()).isEqualTo("reports/r1.json");
        }
        assertThat(s3.notificationDeliveryFailures()).isZero();
    }

    @org.junit.jupiter.api.BeforeEach
    void sourceForCopy() {
        client.putObject(b -> b.bucket(BUCKET).key("jobs/not-watched-src.txt"), RequestBody.fromString("abc"));
    }

    /** Receives until the queue answers empty; deletes what it got. */
    private static List<Message> drain() {
        List<Message> all = new ArrayList<>();
        while (true) {
            List<Message> batch = sqs.receiveMessage(b -> b.queueUrl(intakeUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0)).messages();
            if (batch.isEmpty()) {
                return all;
            }
            for (Message m : batch) {
                sqs.deleteMessage(b -> b.queueUrl(intakeUrl).receiptHandle(m.receiptHandle()));
            }
            all.addAll(batch);
        }
    }
}
