package io.batchline.offline.aws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.batchline.offline.teststack.OfflineStackOnly;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

@OfflineStackOnly("tests the offline stack's own SQS -> Lambda event source mapping")
class SqsEventSourceMappingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static SqsEmulator sqsEmulator;
    static SqsClient sqs;
    static HttpServer lambda;
    static ExecutorService lambdaThreads;
    static URI lambdaEndpoint;
    /** function name -> behaviour; each call gets the parsed event. */
    static final Map<String, Function<JsonNode, Reply>> functions = new ConcurrentHashMap<>();
    static final Map<String, List<JsonNode>> events = new ConcurrentHashMap<>();

    record Reply(int status, Map<String, String> headers, String body) {
        static Reply ok(String body) {
            return new Reply(200, Map.of(), body);
        }
    }

    @BeforeAll
    static void start() throws IOException {
        sqsEmulator = SqsEmulator.start(0);
        sqs = sqsEmulator.client();
        // a stand-in for the project's Lambda host: just the Invoke API
        lambda = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        lambdaThreads = Executors.newFixedThreadPool(4);
        lambda.setExecutor(lambdaThreads);
        lambda.createContext("/2015-03-31/functions/", SqsEventSourceMappingTest::invoke);
        lambda.start();
        lambdaEndpoint = URI.create("http://127.0.0.1:" + lambda.getAddress().getPort());
    }

    @AfterAll
    static void stop() {
        if (lambda != null) {
            lambda.stop(0);
            lambdaThreads.shutdownNow();
        }
        if (sqsEmulator != null) {
            sqsEmulator.close();
        }
    }

    static void invoke(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] path = exchange.getRequestURI().getPath().split("/");
            // /2015-03-31/functions/{name}/invocations
            String name = path[3];
            Function<JsonNode, Reply> fn = functions.get(name);
            if (!"POST".equals(exchange.getRequestMethod()) || !"invocations".equals(path[4]) || fn == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            JsonNode event = JSON.readTree(exchange.getRequestBody());
            events.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(event);
            Reply reply = fn.apply(event);
            reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        }
    }

    @Test
    void partialBatchFailureKeepsOnlyTheFailedMessageWhichEndsInTheDlq() throws Exception {
        String queueUrl = sqsEmulator.createQueue("work", Duration.ofSeconds(1), "work-dlq", 2);
        String dlqUrl = sqsEmulator.queueUrl("work-dlq");
        functions.put("worker", event -> {
            StringBuilder failures = new StringBuilder();
            for (JsonNode r : event.get("Records")) {
                if (r.get("body").asText().startsWith("fail")) {
                    failures.append(failures.length() == 0 ? "" : ",")
                            .append("{\"itemIdentifier\":\"").append(r.get("messageId").asText()).append("\"}");
                }
            }
            return Reply.ok("{\"batchItemFailures\":[" + failures + "]}");
        });
        for (String body : List.of("ok-1", "fail-me", "ok-2")) {
            sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body));
        }

        List<Message> dead;
        try (SqsEventSourceMapping esm = new SqsEventSourceMapping(sqs, queueUrl, lambdaEndpoint, "worker").start()) {
            dead = receiveWithin(dlqUrl, Duration.ofSeconds(30));
        }

        assertThat(dead).extracting(Message::body).containsExactly("fail-me");
        List<JsonNode> invocations = events.get("worker");
        // all three were waiting, so the first poll handed them over as one batch
        assertThat(invocations.get(0).get("Records")).hasSize(3);
        JsonNode first = invocations.get(0).get("Records").get(0);
        assertAwsSqsRecord(first, "work");
        assertThat(receiveCounts(invocations, "ok-1")).containsExactly("1");
        assertThat(receiveCounts(invocations, "ok-2")).containsExactly("1");
        // received again after its visibility timeout, then moved to the DLQ on the receive after maxReceiveCount
        assertThat(receiveCounts(invocations, "fail-me")).containsExactly("1", "2");
        // the counts are approximate (as in SQS): the move to the DLQ shows in them a moment after the DLQ has it
        // (once more than 10 s on a fresh-clone build with both cores busy; the counts are printed if it never does)
        waitUntil(Duration.ofSeconds(30), () -> queueIsEmpty(queueUrl), () -> counts(queueUrl));
    }

    @Test
    void functionErrorsDeleteNothingSoTheBatchIsRedelivered() throws Exception {
        String queueUrl = sqsEmulator.createQueue("flaky", Duration.ofSeconds(1), "flaky-dlq", 5);
        AtomicInteger calls = new AtomicInteger();
        functions.put("flaky", event -> switch (calls.incrementAndGet()) {
            // Lambda's Invoke API reports a handler exception as HTTP 200 plus this header
            case 1 -> new Reply(200, Map.of("X-Amz-Function-Error", "Unhandled"),
                    "{\"errorType\":\"Boom\",\"errorMessage\":\"first try fails\"}");
            case 2 -> new Reply(502, Map.of(), "{\"message\":\"host down\"}");
            default -> Reply.ok("");
        });
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("m-1"));

        try (SqsEventSourceMapping esm = new SqsEventSourceMapping(sqs, queueUrl, lambdaEndpoint, "flaky").start()) {
            waitUntil(Duration.ofSeconds(30), () -> queueIsEmpty(queueUrl) && calls.get() >= 3);
            assertThat(esm.invocations()).isEqualTo(3);
            assertThat(esm.failedInvocations()).isEqualTo(2);
        }
        assertThat(receiveCounts(events.get("flaky"), "m-1")).containsExactly("1", "2", "3");
        assertThat(sqs.receiveMessage(b -> b.queueUrl(sqsEmulator.queueUrl("flaky-dlq")).waitTimeSeconds(0))
                .messages()).isEmpty();
    }

    @Test
    void closeStopsPolling() throws Exception {
        String queueUrl = sqsEmulator.createQueue("stopped", Duration.ofSeconds(30), null, 0);
        functions.put("stopped", event -> Reply.ok("{}"));
        new SqsEventSourceMapping(sqs, queueUrl, lambdaEndpoint, "stopped").start().close();
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody("after-close"));
        // still there, never handed to the function
        List<Message> left = sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(2)).messages();
        assertThat(left).extracting(Message::body).containsExactly("after-close");
        assertThat(events.get("stopped")).isNull();
    }

    @Test
    void batchResponsesAreInterpretedAsAwsDoes() {
        Set<String> batch = Set.of("a", "b");
        assertThat(SqsEventSourceMapping.failedItems("", batch)).isEmpty();
        assertThat(SqsEventSourceMapping.failedItems("null", batch)).isEmpty();
        assertThat(SqsEventSourceMapping.failedItems("{}", batch)).isEmpty();
        assertThat(SqsEventSourceMapping.failedItems("{\"batchItemFailures\":null}", batch)).isEmpty();
        assertThat(SqsEventSourceMapping.failedItems("{\"batchItemFailures\":[]}", batch)).isEmpty();
        assertThat(SqsEventSourceMapping.failedItems("{\"batchItemFailures\":[{\"itemIdentifier\":\"b\"}]}", batch))
                .containsExactly("b");
        // whole batch fails: unknown id, empty id, wrong key name, invalid JSON
        assertThat(SqsEventSourceMapping.failedItems("{\"batchItemFailures\":[{\"itemIdentifier\":\"zz\"}]}", batch))
                .isNull();
        assertThat(SqsEventSourceMapping.failedItems("{\"batchItemFailures\":[{\"itemIdentifier\":\"\"}]}", batch))
                .isNull();
        assertThat(SqsEventSourceMapping.failedItems("{\"batchItemFailures\":[{\"id\":\"a\"}]}", batch)).isNull();
        assertThat(SqsEventSourceMapping.failedItems("{not json", batch)).isNull();
    }

    static void assertAwsSqsRecord(JsonNode r, String queueName) {
        assertThat(r.get("messageId").asText()).isNotBlank();
        assertThat(r.get("receiptHandle").asText()).isNotBlank();
        assertThat(r.get("body").isTextual()).isTrue();
        JsonNode a = r.get("attributes");
        assertThat(a.get("ApproximateReceiveCount").asText()).isEqualTo("1");
        assertThat(a.get("SentTimestamp").asText()).matches("\\d{13}");
        assertThat(a.get("ApproximateFirstReceiveTimestamp").asText()).matches("\\d{13}");
        assertThat(a.get("SenderId").asText()).isNotBlank();
        assertThat(r.get("messageAttributes").isObject()).isTrue();
        assertThat(r.get("md5OfBody").asText()).isEqualTo(md5(r.get("body").asText()));
        assertThat(r.get("eventSource").asText()).isEqualTo("aws:sqs");
        assertThat(r.get("eventSourceARN").asText()).isEqualTo("arn:aws:sqs:us-east-1:000000000000:" + queueName);
        assertThat(r.get("awsRegion").asText()).isEqualTo("us-east-1");
    }

    static List<String> receiveCounts(List<JsonNode> invocations, String body) {
        List<String> counts = new ArrayList<>();
        for (JsonNode event : invocations) {
            for (JsonNode r : event.get("Records")) {
                if (r.get("body").asText().equals(body)) {
                    counts.add(r.get("attributes").get("ApproximateReceiveCount").asText());
                }
            }
        }
        return counts;
    }

    static List<Message> receiveWithin(String queueUrl, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Message> got = sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)).messages();
            if (!got.isEmpty()) {
                return got;
            }
        }
        throw new AssertionError("nothing arrived in " + queueUrl + " within " + timeout);
    }

    static boolean queueIsEmpty(String queueUrl) {
        Map<QueueAttributeName, String> a = counts(queueUrl);
        return "0".equals(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                && "0".equals(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    static Map<QueueAttributeName, String> counts(String queueUrl) {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
    }

    static void waitUntil(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        waitUntil(timeout, condition, () -> "");
    }

    /** {@code state} says what was seen when the condition is not met in time. */
    static void waitUntil(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<Object> state)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout + " " + state.get());
            }
            Thread.sleep(100);
        }
    }

    static String md5(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
