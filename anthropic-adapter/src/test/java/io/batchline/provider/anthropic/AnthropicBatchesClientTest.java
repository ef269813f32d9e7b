package io.batchline.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.batchline.json.Json;
import io.batchline.provider.AmbiguousCreateException;
import io.batchline.provider.BatchResult;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AnthropicBatchesClientTest {
    private static final String KEY = "sk-ant-secret-never-shown";

    /** What the scripted server received. */
    record Seen(String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
            }
            return null;
        }
    }

    /** One scripted answer; {@code stallMillis} > 0 holds the answer (or the body) back. */
    record Answer(int status, Map<String, String> headers, String body, boolean stallBeforeHeaders, boolean stallInBody) {
        static Answer json(int status, String body) {
            return new Answer(status, Map.of("request-id", "req_" + status), body, false, false);
        }
    }

    private HttpServer server;
    private final ConcurrentLinkedDeque<Answer> script = new ConcurrentLinkedDeque<>();
    private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders()), body));
        Answer a = script.pollFirst();
        if (a == null) a = Answer.json(500, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"unscripted\"}}");
        try {
            if (a.stallBeforeHeaders()) release.await(30, TimeUnit.SECONDS);
            a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(a.status(), a.stallInBody() ? 0 : out.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(out);
                os.flush();
                if (a.stallInBody()) release.await(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A documented answer from {@code /provider/<name>}, on one line. */
    private static String fixtureLine(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(
                AnthropicBatchesClientTest.class.getResourceAsStream("/provider/" + name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    private AnthropicBatchesClient client(int retries, Duration requestTimeout) {
        ProviderConfig cfg = ProviderConfig.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), () -> KEY)
                .withRetries(retries, Duration.ofMillis(100), Duration.ofSeconds(2))
                .withTimeouts(Duration.ofSeconds(2), requestTimeout);
        return new AnthropicBatchesClient(cfg, sleeps::add, () -> 0.5);
    }

    private static String batchJson(String id, String status) {
        return "{\"id\":\"" + id + "\",\"type\":\"message_batch\",\"processing_status\":\"" + status + "\","
                + "\"request_counts\":{\"processing\":3,\"succeeded\":0,\"errored\":0,\"canceled\":0,\"expired\":0},"
                + "\"created_at\":\"2025-01-01T00:00:00Z\",\"expires_at\":\"2025-01-02T00:00:00Z\"}";
    }

    private static String error(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" + message + "\"}}";
    }

    @Test
    void retriesOverloadedThenSucceedsWithHeaders() {
        script.add(Answer.json(529, error("overloaded_error", "Overloaded")));
        script.add(Answer.json(200, batchJson("msgbatch_1", "in_progress")));
        MessageBatch b = client(3, Duration.ofSeconds(5)).retrieve("msgbatch_1");
        assertThat(b.id()).isEqualTo("msgbatch_1");
        assertThat(seen).hasSize(2);
        assertThat(sleeps).hasSize(1);
        // full jitter: half of the first ceiling (base 100 ms) with jitter 0.5
        assertThat(sleeps.get(0)).isEqualTo(Duration.ofMillis(50));
        Seen s = seen.get(0);
        assertThat(s.method()).isEqualTo("GET");
        assertThat(s.path()).isEqualTo("/v1/messages/batches/msgbatch_1");
        assertThat(s.header("x-api-key")).isEqualTo(KEY);
        assertThat(s.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(s.header("content-type")).isEqualTo("application/json");
    }

    @Test
    void rateLimitHonoursRetryAfter() {
        script.add(new Answer(429, Map.of("retry-after", "7", "request-id", "req_rl"),
                error("rate_limit_error", "slow down"), false, false));
        script.add(Answer.json(200, batchJson("msgbatch_2", "ended")));
        MessageBatch b = client(3, Duration.ofSeconds(5)).retrieve("msgbatch_2");
        assertThat(b.ended()).isTrue();
        assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void gives_up_after_max_retries() {
        for (int i = 0; i < 5; i++) script.add(Answer.json(503, error("api_error", "unavailable")));
        assertThatThrownBy(() -> client(2, Duration.ofSeconds(5)).retrieve("msgbatch_x"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.SERVER);
                    assertThat(e.httpStatus()).isEqualTo(503);
                    assertThat(e.retryable()).isTrue();
                });
        assertThat(seen).hasSize(3);
        // exponential ceilings 100, 200 ms with jitter 0.5
        assertThat(sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void typedErrorsCarryRequestIdAndNeverTheKey() {
        script.add(new Answer(404, Map.of("request-id", "req_abc123"), error("not_found_error", "no such batch"),
                false, false));
        assertThatThrownBy(() -> client(3, Duration.ofSeconds(5)).retrieve("msgbatch_nope"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.NOT_FOUND);
                    assertThat(e.httpStatus()).isEqualTo(404);
                    assertThat(e.errorType()).isEqualTo("not_found_error");
                    assertThat(e.requestId()).isEqualTo("req_abc123");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("no such batch", "req_abc123").doesNotContain(KEY);
                });
        assertThat(seen).hasSize(1);

        script.add(Answer.json(401, error("authentication_error", "invalid x-api-key")));
        assertThatThrownBy(() -> client(3, Duration.ofSeconds(5)).retrieve("msgbatch_1"))
                .isInstanceOfSatisfying(ProviderException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.AUTHENTICATION));
        script.add(Answer.json(413, error("request_too_large", "too big")));
        assertThatThrownBy(() -> client(3, Duration.ofSeconds(5)).message(Json.MAPPER.createObjectNode()))
                .isInstanceOfSatisfying(ProviderException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.REQUEST_TOO_LARGE));
        assertThat(seen).hasSize(3);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void anErrorBodyThatEchoesTheKeyIsRedactedAndCapped() {
        String proxyKey = "proxy-key-0123456789abcdef"; // not shaped like an Anthropic key: redacted as the one we sent
        String padding = "x".repeat(5000);
        script.add(Answer.json(400, error("invalid_request_error", "bad header x-api-key: " + proxyKey
                + " (did you mean sk-ant-api03-AbC_dEf-123?) " + padding)));
        ProviderConfig cfg = ProviderConfig.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                () -> proxyKey).withRetries(0, Duration.ofMillis(100), Duration.ofSeconds(2));
        assertThatThrownBy(() -> new AnthropicBatchesClient(cfg, sleeps::add, () -> 0.5).retrieve("msgbatch_1"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.getMessage()).doesNotContain(proxyKey).doesNotContain("AbC_dEf")
                            .contains("bad header x-api-key: [REDACTED]", "sk-ant-[REDACTED]")
                            .contains("more characters cut]");
                    assertThat(e.getMessage().length()).isLessThan(500 + 200);
                });

        // an errored result's message, which becomes an outcome line's reason, is cleaned the same way
        BatchResult r = BatchResult.parse("{\"custom_id\":\"e\",\"result\":{\"type\":\"errored\",\"error\":"
                + "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"key "
                + proxyKey + " and sk-ant-api03-zzz " + padding + "\"}}}}");
        assertThat(r.errorMessage()).doesNotContain(proxyKey).doesNotContain("api03-zzz").contains("[REDACTED]")
                .endsWith("more characters cut]");
    }

    @Test
    void spendLimitRateLimitIsNotRetried() {
        script.add(Answer.json(429, "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"cap\","
                + "\"details\":{\"error_code\":\"enforced_spend_limit_reached\"}}}"));
        assertThatThrownBy(() -> client(3, Duration.ofSeconds(5)).retrieve("msgbatch_1"))
                .isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.retryable()).isFalse());
        assertThat(seen).hasSize(1);
    }

    @Test
    void requestTimeoutIsTypedAndRetried() {
        script.add(new Answer(200, Map.of(), batchJson("msgbatch_t", "ended"), true, false));
        script.add(new Answer(200, Map.of(), batchJson("msgbatch_t", "ended"), true, false));
        assertThatThrownBy(() -> client(1, Duration.ofMillis(300)).retrieve("msgbatch_t"))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.TIMEOUT);
                    assertThat(e.retryable()).isTrue();
                });
        assertThat(sleeps).hasSize(1);
    }

    @Test
    void stalledResultsBodyFailsTheRead() throws IOException {
        script.add(new Answer(200, Map.of(), "{\"custom_id\":\"a\",\"result\":{\"type\":\"expired\"}}\n", false, true));
        try (InputStream in = client(0, Duration.ofMillis(300)).results("msgbatch_s")) {
            assertThat(in.read()).isEqualTo('{');
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("no data");
        }
        assertThat(seen.get(0).path()).isEqualTo("/v1/messages/batches/msgbatch_s/results");
    }

    @Test
    void createStreamsEveryLineWithExactLength() {
        StringBuilder jsonl = new StringBuilder();
        int n = 1500;
        for (int i = 0; i < n; i++) {
            jsonl.append("{\"custom_id\":\"req-").append(i).append("\",\"params\":{\"model\":\"m\",\"max_tokens\":10,")
                    .append("\"messages\":[{\"role\":\"user\",\"content\":\"line ").append(i).append(" \u00e9\"}]}}\n");
        }
        byte[] bytes = jsonl.toString().getBytes(StandardCharsets.UTF_8);
        script.add(Answer.json(200, batchJson("msgbatch_c", "in_progress")));
        MessageBatch b = client(3, Duration.ofSeconds(10)).create(n, bytes.length, () -> new ByteArrayInputStream(bytes));
        assertThat(b.id()).isEqualTo("msgbatch_c");
        Seen s = seen.get(0);
        assertThat(s.method()).isEqualTo("POST");
        assertThat(s.path()).isEqualTo("/v1/messages/batches");
        assertThat(s.header("content-length")).isEqualTo(String.valueOf(bytes.length + 15));
        JsonNode body = Json.tree(s.body());
        assertThat(body.size()).isEqualTo(1);
        assertThat(body.path("requests")).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(body.path("requests").get(i).path("custom_id").asText()).isEqualTo("req-" + i);
        }
    }

    @Test
    void createIsNotRetriedOnServerError() {
        byte[] bytes = "{\"custom_id\":\"a\",\"params\":{}}\n".getBytes(StandardCharsets.UTF_8);
        script.add(Answer.json(500, error("api_error", "internal")));
        script.add(Answer.json(200, batchJson("msgbatch_dup", "in_progress")));
        assertThatThrownBy(() -> client(3, Duration.ofSeconds(5)).create(1, bytes.length, () -> new ByteArrayInputStream(bytes)))
                .isInstanceOfSatisfying(AmbiguousCreateException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(500);
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("reconcile");
                });
        assertThat(seen).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void createTimeoutIsAmbiguous() {
        byte[] bytes = "{\"custom_id\":\"a\",\"params\":{}}".getBytes(StandardCharsets.UTF_8);
        script.add(new Answer(200, Map.of(), batchJson("msgbatch_late", "in_progress"), true, false));
        assertThatThrownBy(() -> client(3, Duration.ofMillis(300)).create(1, bytes.length, () -> new ByteArrayInputStream(bytes)))
                .isInstanceOfSatisfying(AmbiguousCreateException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.TIMEOUT));
        assertThat(sleeps).isEmpty();
    }

    @Test
    void createIsRetriedWhenRejectedAndReopensTheShard() {
        byte[] bytes = "{\"custom_id\":\"a\",\"params\":{}}\n{\"custom_id\":\"b\",\"params\":{}}\n"
                .getBytes(StandardCharsets.UTF_8);
        script.add(new Answer(429, Map.of("retry-after", "2"), error("rate_limit_error", "slow"), false, false));
        script.add(Answer.json(529, error("overloaded_error", "Overloaded")));
        script.add(Answer.json(200, batchJson("msgbatch_ok", "in_progress")));
        int[] opens = {0};
        MessageBatch b = client(3, Duration.ofSeconds(5)).create(2, bytes.length, () -> {
            opens[0]++;
            return new ByteArrayInputStream(bytes);
        });
        assertThat(b.id()).isEqualTo("msgbatch_ok");
        assertThat(opens[0]).isEqualTo(3);
        assertThat(sleeps.get(0)).isEqualTo(Duration.ofSeconds(2));
        for (Seen s : seen) assertThat(Json.tree(s.body()).path("requests")).hasSize(2);
    }

    @Test
    void createWithAMisdescribedShardFailsWithoutAmbiguity() {
        byte[] bytes = "{\"custom_id\":\"a\",\"params\":{}}\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> client(3, Duration.ofSeconds(5)).create(2, bytes.length, () -> new ByteArrayInputStream(bytes)))
                .isInstanceOf(ProviderException.class).isNotInstanceOf(AmbiguousCreateException.class)
                .hasMessageContaining("1 lines, declared 2");
    }

    @Test
    void connectFailureIsRetriedEvenForCreate() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        ProviderConfig cfg = ProviderConfig.of(URI.create("http://127.0.0.1:" + closedPort), () -> KEY)
                .withRetries(2, Duration.ofMillis(10), Duration.ofMillis(20));
        AnthropicBatchesClient c = new AnthropicBatchesClient(cfg, sleeps::add, () -> 0.0);
        byte[] bytes = "{\"custom_id\":\"a\",\"params\":{}}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> c.create(1, bytes.length, () -> new ByteArrayInputStream(bytes)))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e).isNotInstanceOf(AmbiguousCreateException.class);
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.CONNECTION);
                    assertThat(e.getMessage()).doesNotContain(KEY);
                });
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void listAllFollowsCursorsAndListSinceStopsAtOlderBatches() {
        script.add(Answer.json(200, "{\"data\":[" + batchJson("msgbatch_3", "in_progress").replace("2025-01-01", "2025-01-03")
                + "," + batchJson("msgbatch_2", "ended").replace("2025-01-01", "2025-01-02")
                + "],\"has_more\":true,\"first_id\":\"msgbatch_3\",\"last_id\":\"msgbatch_2\"}"));
        script.add(Answer.json(200, "{\"data\":[" + batchJson("msgbatch_1", "ended")
                + "],\"has_more\":false,\"first_id\":\"msgbatch_1\",\"last_id\":\"msgbatch_1\"}"));
        List<String> ids = new ArrayList<>();
        client(0, Duration.ofSeconds(5)).listAll(2).forEachRemaining(b -> ids.add(b.id()));
        assertThat(ids).containsExactly("msgbatch_3", "msgbatch_2", "msgbatch_1");
        assertThat(seen.get(0).path()).isEqualTo("/v1/messages/batches?limit=2");
        assertThat(seen.get(1).path()).isEqualTo("/v1/messages/batches?limit=2&after_id=msgbatch_2");

        script.add(Answer.json(200, "{\"data\":[" + batchJson("msgbatch_3", "in_progress").replace("2025-01-01", "2025-01-03")
                + "," + batchJson("msgbatch_2", "ended").replace("2025-01-01", "2025-01-02")
                + "],\"has_more\":true,\"first_id\":\"msgbatch_3\",\"last_id\":\"msgbatch_2\"}"));
        List<MessageBatch> since = client(0, Duration.ofSeconds(5)).listSince(Instant.parse("2025-01-02T12:00:00Z"));
        assertThat(since).extracting(MessageBatch::id).containsExactly("msgbatch_3");
        assertThat(seen).hasSize(3); // stopped without fetching the older page
    }

    @Test
    void countTokensDropsMaxTokens() {
        script.add(Answer.json(200, "{\"input_tokens\":42}"));
        ObjectNode params = (ObjectNode) Json.tree("{\"model\":\"m\",\"max_tokens\":100,\"messages\":[]}"
                .getBytes(StandardCharsets.UTF_8));
        assertThat(client(0, Duration.ofSeconds(5)).countTokens(params)).isEqualTo(42);
        JsonNode sent = Json.tree(seen.get(0).body());
        assertThat(sent.has("max_tokens")).isFalse();
        assertThat(sent.path("model").asText()).isEqualTo("m");
        assertThat(params.has("max_tokens")).isTrue(); // the caller's object is untouched
        assertThat(seen.get(0).path()).isEqualTo("/v1/messages/count_tokens");
    }

    @Test
    void messageAndCountTokensReadTheDocumentedShapes() throws IOException {
        // GIVEN the documented answers of count_tokens and of a synchronous Messages call (1-hour cache write)
        script.add(Answer.json(200, fixtureLine("count-tokens.json")));
        script.add(Answer.json(200, fixtureLine("message.json")));
        ObjectNode params = (ObjectNode) Json.tree(("{\"model\":\"claude-haiku-4-5-20251001\",\"max_tokens\":300,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"s\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8));
        AnthropicBatchesClient c = client(0, Duration.ofSeconds(5));

        assertThat(c.countTokens(params)).isEqualTo(2095);
        JsonNode message = c.message(params);

        assertThat(message.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(message.at("/usage/cache_creation/ephemeral_1h_input_tokens").asLong()).isEqualTo(1024);
        assertThat(seen.get(1).path()).isEqualTo("/v1/messages");
        JsonNode sent = Json.tree(seen.get(1).body());
        assertThat(sent.get("max_tokens").asInt()).isEqualTo(300); // the real request, as a batch would send it
        assertThat(sent.at("/system/0/cache_control/ttl").asText()).isEqualTo("1h");
    }

    @Test
    void resultsUrlOnAnotherHostIsNotFollowed() throws IOException {
        script.add(Answer.json(200, "{\"custom_id\":\"a\",\"result\":{\"type\":\"expired\"}}\n"));
        MessageBatch b = new MessageBatch("msgbatch_r", "message_batch", "ended", MessageBatch.RequestCounts.ZERO,
                null, null, null, null, null, "https://evil.example.com/steal");
        try (InputStream in = client(0, Duration.ofSeconds(5)).results(b)) {
            assertThat(in.readAllBytes()).isNotEmpty();
        }
        assertThat(seen.get(0).path()).isEqualTo("/v1/messages/batches/msgbatch_r/results");
    }

    @Test
    void backoffIsCappedFullJitter() {
        ProviderConfig cfg = ProviderConfig.of(URI.create("http://127.0.0.1:1"), () -> KEY);
        Backoff b = new Backoff(cfg.baseBackoff(), cfg.maxBackoff(), () -> 0.999);
        assertThat(b.delay(0, null)).isLessThan(Duration.ofSeconds(1)).isGreaterThan(Duration.ofMillis(990));
        assertThat(b.delay(3, null)).isGreaterThan(Duration.ofMillis(7900)).isLessThan(Duration.ofSeconds(8));
        assertThat(b.delay(40, null)).isLessThanOrEqualTo(Duration.ofSeconds(30)).isGreaterThan(Duration.ofSeconds(29));
        assertThat(b.delay(1, Duration.ofSeconds(45))).isEqualTo(Duration.ofSeconds(45));
        assertThat(Backoff.parseRetryAfter("1.5")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Backoff.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isNull();
    }
}
