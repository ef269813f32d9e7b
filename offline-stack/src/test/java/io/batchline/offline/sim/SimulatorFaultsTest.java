package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.provider.AmbiguousCreateException;
import io.batchline.provider.BatchResult;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ResultReader;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.validate.Extraction;
import io.batchline.validate.JsonExtractor;
import io.batchline.validate.OutputValidator;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BATCHLINE_SIM_FAULTS: parsing, HTTP faults per API call, request and output faults per custom_id. */
class SimulatorFaultsTest {
    @TempDir Path tmp;
    private final List<AnthropicSimulator> sims = new ArrayList<>();

    @AfterEach
    void stop() {
        sims.forEach(AnthropicSimulator::close);
    }

    private AnthropicSimulator sim(SimulatorConfig cfg) {
        AnthropicSimulator s = AnthropicSimulator.start(cfg);
        sims.add(s);
        return s;
    }

    private static AnthropicBatchesClient client(AnthropicSimulator sim, int retries) {
        return new AnthropicBatchesClient(ProviderConfig.of(sim.baseUrl(), () -> "sk-test")
                .withRetries(retries, Duration.ofMillis(1), Duration.ofMillis(5))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(20)), d -> { }, () -> 0.5);
    }

    @Test
    void parsesTheFaultSpecAndTheSeed() {
        SimulatorConfig c = SimulatorConfig.fromFaultSpec(
                "http429=0.3, http529=0.1,http500=0.1,errored=0.05,expired=0.03,invalid_json=0.05,fenced_json=0.1,"
                        + "schema_violation=0.05,low_confidence=0.1,invalid_request=0.01", 9);
        assertThat(c.seed()).isEqualTo(9);
        assertThat(c.http429Rate()).isEqualTo(0.3);
        assertThat(c.http529Rate()).isEqualTo(0.1);
        assertThat(c.http500Rate()).isEqualTo(0.1);
        assertThat(c.retryableErrorRate()).isEqualTo(0.05);
        assertThat(c.expiredRate()).isEqualTo(0.03);
        assertThat(c.nonJsonRate()).isEqualTo(0.05);
        assertThat(c.fencedJsonRate()).isEqualTo(0.1);
        assertThat(c.schemaViolationRate()).isEqualTo(0.05);
        assertThat(c.lowConfidenceRate()).isEqualTo(0.1);
        assertThat(c.invalidRequestRate()).isEqualTo(0.01);

        SimulatorConfig env = SimulatorConfig.applyEnv(SimulatorConfig.builder(),
                Map.of("BATCHLINE_SIM_FAULTS", "errored=0.2", "BATCHLINE_SIM_SEED", "123")).build();
        assertThat(env.retryableErrorRate()).isEqualTo(0.2);
        assertThat(env.seed()).isEqualTo(123);
        assertThat(SimulatorConfig.applyEnv(SimulatorConfig.builder(), Map.of()).build())
                .isEqualTo(SimulatorConfig.builder().build());

        assertThatThrownBy(() -> SimulatorConfig.fromFaultSpec("http429=0.1,timeout=0.2", 1))
                .hasMessageContaining("unknown fault 'timeout'")
                .hasMessageContaining("http429, http529, http500, errored, invalid_request, expired, invalid_json, "
                        + "fenced_json, schema_violation, low_confidence");
        assertThatThrownBy(() -> SimulatorConfig.fromFaultSpec("errored=lots", 1)).hasMessageContaining("not a number");
        assertThatThrownBy(() -> SimulatorConfig.fromFaultSpec("errored=1.5", 1)).hasMessageContaining("[0,1]");
        assertThatThrownBy(() -> SimulatorConfig.fromFaultSpec("errored", 1)).hasMessageContaining("needs a fraction");
        assertThatThrownBy(() -> SimulatorConfig.fromFaultSpec("errored=0.6,expired=0.6", 1))
                .hasMessageContaining("more than 1");
        assertThatThrownBy(() -> SimulatorConfig.applyEnv(SimulatorConfig.builder(),
                Map.of("BATCHLINE_SIM_SEED", "x"))).hasMessageContaining("BATCHLINE_SIM_SEED");
    }

    /**
     * An outage: nothing before the first batch is created; then every call is 429 with a 10-minute retry-after
     * until the outage has passed on the simulator's clock; then calls go through again.
     */
    @Test
    void anOutageBeginsAtTheFirstCreateAndEndsOnTheSimulatorsClock() throws Exception {
        assertThat(SimulatorConfig.fromFaultSpec("outage=10800,http429=0.1", 1).outage()).isEqualTo(Duration.ofHours(3));
        assertThat(SimulatorConfig.faultNames()).endsWith("outage (seconds)");
        assertThatThrownBy(() -> SimulatorConfig.fromFaultSpec("outage=3h", 1)).hasMessageContaining("whole seconds");
        WaitDrivenClock clock = new WaitDrivenClock();
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMillis(10)).clock(clock)
                .outage(Duration.ofHours(1)).build());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThat(get(http, sim).statusCode()).as("before any batch").isEqualTo(404);
        Path shard = tmp.resolve("one.jsonl");
        Files.writeString(shard, "{\"custom_id\":\"a1-l1\",\"params\":{\"model\":\"claude-haiku-4-5-20251001\","
                + "\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n");
        client(sim, 0).create(shard);
        HttpResponse<String> during = get(http, sim);
        assertThat(during.statusCode()).isEqualTo(429);
        assertThat(during.headers().firstValue("retry-after")).contains("600");
        assertThat(during.body()).contains("rate_limit_error");
        clock.advance(Duration.ofMinutes(59));
        assertThat(get(http, sim).statusCode()).as("59 min in").isEqualTo(429);
        clock.advance(Duration.ofMinutes(2));
        assertThat(get(http, sim).statusCode()).as("after the outage").isEqualTo(404);
        assertThat(sim.outageAnswers()).isEqualTo(2);
    }

    private static HttpResponse<String> get(HttpClient http, AnthropicSimulator sim) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/v1/messages/batches/msgbatch_unknown"))
                .header("x-api-key", "k").header("anthropic-version", "2023-06-01").GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Raw calls (no client retries): the status sequence is the configured mix, the same for the same seed. */
    @Test
    void httpFaultsAreAFractionOfCallsDeterministicPerSeedAnd429CarriesRetryAfter() throws Exception {
        List<Integer> first = statuses(sim(SimulatorConfig.fromFaultSpec("http429=0.3,http529=0.1,http500=0.1", 5)), 200);
        List<Integer> again = statuses(sim(SimulatorConfig.fromFaultSpec("http429=0.3,http529=0.1,http500=0.1", 5)), 200);
        List<Integer> other = statuses(sim(SimulatorConfig.fromFaultSpec("http429=0.3,http529=0.1,http500=0.1", 6)), 200);
        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
        Map<Integer, Integer> n = new HashMap<>();
        first.forEach(s -> n.merge(s, 1, Integer::sum));
        assertThat(n.get(429)).isBetween(40, 80);
        assertThat(n.get(529)).isBetween(8, 35);
        assertThat(n.get(500)).isBetween(8, 35);
        assertThat(n.get(404)).isBetween(75, 125); // the call itself: an unknown batch
    }

    private static List<Integer> statuses(AnthropicSimulator sim, int calls) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create(sim.baseUrl() + "/v1/messages/batches/msgbatch_unknown"))
                    .header("x-api-key", "k").header("anthropic-version", "2023-06-01").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429) assertThat(r.headers().firstValue("retry-after")).contains("1");
            if (r.statusCode() != 404) {
                assertThat(Json.tree(r.body().getBytes(StandardCharsets.UTF_8)).path("error").path("type").asText())
                        .isIn("rate_limit_error", "overloaded_error", "api_error");
            }
            out.add(r.statusCode());
        }
        return out;
    }

    /** The client rides out 429/529/500 on every idempotent call; a create answered 500 is ambiguous. */
    @Test
    void clientSurvivesHttpFaultsAndHalfThe500sOnCreateCameAfterTheBatchWasCreated() throws Exception {
        AnthropicSimulator sim = sim(SimulatorConfig.builder().processingTime(Duration.ofMillis(100)).seed(3)
                .http500Rate(1.0).build());
        AnthropicBatchesClient c = client(sim, 0);
        Path shard = shard(3, "a1");
        int ambiguous = 0;
        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> c.create(shard)).isInstanceOf(AmbiguousCreateException.class);
            ambiguous++;
        }
        assertThat(ambiguous).isEqualTo(20);
        assertThat(sim.createdThen500()).isBetween(4L, 16L);

        AnthropicSimulator flaky = sim(SimulatorConfig.fromFaultSpec("http429=0.3,http529=0.1,http500=0.1", 11)
                .toBuilder().processingTime(Duration.ofMillis(100)).build());
        AnthropicBatchesClient fc = client(flaky, 8);
        long listed = 0;
        for (int i = 0; i < 10; i++) {
            try {
                MessageBatch b = fc.create(shard);
                assertThat(fc.retrieve(b.id()).totalRequests()).isEqualTo(3);
            } catch (AmbiguousCreateException e) {
                assertThat(e.getMessage()).contains("500");
            }
        }
        for (MessageBatch b : fc.listSince(java.time.Instant.EPOCH)) listed++;
        assertThat(listed).isGreaterThanOrEqualTo(1).isLessThanOrEqualTo(10);
    }

    /**
     * Every request and output fault class appears in its proportion, is the same for the same custom_id and
     * seed, and a new attempt's custom_id draws again (so a retried request can succeed).
     */
    @Test
    void requestAndOutputFaultsDependOnCustomIdAndAttempt() throws Exception {
        SimulatorConfig cfg = SimulatorConfig.fromFaultSpec("errored=0.1,expired=0.05,invalid_request=0.05,"
                + "invalid_json=0.1,fenced_json=0.1,schema_violation=0.1,low_confidence=0.1", 21)
                .toBuilder().processingTime(Duration.ofMillis(100)).build();
        AnthropicSimulator sim = sim(cfg);
        AnthropicBatchesClient c = client(sim, 3);
        int n = 600;
        Map<String, String> a1 = classify(c, shard(n, "a1"));
        Map<String, String> a1again = classify(c, shard(n, "a1"));
        Map<String, String> a2 = classify(c, shard(n, "a2"));
        assertThat(a1again).isEqualTo(a1);

        Map<String, Integer> counts = new HashMap<>();
        a1.values().forEach(k -> counts.merge(k, 1, Integer::sum));
        assertThat(counts.get("errored")).isBetween(35, 90);
        assertThat(counts.get("expired")).isBetween(12, 50);
        assertThat(counts.get("invalid_request")).isBetween(12, 50);
        assertThat(counts.get("invalid_json")).isBetween(35, 90);
        assertThat(counts.get("schema_violation")).isBetween(35, 90);
        assertThat(counts.get("low_confidence")).isBetween(40, 130); // plus the model's own low tail
        assertThat(counts.get("fenced")).isBetween(50, 110); // plus the model's own 4%
        assertThat(counts.get("ok")).isBetween(150, 400);

        int recovered = 0;
        for (int i = 0; i < n; i++) {
            String before = a1.get("a1-l" + i);
            String after = a2.get("a2-l" + i);
            if (before.equals("errored") && !after.equals("errored")) recovered++;
        }
        assertThat(recovered).isGreaterThan(counts.get("errored") / 2);
    }

    private Path shard(int n, String attempt) throws Exception {
        Path f = Files.createTempFile(tmp, "shard", ".jsonl");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String ticket = AnthropicSimulatorTest.TICKETS[i % AnthropicSimulatorTest.TICKETS.length] + " #" + i;
            sb.append(Json.string(AnthropicSimulatorTest.request(attempt + "-l" + i,
                    AnthropicSimulatorTest.params(ticket, true)))).append('\n');
        }
        Files.writeString(f, sb);
        return f;
    }

    /** custom_id -> what came back, judged by the pipeline's own extractor and validator. */
    private static Map<String, String> classify(AnthropicBatchesClient c, Path shard) throws Exception {
        MessageBatch b = c.create(shard);
        while (!b.ended()) {
            Thread.sleep(50);
            b = c.retrieve(b.id());
        }
        OutputValidator validator = new OutputValidator(Json.tree(AnthropicSimulatorTest.SCHEMA.getBytes(StandardCharsets.UTF_8)));
        JsonExtractor extractor = new JsonExtractor();
        Map<String, String> out = new HashMap<>();
        try (InputStream in = c.results(b); ResultReader r = new ResultReader(in)) {
            r.forEachRemaining(x -> out.put(x.customId(), kind(x, extractor, validator)));
        }
        return out;
    }

    private static String kind(BatchResult r, JsonExtractor extractor, OutputValidator validator) {
        if (r.type() == BatchResult.Type.EXPIRED) return "expired";
        if (r.type() == BatchResult.Type.ERRORED) {
            return "invalid_request_error".equals(r.errorType()) ? "invalid_request" : "errored";
        }
        String text = r.text();
        Extraction e = extractor.extract(text);
        if (!e.ok()) return "invalid_json";
        JsonNode json = e.json();
        if (!validator.validate(json).isEmpty()) return "schema_violation";
        if (json.path("confidence").asDouble() < 0.7) return "low_confidence";
        if (text.startsWith("```json")) return "fenced";
        return "ok";
    }
}
