package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.provider.AmbiguousCreateException;
import io.batchline.provider.BatchPage;
import io.batchline.provider.BatchResult;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import io.batchline.provider.ResultReader;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.BatchListRequest;
import io.batchline.provider.anthropic.ProviderConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnthropicSimulatorTest {
    static final String SCHEMA = "{\"type\":\"object\",\"properties\":{"
            + "\"category\":{\"type\":\"string\",\"enum\":[\"billing\",\"bug\",\"feature_request\",\"other\"]},"
            + "\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
            + "\"summary\":{\"type\":\"string\",\"maxLength\":40},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":2}},"
            + "\"required\":[\"category\",\"confidence\",\"summary\"],\"additionalProperties\":false}";
    static final String[] TICKETS = {
        "I was charged twice on my last invoice, please refund", "The app crashes when I open settings",
        "Please add a dark mode feature request from our team", "Where is your office located?"};

    @TempDir Path tmp;
    private final List<AnthropicSimulator> sims = new ArrayList<>();
    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stop() {
        sims.forEach(AnthropicSimulator::close);
    }

    private AnthropicSimulator sim(SimulatorConfig.Builder b) {
        AnthropicSimulator s = AnthropicSimulator.start(b.build());
        sims.add(s);
        return s;
    }

    private AnthropicBatchesClient client(AnthropicSimulator sim, String key) {
        ProviderConfig cfg = ProviderConfig.of(sim.baseUrl(), () -> key)
                .withRetries(3, Duration.ofMillis(10), Duration.ofMillis(50))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(20));
        return new AnthropicBatchesClient(cfg, sleeps::add, () -> 0.5);
    }

    private AnthropicBatchesClient client(AnthropicSimulator sim) {
        return client(sim, "sk-test");
    }

    static ObjectNode params(String user, boolean withSchema) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("model", "claude-haiku-4-5");
        p.put("max_tokens", 400);
        ArrayNode system = p.putArray("system");
        ObjectNode block = system.addObject();
        block.put("type", "text");
        block.put("text", "You classify support tickets." + (withSchema
                ? "\n\nRespond with a single JSON object that conforms to this JSON Schema:\n```json\n" + SCHEMA + "\n```"
                : ""));
        block.putObject("cache_control").put("type", "ephemeral");
        ObjectNode msg = p.putArray("messages").addObject();
        msg.put("role", "user");
        msg.put("content", user);
        return p;
    }

    /** Writes a shard; {@code line} turns an index into the request object. */
    private Path shard(String name, int n, Function<Integer, ObjectNode> line) throws IOException {
        Path f = tmp.resolve(name);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(Json.string(line.apply(i))).append('\n');
        Files.writeString(f, sb, StandardCharsets.UTF_8);
        return f;
    }

    private Path ticketShard(String name, int n) throws IOException {
        return shard(name, n, i -> request("t-" + i, params(TICKETS[i % TICKETS.length] + " #" + i, true)));
    }

    static ObjectNode request(String customId, JsonNode params) {
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("custom_id", customId);
        r.set("params", params);
        return r;
    }

    private static MessageBatch awaitEnded(AnthropicBatchesClient c, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            MessageBatch b = c.retrieve(id);
            if (b.ended()) return b;
            if (System.nanoTime() > deadline) throw new AssertionError("batch " + id + " did not end: " + b);
            Thread.sleep(50);
        }
    }

    private static Map<String, BatchResult> results(AnthropicBatchesClient c, MessageBatch b) throws IOException {
        Map<String, BatchResult> out = new HashMap<>();
        try (InputStream in = c.results(b); ResultReader r = new ResultReader(in)) {
            r.forEachRemaining(x -> assertThat(out.put(x.customId(), x)).as("duplicate " + x.customId()).isNull());
        }
        return out;
    }

    /** Tolerates fences and a leading sentence, as the pipeline's extractor must. */
    static JsonNode extractJson(String text) {
        int s = text.indexOf('{');
        int e = text.lastIndexOf('}');
        assertThat(s).as("no JSON in: " + text).isGreaterThanOrEqualTo(0);
        return Json.tree(text.substring(s, e + 1).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void createPollAndCollectEveryResultWithSchemaConformingAnswers() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMillis(300)));
        AnthropicBatchesClient c = client(sim);
        int n = 80;
        MessageBatch created = c.create(ticketShard("s.jsonl", n));
        assertThat(created.processingStatus()).isEqualTo("in_progress");
        assertThat(created.requestCounts()).isEqualTo(new MessageBatch.RequestCounts(n, 0, 0, 0, 0));
        assertThat(created.resultsUrl()).isNull();
        assertThat(created.createdInstant()).isNotNull();
        assertThat(created.expiresInstant()).isEqualTo(created.createdInstant().plus(Duration.ofHours(24)));

        MessageBatch ended = awaitEnded(c, created.id());
        assertThat(ended.requestCounts()).isEqualTo(new MessageBatch.RequestCounts(0, n, 0, 0, 0));
        assertThat(ended.resultsUrl()).startsWith(sim.baseUrl().toString());

        List<String> order = new ArrayList<>();
        try (InputStream in = c.results(ended); ResultReader r = new ResultReader(in)) {
            r.forEachRemaining(x -> order.add(x.customId()));
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) expected.add("t-" + i);
        assertThat(order).containsExactlyInAnyOrderElementsOf(expected).isNotEqualTo(expected);

        Map<String, BatchResult> res = results(c, ended);
        int creations = 0;
        int fenced = 0;
        int confident = 0;
        for (int i = 0; i < n; i++) {
            BatchResult r = res.get("t-" + i);
            assertThat(r.type()).isEqualTo(BatchResult.Type.SUCCEEDED);
            assertThat(r.model()).isEqualTo("claude-haiku-4-5");
            assertThat(r.stopReason()).isEqualTo("end_turn");
            assertThat(r.usage().inputTokens()).isPositive();
            assertThat(r.usage().outputTokens()).isPositive();
            assertThat(r.usage().cacheCreationInputTokens() + r.usage().cacheReadInputTokens()).isPositive();
            if (r.usage().cacheCreationInputTokens() > 0) creations++;
            if (!r.text().startsWith("{")) fenced++;
            JsonNode answer = extractJson(r.text());
            assertThat(answer.has("category") && answer.has("confidence") && answer.has("summary")).isTrue();
            assertThat(List.of("billing", "bug", "feature_request", "other")).contains(answer.get("category").asText());
            double conf = answer.get("confidence").asDouble();
            assertThat(conf).isBetween(0.0, 1.0);
            if (conf >= 0.9) confident++;
            assertThat(answer.get("summary").asText().length()).isLessThanOrEqualTo(40);
            assertThat(answer.path("tags").size()).isLessThanOrEqualTo(2);
            answer.fieldNames().forEachRemaining(f -> assertThat(f).isIn("category", "confidence", "summary", "tags"));
        }
        assertThat(creations).isEqualTo(1);
        assertThat(confident).isGreaterThan(n / 2).isLessThan(n);
        assertThat(fenced).isLessThan(n / 4);
        // enum values follow the words of the ticket
        assertThat(extractJson(res.get("t-0").text()).get("category").asText()).isEqualTo("billing");
        assertThat(extractJson(res.get("t-1").text()).get("category").asText()).isEqualTo("bug");
        assertThat(extractJson(res.get("t-2").text()).get("category").asText()).isEqualTo("feature_request");

        // deterministic: the same request answered again gives the same text
        AnthropicSimulator sim2 = sim(SimulatorConfig.builder().processingTime(Duration.ofMillis(100)));
        AnthropicBatchesClient c2 = client(sim2);
        MessageBatch again = awaitEnded(c2, c2.create(ticketShard("s2.jsonl", n)).id());
        assertThat(results(c2, again).get("t-5").text()).isEqualTo(res.get("t-5").text());
    }

    @Test
    void listPaginatesNewestFirstInBothDirections() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMinutes(5)));
        AnthropicBatchesClient c = client(sim);
        List<String> ids = new ArrayList<>();
        Path s = ticketShard("s.jsonl", 2);
        for (int i = 0; i < 5; i++) ids.add(c.create(s).id());
        Collections.reverse(ids); // newest first

        BatchPage p1 = c.list(BatchListRequest.newest(2));
        assertThat(p1.data()).extracting(MessageBatch::id).containsExactly(ids.get(0), ids.get(1));
        assertThat(p1.hasMore()).isTrue();
        assertThat(p1.firstId()).isEqualTo(ids.get(0));
        assertThat(p1.lastId()).isEqualTo(ids.get(1));
        BatchPage p2 = c.list(BatchListRequest.olderThan(p1.lastId(), 2));
        assertThat(p2.data()).extracting(MessageBatch::id).containsExactly(ids.get(2), ids.get(3));
        BatchPage p3 = c.list(BatchListRequest.olderThan(p2.lastId(), 2));
        assertThat(p3.data()).extracting(MessageBatch::id).containsExactly(ids.get(4));
        assertThat(p3.hasMore()).isFalse();
        BatchPage back = c.list(BatchListRequest.newerThan(p3.firstId(), 2));
        assertThat(back.data()).extracting(MessageBatch::id).containsExactly(ids.get(2), ids.get(3));
        assertThat(back.hasMore()).isTrue();

        List<String> all = new ArrayList<>();
        c.listAll(2).forEachRemaining(b -> all.add(b.id()));
        assertThat(all).isEqualTo(ids);
        assertThat(c.listSince(c.retrieve(ids.get(1)).createdInstant())).extracting(MessageBatch::id)
                .startsWith(ids.get(0), ids.get(1));
        assertThatThrownBy(() -> c.list(BatchListRequest.newest(1001))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cancelMidFlightEndsWithCanceledResults() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMinutes(10))
                .cancelLatency(Duration.ofMillis(100)));
        AnthropicBatchesClient c = client(sim);
        MessageBatch b = c.create(ticketShard("s.jsonl", 30));
        MessageBatch canceling = c.cancel(b.id());
        assertThat(canceling.processingStatus()).isEqualTo("canceling");
        assertThat(canceling.cancelInitiatedAt()).isNotNull();
        assertThatThrownBy(() -> c.results(b.id())).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.NOT_FOUND));
        MessageBatch ended = awaitEnded(c, b.id());
        assertThat(ended.requestCounts().total()).isEqualTo(30);
        assertThat(ended.requestCounts().canceled()).isGreaterThanOrEqualTo(25);
        Map<String, BatchResult> res = results(c, ended);
        assertThat(res).hasSize(30);
        long canceled = res.values().stream().filter(r -> r.type() == BatchResult.Type.CANCELED).count();
        assertThat(canceled).isEqualTo(ended.requestCounts().canceled());
        assertThat(res.values()).allMatch(r -> r.type() == BatchResult.Type.CANCELED || r.succeeded());
        assertThat(res.values().stream().filter(r -> r.type() == BatchResult.Type.CANCELED))
                .allMatch(BatchResult::transientFailure);
    }

    @Test
    void deleteOnlyOnceEnded() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMillis(400)));
        AnthropicBatchesClient c = client(sim);
        MessageBatch b = c.create(ticketShard("s.jsonl", 3));
        assertThatThrownBy(() -> c.delete(b.id())).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID_REQUEST);
            assertThat(e.errorType()).isEqualTo("invalid_request_error");
        });
        awaitEnded(c, b.id());
        c.delete(b.id());
        assertThatThrownBy(() -> c.retrieve(b.id())).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.NOT_FOUND);
            assertThat(e.requestId()).startsWith("req_");
        });
    }

    @Test
    void tooLargeBodyIs413() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().maxBodyBytes(4_000));
        AnthropicBatchesClient c = client(sim);
        Path big = ticketShard("big.jsonl", 40);
        assertThat(Files.size(big)).isGreaterThan(4_000);
        assertThatThrownBy(() -> c.create(big)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e).isNotInstanceOf(AmbiguousCreateException.class);
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.REQUEST_TOO_LARGE);
            assertThat(e.errorType()).isEqualTo("request_too_large");
        });
        assertThat(c.list(BatchListRequest.newest(10)).data()).isEmpty();
        assertThat(c.create(ticketShard("small.jsonl", 2)).id()).startsWith("msgbatch_");
    }

    @Test
    void tooManyRequestsIsRejected() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().maxRequests(5));
        AnthropicBatchesClient c = client(sim);
        assertThatThrownBy(() -> c.create(ticketShard("s.jsonl", 6))).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.getMessage()).contains("at most 5"));
    }

    @Test
    void invalidRequestsAreRejectedWithInvalidRequestError() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder());
        AnthropicBatchesClient c = client(sim);
        ObjectNode ok = params("hello", false);
        ObjectNode noMax = ok.deepCopy();
        noMax.remove("max_tokens");
        ObjectNode streaming = ok.deepCopy();
        streaming.put("stream", true);
        Map<String, Path> cases = new HashMap<>();
        cases.put("custom_id", shard("bad-id.jsonl", 2, i -> request(i == 0 ? "ok" : "bad id!", ok)));
        cases.put("not unique", shard("dup.jsonl", 3, i -> request(i % 2 == 0 ? "a" : "id" + i, ok)));
        cases.put("a".repeat(65), shard("long.jsonl", 1, i -> request("a".repeat(65), ok)));
        cases.put("max_tokens", shard("nomax.jsonl", 1, i -> request("x", noMax)));
        cases.put("stream", shard("stream.jsonl", 1, i -> request("x", streaming)));
        for (var e : cases.entrySet()) {
            assertThatThrownBy(() -> c.create(e.getValue())).as(e.getKey())
                    .isInstanceOfSatisfying(ProviderException.class, x -> {
                        assertThat(x.httpStatus()).isEqualTo(400);
                        assertThat(x.errorType()).isEqualTo("invalid_request_error");
                        assertThat(x.getMessage()).contains(e.getKey().length() > 64 ? "custom_id" : e.getKey());
                    });
        }
        assertThat(c.list(BatchListRequest.newest(10)).data()).isEmpty();
    }

    @Test
    void missingOrWrongKeyIs401WithDocumentedBody() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().requiredApiKey("sk-right"));
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/messages/batches"))
                        .header("anthropic-version", "2023-06-01").timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("request-id")).isPresent();
        JsonNode body = Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(body.path("type").asText()).isEqualTo("error");
        assertThat(body.path("error").path("type").asText()).isEqualTo("authentication_error");
        assertThat(body.path("error").path("message").asText()).isNotBlank();

        assertThatThrownBy(() -> client(sim, "sk-wrong").list(BatchListRequest.newest(5)))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.AUTHENTICATION);
                    assertThat(e.getMessage()).doesNotContain("sk-wrong");
                });
        assertThat(client(sim, "sk-right").list(BatchListRequest.newest(5)).data()).isEmpty();

        HttpResponse<String> noVersion = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/messages/batches"))
                        .header("x-api-key", "sk-right").timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noVersion.statusCode()).isEqualTo(400);
    }

    @Test
    void rateLimitWithRetryAfterThenSuccessThroughTheClient() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMillis(200)));
        AnthropicBatchesClient c = client(sim);
        sim.failNext(2, 429);
        MessageBatch b = c.create(ticketShard("s.jsonl", 4));
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
        sim.failNext(1, 529);
        sim.failNext(1, 500);
        assertThat(c.retrieve(b.id()).id()).isEqualTo(b.id());
        assertThat(sleeps).hasSize(4);
        sim.failNext(1, 500);
        assertThatThrownBy(() -> c.create(ticketShard("s2.jsonl", 1))).isInstanceOf(AmbiguousCreateException.class);
    }

    @Test
    void batchesSurviveARestartWithStateDir() throws Exception {
        Path state = tmp.resolve("state");
        SimulatorConfig.Builder cfg = SimulatorConfig.builder().stateDir(state).processingTime(Duration.ofMillis(500));
        AnthropicSimulator first = sim(cfg);
        String id = client(first).create(ticketShard("s.jsonl", 12)).id();
        first.close();
        sims.remove(first);

        AnthropicSimulator second = sim(cfg);
        AnthropicBatchesClient c = client(second);
        assertThat(c.retrieve(id).id()).isEqualTo(id);
        String newer = c.create(ticketShard("s2.jsonl", 1)).id();
        assertThat(c.list(BatchListRequest.newest(10)).data()).extracting(MessageBatch::id).containsExactly(newer, id);
        MessageBatch ended = awaitEnded(c, id);
        assertThat(results(c, ended)).hasSize(12).containsKeys("t-0", "t-11");
        second.close();
        sims.remove(second);

        AnthropicSimulator third = sim(cfg);
        assertThat(results(client(third), client(third).retrieve(id))).hasSize(12);
    }

    @Test
    void faultFractionsProduceErroredExpiredAndNonJsonResults() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMillis(200)).seed(7)
                .retryableErrorRate(0.2).invalidRequestRate(0.1).expiredRate(0.1).nonJsonRate(0.1));
        AnthropicBatchesClient c = client(sim);
        int n = 300;
        MessageBatch ended = awaitEnded(c, c.create(ticketShard("s.jsonl", n)).id());
        Map<String, BatchResult> res = results(c, ended);
        assertThat(res).hasSize(n);
        Map<String, Integer> byKind = new HashMap<>();
        int nonJson = 0;
        for (BatchResult r : res.values()) {
            String k = r.type() == BatchResult.Type.ERRORED ? r.errorType() : r.type().name();
            byKind.merge(k, 1, Integer::sum);
            if (r.succeeded() && !r.text().contains("{")) nonJson++;
            if ("invalid_request_error".equals(r.errorType())) assertThat(r.permanentFailure()).isTrue();
            if ("api_error".equals(r.errorType()) || "overloaded_error".equals(r.errorType())) {
                assertThat(r.transientFailure()).isTrue();
            }
        }
        assertThat(byKind.keySet()).containsExactlyInAnyOrder("SUCCEEDED", "EXPIRED", "api_error", "overloaded_error",
                "invalid_request_error");
        assertThat(byKind.get("api_error") + byKind.get("overloaded_error")).isBetween(30, 90);
        assertThat(byKind.get("invalid_request_error")).isBetween(12, 50);
        assertThat(byKind.get("EXPIRED")).isBetween(12, 50);
        assertThat(nonJson).isBetween(12, 50);
        assertThat(ended.requestCounts().errored()).isEqualTo((long) byKind.get("api_error")
                + byKind.get("overloaded_error") + byKind.get("invalid_request_error"));
        assertThat(ended.requestCounts().expired()).isEqualTo((long) byKind.get("EXPIRED"));
    }

    @Test
    void expiryBeforeProcessingEndsExpiresEverything() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMinutes(5))
                .expireAfter(Duration.ofMillis(200)));
        AnthropicBatchesClient c = client(sim);
        MessageBatch ended = awaitEnded(c, c.create(ticketShard("s.jsonl", 10)).id());
        assertThat(ended.requestCounts().expired()).isGreaterThanOrEqualTo(9);
        assertThat(results(c, ended).values()).allMatch(r -> r.type() == BatchResult.Type.EXPIRED || r.succeeded());
    }

    @Test
    void cacheUsageSplitsWritesByTtlAndCountTokensMatchesWhatIsBilled() {
        AnthropicSimulator sim = sim(SimulatorConfig.builder());
        AnthropicBatchesClient c = client(sim);
        ObjectNode p = params(TICKETS[1], true);
        ((ObjectNode) p.at("/system/0/cache_control")).put("ttl", "1h");

        long counted = c.countTokens(p);
        JsonNode write = c.message(p).path("usage");
        JsonNode read = c.message(p).path("usage");

        assertThat(write.path("cache_creation_input_tokens").asLong()).isPositive();
        assertThat(write.at("/cache_creation/ephemeral_1h_input_tokens").asLong())
                .isEqualTo(write.path("cache_creation_input_tokens").asLong());
        assertThat(write.at("/cache_creation/ephemeral_5m_input_tokens").asLong()).isZero();
        assertThat(read.path("cache_read_input_tokens").asLong()).isEqualTo(write.path("cache_creation_input_tokens").asLong());
        for (JsonNode u : List.of(write, read)) {
            assertThat(u.path("input_tokens").asLong() + u.path("cache_creation_input_tokens").asLong()
                    + u.path("cache_read_input_tokens").asLong()).isEqualTo(counted);
        }
    }

    @Test
    void maxTokensAboveTheModelsLimitIsRefusedSynchronously() {
        AnthropicSimulator sim = sim(SimulatorConfig.builder());
        ObjectNode p = params(TICKETS[0], true);
        p.put("max_tokens", 100_000);
        assertThatThrownBy(() -> client(sim).message(p)).isInstanceOfSatisfying(ProviderException.class, e -> {
            assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID_REQUEST);
            assertThat(e.getMessage()).contains("max_tokens: 100000 > 64000, which is the maximum allowed number of "
                    + "output tokens for claude-haiku-4-5");
        });
    }

    @Test
    void countTokensAndSynchronousMessage() {
        AnthropicSimulator sim = sim(SimulatorConfig.builder());
        AnthropicBatchesClient c = client(sim);
        ObjectNode p = params(TICKETS[0], true);
        assertThat(c.countTokens(p)).isPositive();
        JsonNode msg = c.message(p);
        assertThat(msg.path("type").asText()).isEqualTo("message");
        assertThat(extractJson(msg.path("content").get(0).path("text").asText()).path("category").asText())
                .isEqualTo("billing");
        assertThat(msg.path("usage").path("cache_creation_input_tokens").asLong()).isPositive();
        assertThat(c.message(p).path("usage").path("cache_read_input_tokens").asLong()).isPositive();
        ObjectNode bad = p.deepCopy();
        bad.remove("messages");
        assertThatThrownBy(() -> c.message(bad)).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID_REQUEST));
    }
}
