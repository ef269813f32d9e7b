package io.batchline.offline.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The SQS -> Lambda trigger AWS provides, for the local stack: one poller long-polls the queue (1 s),
 * hands up to batchSize messages to the function through the Lambda Invoke API
 * (POST {lambdaEndpoint}/2015-03-31/functions/{name}/invocations) as an AWS SQS event, and deletes what
 * was processed, with ReportBatchItemFailures semantics:
 * <ul>
 *   <li>function error (HTTP 200 + X-Amz-Function-Error, non-2xx, or no answer) -> nothing is deleted;
 *       the messages come back after the visibility timeout and move to the DLQ after maxReceiveCount;</li>
 *   <li>{"batchItemFailures":[{"itemIdentifier":id},...]} -> all other messages are deleted;</li>
 *   <li>empty / null response or empty list -> all deleted;</li>
 *   <li>invalid JSON, or an itemIdentifier that is null, empty or not in the batch -> nothing deleted (as AWS).</li>
 * </ul>
 * One poller means one batch in flight at a time (AWS scales pollers; this stand-in does not).
 */
public final class SqsEventSourceMapping implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SqsEventSourceMapping.class.getName());
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration ERROR_BACKOFF = Duration.ofMillis(500);

    private final SqsClient sqs;
    private final String queueUrl;
    private final URI invokeUri;
    private final String functionName;
    private final int batchSize;
    private final Duration invokeTimeout;
    private final HttpClient http;
    private final AtomicLong invocations = new AtomicLong();
    private final AtomicLong failedInvocations = new AtomicLong();
    private volatile String queueArn;
    private volatile boolean running;
    private Thread poller;

    /**
     * @param sqs            a client for the queue's endpoint (not closed by this mapping)
     * @param lambdaEndpoint the Lambda host's base URI, e.g. http://127.0.0.1:9001
     * @param batchSize      1..10 messages per invocation
     * @param invokeTimeout  how long one invocation may take (the function's timeout)
     */
    public SqsEventSourceMapping(SqsClient sqs, String queueUrl, URI lambdaEndpoint, String functionName,
                                 int batchSize, Duration invokeTimeout) {
        if (batchSize < 1 || batchSize > 10) {
            throw new IllegalArgumentException("batchSize must be 1..10, was " + batchSize);
        }
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.functionName = Objects.requireNonNull(functionName, "functionName");
        String base = lambdaEndpoint.toString().replaceAll("/+$", "");
        this.invokeUri = URI.create(base + "/2015-03-31/functions/"
                + URLEncoder.encode(functionName, StandardCharsets.UTF_8).replace("+", "%20") + "/invocations");
        this.batchSize = batchSize;
        this.invokeTimeout = Objects.requireNonNull(invokeTimeout, "invokeTimeout");
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Batches of 10, 15 minute invoke timeout (Lambda's maximum). */
    public SqsEventSourceMapping(SqsClient sqs, String queueUrl, URI lambdaEndpoint, String functionName) {
        this(sqs, queueUrl, lambdaEndpoint, functionName, 10, Duration.ofMinutes(15));
    }

    public synchronized SqsEventSourceMapping start() {
        if (poller != null) {
            throw new IllegalStateException("already started");
        }
        queueArn = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        running = true;
        poller = new Thread(this::pollLoop, "esm-" + functionName);
        poller.setDaemon(true);
        poller.start();
        return this;
    }

    /** Invocations made so far (successful or not). */
    public long invocations() {
        return invocations.get();
    }

    /** Invocations that ended in a function error or no answer. */
    public long failedInvocations() {
        return failedInvocations.get();
    }

    /** Stops polling and waits for the batch in flight (at most the invoke timeout plus a margin). */
    @Override
    public void close() throws InterruptedException {
        Thread t;
        synchronized (this) {
            running = false;
            t = poller;
        }
        if (t == null) {
            return;
        }
        t.join(invokeTimeout.plusSeconds(10).toMillis());
        if (t.isAlive()) {
            t.interrupt();
            t.join(5_000);
            if (t.isAlive()) {
                throw new IllegalStateException("event source mapping for " + functionName + " did not stop");
            }
        }
    }

    private void pollLoop() {
        while (running) {
            try {
                List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl)
                        .maxNumberOfMessages(batchSize)
                        .waitTimeSeconds(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All")).messages();
                if (messages.isEmpty()) {
                    continue;
                }
                handleBatch(messages);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | IOException e) {
                // keep the trigger alive like AWS does; the messages reappear after their visibility timeout
                LOG.log(System.Logger.Level.ERROR, "event source mapping " + queueUrl + " -> " + functionName, e);
                try {
                    Thread.sleep(ERROR_BACKOFF.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void handleBatch(List<Message> messages) throws IOException, InterruptedException {
        byte[] event = MAPPER.writeValueAsBytes(sqsEvent(messages, queueArn));
        HttpRequest request = HttpRequest.newBuilder(invokeUri)
                .timeout(invokeTimeout)
                .header("Content-Type", "application/json")
                .header("X-Amz-Invocation-Type", "RequestResponse")
                .POST(HttpRequest.BodyPublishers.ofByteArray(event))
                .build();
        invocations.incrementAndGet();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            failedInvocations.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "invoke " + functionName + " failed; " + messages.size()
                    + " message(s) stay on the queue: " + e);
            Thread.sleep(ERROR_BACKOFF.toMillis());
            return;
        }
        boolean functionError = response.statusCode() / 100 != 2
                || response.headers().firstValue("X-Amz-Function-Error").isPresent();
        if (functionError) {
            failedInvocations.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "function " + functionName + " failed (HTTP " + response.statusCode()
                    + "); " + messages.size() + " message(s) stay on the queue: " + abbreviate(response.body()));
            return;
        }
        Set<String> ids = new HashSet<>();
        messages.forEach(m -> ids.add(m.messageId()));
        Set<String> failed = failedItems(response.body(), ids);
        if (failed == null) {
            LOG.log(System.Logger.Level.WARNING, "function " + functionName + " returned an invalid batch response;"
                    + " treating the whole batch as failed: " + abbreviate(response.body()));
            return;
        }
        List<DeleteMessageBatchRequestEntry> deletes = new ArrayList<>();
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                deletes.add(DeleteMessageBatchRequestEntry.builder()
                        .id(Integer.toString(deletes.size())).receiptHandle(m.receiptHandle()).build());
            }
        }
        if (deletes.isEmpty()) {
            return;
        }
        DeleteMessageBatchResponse deleted = sqs.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(deletes));
        if (deleted.hasFailed() && !deleted.failed().isEmpty()) {
            // those messages will be delivered again; say so instead of hiding it
            LOG.log(System.Logger.Level.ERROR, "could not delete processed messages from " + queueUrl + ": "
                    + deleted.failed());
        }
    }

    /**
     * The message ids to keep on the queue, or null when the response makes the whole batch a failure
     * (AWS: invalid JSON, null/empty itemIdentifier, unknown id).
     */
    static Set<String> failedItems(String body, Set<String> batchIds) {
        if (body == null || body.isBlank()) {
            return Set.of();
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (root == null || root.isNull() || !root.isObject()) {
            // JSON null is a null EventResponse (success); a bare string or number is not a batch response
            return root == null || root.isNull() ? Set.of() : null;
        }
        JsonNode list = root.get("batchItemFailures");
        if (list == null || list.isNull()) {
            return Set.of();
        }
        if (!list.isArray()) {
            return null;
        }
        Set<String> failed = new HashSet<>();
        for (JsonNode item : list) {
            JsonNode id = item.get("itemIdentifier");
            if (id == null || !id.isTextual() || id.asText().isEmpty() || !batchIds.contains(id.asText())) {
                return null;
            }
            failed.add(id.asText());
        }
        return failed;
    }

    /** The Lambda SQS event for a batch, in AWS's shape. */
    static ObjectNode sqsEvent(List<Message> messages, String queueArn) {
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode records = root.putArray("Records");
        for (Message m : messages) {
            ObjectNode r = records.addObject();
            r.put("messageId", m.messageId());
            r.put("receiptHandle", m.receiptHandle());
            r.put("body", m.body());
            ObjectNode attributes = r.putObject("attributes");
            for (Map.Entry<String, String> a : m.attributesAsStrings().entrySet()) {
                attributes.put(a.getKey(), a.getValue());
            }
            ObjectNode messageAttributes = r.putObject("messageAttributes");
            for (Map.Entry<String, MessageAttributeValue> a : m.messageAttributes().entrySet()) {
                MessageAttributeValue v = a.getValue();
                ObjectNode n = messageAttributes.putObject(a.getKey());
                if (v.stringValue() != null) {
                    n.put("stringValue", v.stringValue());
                }
                if (v.binaryValue() != null) {
                    n.put("binaryValue", v.binaryValue().asByteArray());
                }
                ArrayNode strings = n.putArray("stringListValues");
                v.stringListValues().forEach(strings::add);
                ArrayNode binaries = n.putArray("binaryListValues");
                v.binaryListValues().forEach(bin -> binaries.add(bin.asByteArray()));
                n.put("dataType", v.dataType());
            }
            r.put("md5OfBody", m.md5OfBody());
            if (m.md5OfMessageAttributes() != null) {
                r.put("md5OfMessageAttributes", m.md5OfMessageAttributes());
            }
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", queueArn);
            r.put("awsRegion", AwsClientsForLocal.REGION.id());
        }
        return root;
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 500 ? s.substring(0, 500) + "..." : s;
    }
}
