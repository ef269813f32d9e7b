package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.json.Json;
import io.batchline.validate.OutputValidator;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-model request rules and the answer shapes of the simulator, through its HTTP surface: one test per rule,
 * each showing the refused request (errored in a batch, 400 synchronously, with the parameter named) next to the
 * nearest request the API accepts.
 */
class SimRequestRulesTest {
    static final String V2023 = ModelCatalogue.API_VERSION_2023;
    static final String V2026 = ModelCatalogue.API_VERSION_2026;
    static final String OUTPUT_300K = "output-300k-2026-03-24";

    private final List<AnthropicSimulator> sims = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        sims.forEach(AnthropicSimulator::close);
    }

    private AnthropicSimulator sim(Consumer<SimulatorConfig.Builder> tweak) {
        SimulatorConfig.Builder b = SimulatorConfig.builder().processingTime(Duration.ofMillis(50));
        tweak.accept(b);
        AnthropicSimulator s = AnthropicSimulator.start(b.build());
        sims.add(s);
        return s;
    }

    private AnthropicSimulator sim() {
        return sim(b -> {});
    }

    static ObjectNode params(String model, int maxTokens) {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("model", model);
        p.put("max_tokens", maxTokens);
        p.put("system", "You classify support tickets.");
        ObjectNode m = p.putArray("messages").addObject();
        m.put("role", "user");
        m.put("content", "I was charged twice on my last invoice");
        return p;
    }

    static ObjectNode with(ObjectNode p, String json) {
        ObjectNode copy = p.deepCopy();
        copy.setAll((ObjectNode) Json.tree(json.getBytes(StandardCharsets.UTF_8)));
        return copy;
    }

    private HttpResponse<String> post(AnthropicSimulator sim, String path, String version, String beta, JsonNode body)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .header("x-api-key", "sk-test").header("anthropic-version", version)
                .header("content-type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(Json.string(body)));
        if (beta != null) r.header("anthropic-beta", beta);
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(AnthropicSimulator sim, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
                .header("x-api-key", "sk-test").header("anthropic-version", V2023).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body().isEmpty() ? null : Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
    }

    /** Runs one batch of {@code requests} (custom_id -> params) to its end; the results by custom_id. */
    private Map<String, JsonNode> batch(AnthropicSimulator sim, String version, String beta,
                                        Map<String, ObjectNode> requests) throws Exception {
        ObjectNode body = Json.MAPPER.createObjectNode();
        for (var e : requests.entrySet()) {
            ObjectNode r = body.withArray("requests").addObject();
            r.put("custom_id", e.getKey());
            r.set("params", e.getValue());
        }
        HttpResponse<String> created = post(sim, "/v1/messages/batches", version, beta, body);
        assertThat(created.statusCode()).as("the batch is accepted at create: " + created.body()).isEqualTo(200);
        String id = Json.tree(created.body().getBytes(StandardCharsets.UTF_8)).path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!"ended".equals(get(sim, "/v1/messages/batches/" + id).path("processing_status").asText())) {
            assertThat(System.nanoTime()).as("batch did not end").isLessThan(deadline);
            Thread.sleep(20);
        }
        HttpResponse<String> results = http.send(HttpRequest.newBuilder(
                        URI.create(sim.baseUrl() + "/v1/messages/batches/" + id + "/results"))
                .header("x-api-key", "sk-test").header("anthropic-version", V2023).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (String line : results.body().split("\n")) {
            if (line.isBlank()) continue;
            JsonNode n = Json.tree(line.getBytes(StandardCharsets.UTF_8));
            out.put(n.path("custom_id").asText(), n.path("result"));
        }
        assertThat(out).hasSize(requests.size());
        return out;
    }

    private Map<String, JsonNode> batch(AnthropicSimulator sim, String version, Map<String, ObjectNode> requests)
            throws Exception {
        return batch(sim, version, null, requests);
    }

    static Map<String, ObjectNode> requests(Object... idAndParams) {
        Map<String, ObjectNode> m = new LinkedHashMap<>();
        for (int i = 0; i < idAndParams.length; i += 2) m.put((String) idAndParams[i], (ObjectNode) idAndParams[i + 1]);
        return m;
    }

    static void assertRefused(JsonNode result, String... messageParts) {
        assertThat(result.path("type").asText()).as(result.toString()).isEqualTo("errored");
        assertThat(result.at("/error/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(result.at("/error/error/message").asText()).contains(messageParts);
    }

    static void assertAccepted(JsonNode result) {
        assertThat(result.path("type").asText()).as(result.toString()).isEqualTo("succeeded");
    }

    static void assertBadRequest(HttpResponse<String> r, String... messageParts) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode body = Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
        assertThat(body.at("/error/message").asText()).contains(messageParts);
    }

    static JsonNode ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
    }

    // ---------------------------------------------------------------- rules

    @Test
    void unknownModelIsNotFoundSynchronouslyAndErroredInABatch() throws Exception {
        AnthropicSimulator sim = sim();
        HttpResponse<String> r = post(sim, "/v1/messages", V2023, null, params("claude-nope-9", 100));
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode body = Json.tree(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(body.at("/error/type").asText()).isEqualTo("not_found_error");
        assertThat(body.at("/error/message").asText()).isEqualTo("model: claude-nope-9 not found");
        ok(post(sim, "/v1/messages", V2023, null, params("claude-haiku-4-5", 100)));

        Map<String, JsonNode> res = batch(sim, V2023, requests("unknown", params("claude-nope-9", 100),
                "alias", params("claude-haiku-4-5", 100)));
        assertRefused(res.get("unknown"), "model: claude-nope-9 not found");
        assertAccepted(res.get("alias"));
    }

    @Test
    void retiredModelIsRefusedFromItsRetirementDayOnTheSimulatorClock() throws Exception {
        ObjectNode p = params("claude-sonnet-4-5-20250929", 100);
        AnthropicSimulator after = sim(b -> b.clock(clockAt("2026-12-01T12:00:00Z")));
        assertRefused(batch(after, V2023, requests("r", p)).get("r"), "model:", "retired on 2026-11-30",
                "claude-sonnet-4-6");
        assertBadRequest(post(after, "/v1/messages", V2023, null, p), "model:", "retired");

        AnthropicSimulator before = sim(b -> b.clock(clockAt("2026-11-29T12:00:00Z")));
        assertAccepted(batch(before, V2023, requests("r", p)).get("r"));
    }

    @Test
    void samplingParametersAreRefusedOnEveryModelUnderApiVersion2026EvenAtDefaults() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, ObjectNode> reqs = requests(
                "sonnet55-t1", with(params("claude-sonnet-5-5", 1000), "{\"temperature\":1.0}"),
                "haiku45-t0", with(params("claude-haiku-4-5-20251001", 1000), "{\"temperature\":0}"),
                "haiku45-topk", with(params("claude-haiku-4-5-20251001", 1000), "{\"top_k\":5}"),
                "sonnet55-none", params("claude-sonnet-5-5", 1000));
        Map<String, JsonNode> v2023 = batch(sim, V2023, reqs);
        assertAccepted(v2023.get("sonnet55-t1"));
        assertAccepted(v2023.get("haiku45-t0")); // what the shipped sample job sends
        assertAccepted(v2023.get("haiku45-topk"));
        Map<String, JsonNode> v2026 = batch(sim, V2026, reqs);
        assertRefused(v2026.get("sonnet55-t1"), "temperature:", "2026-10-21");
        assertRefused(v2026.get("haiku45-t0"), "temperature:", "2026-10-21");
        assertRefused(v2026.get("haiku45-topk"), "top_k:", "2026-10-21");
        assertAccepted(v2026.get("sonnet55-none"));
        assertBadRequest(post(sim, "/v1/messages", V2026, null, reqs.get("sonnet55-t1")), "temperature:");
    }

    @Test
    void nonDefaultSamplingIsRefusedWhereTheModelSaysSo() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "t0", with(params("claude-sonnet-5-5", 1000), "{\"temperature\":0}"),
                "topp", with(params("claude-sonnet-5-5", 1000), "{\"top_p\":0.9}"),
                "topk", with(params("claude-sonnet-5-5", 1000), "{\"top_k\":40}"),
                "t1", with(params("claude-sonnet-5-5", 1000), "{\"temperature\":1.0,\"top_p\":1}"),
                "opus46-t0", with(params("claude-opus-4-6", 1000), "{\"temperature\":0}")));
        assertRefused(res.get("t0"), "temperature:", "claude-sonnet-5-5");
        assertRefused(res.get("topp"), "top_p:");
        assertRefused(res.get("topk"), "top_k:");
        assertAccepted(res.get("t1"));
        assertAccepted(res.get("opus46-t0")); // sampling "allowed"
    }

    @Test
    void exclusiveSamplingParametersAreRefusedTogether() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "both", with(params("claude-haiku-4-5-20251001", 1000), "{\"temperature\":0.2,\"top_p\":0.9}"),
                "temperature", with(params("claude-haiku-4-5-20251001", 1000), "{\"temperature\":0.2}"),
                "top_p", with(params("claude-haiku-4-5-20251001", 1000), "{\"top_p\":0.9}"),
                "opus46-both", with(params("claude-opus-4-6", 1000), "{\"temperature\":0.2,\"top_p\":0.9}")));
        assertRefused(res.get("both"), "temperature:", "top_p", "cannot both be specified");
        assertAccepted(res.get("temperature"));
        assertAccepted(res.get("top_p"));
        assertAccepted(res.get("opus46-both"));
    }

    @Test
    void maxTokensAboveTheModelsLimitIsRefusedUnlessTheBatchBetaRaisesIt() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, ObjectNode> reqs = requests(
                "at-limit", params("claude-opus-5-5", 128_000),
                "over", params("claude-opus-5-5", 128_001),
                "beta-size", params("claude-opus-5-5", 300_000),
                "beyond-beta", params("claude-opus-5-5", 300_001),
                "haiku45-beta-size", params("claude-haiku-4-5-20251001", 64_001));
        Map<String, JsonNode> plain = batch(sim, V2023, reqs);
        assertAccepted(plain.get("at-limit"));
        assertRefused(plain.get("over"), "max_tokens: 128001 > 128000", "claude-opus-5-5", OUTPUT_300K);
        assertRefused(plain.get("beta-size"), "max_tokens: 300000 > 128000");
        Map<String, JsonNode> beta = batch(sim, V2023, OUTPUT_300K, reqs);
        assertAccepted(beta.get("over"));
        assertAccepted(beta.get("beta-size"));
        assertRefused(beta.get("beyond-beta"), "max_tokens: 300001 > 300000");
        assertRefused(beta.get("haiku45-beta-size"), "max_tokens: 64001 > 64000"); // no beta for this model
        // the larger limit is for Message Batches: a synchronous call gets the model's own
        assertBadRequest(post(sim, "/v1/messages", V2023, OUTPUT_300K, params("claude-opus-5-5", 128_001)),
                "max_tokens: 128001 > 128000");
    }

    @Test
    void prefillIsRefusedWhereTheModelSaysSo() throws Exception {
        AnthropicSimulator sim = sim();
        String prefill = "{\"messages\":[{\"role\":\"user\",\"content\":\"Classify: refund please\"},"
                + "{\"role\":\"assistant\",\"content\":\"{\\\"category\\\":\"}]}";
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "opus46", with(params("claude-opus-4-6", 500), prefill),
                "haiku45", with(params("claude-haiku-4-5-20251001", 500), prefill),
                "opus46-user-last", params("claude-opus-4-6", 500)));
        assertRefused(res.get("opus46"), "messages:", "prefill", "claude-opus-4-6");
        assertAccepted(res.get("haiku45"));
        assertAccepted(res.get("opus46-user-last"));
    }

    @Test
    void thinkingTypeTheModelDoesNotTakeIsRefusedWithTheProvidersHint() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "disabled", with(params("claude-sonnet-5-5", 8000), "{\"thinking\":{\"type\":\"disabled\"}}"),
                "adaptive", with(params("claude-sonnet-5-5", 8000), "{\"thinking\":{\"type\":\"adaptive\"}}"),
                "fable-disabled", with(params("claude-fable-5-2", 8000), "{\"thinking\":{\"type\":\"disabled\"}}"),
                "sonnet5-disabled", with(params("claude-sonnet-5", 8000), "{\"thinking\":{\"type\":\"disabled\"}}")));
        assertRefused(res.get("disabled"), "thinking.type: 'disabled' is not supported on claude-sonnet-5-5",
                "between_tools");
        assertAccepted(res.get("adaptive"));
        assertRefused(res.get("fable-disabled"), "thinking.type: 'disabled'", "supported: adaptive");
        assertAccepted(res.get("sonnet5-disabled"));
    }

    @Test
    void thinkingOffOnlyAtTheEffortsTheModelAllows() throws Exception {
        AnthropicSimulator sim = sim();
        String off = "\"thinking\":{\"type\":\"between_tools\"}";
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "low", with(params("claude-sonnet-5-5", 2000), "{" + off + ",\"output_config\":{\"effort\":\"low\"}}"),
                "max", with(params("claude-sonnet-5-5", 2000), "{" + off + ",\"output_config\":{\"effort\":\"max\"}}"),
                "default-high", with(params("claude-sonnet-5-5", 2000), "{" + off + "}")));
        assertAccepted(res.get("low"));
        assertRefused(res.get("max"), "thinking.type: 'between_tools'", "effort 'max'", "low, medium, high");
        assertAccepted(res.get("default-high"));
    }

    @Test
    void budgetTokensOnlyWithEnabledThinkingFrom1024AndBelowMaxTokens() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "ok", with(params("claude-opus-4-6", 4000), "{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000}}"),
                "small", with(params("claude-opus-4-6", 4000), "{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1000}}"),
                "at-max", with(params("claude-opus-4-6", 4000), "{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":4000}}"),
                "adaptive", with(params("claude-opus-4-6", 4000), "{\"thinking\":{\"type\":\"adaptive\",\"budget_tokens\":2000}}"),
                "missing", with(params("claude-opus-4-6", 4000), "{\"thinking\":{\"type\":\"enabled\"}}")));
        assertAccepted(res.get("ok"));
        assertRefused(res.get("small"), "thinking.budget_tokens:", "1024");
        assertRefused(res.get("at-max"), "thinking.budget_tokens:", "less than max_tokens");
        assertRefused(res.get("adaptive"), "thinking.budget_tokens:", "'enabled'");
        assertRefused(res.get("missing"), "thinking.budget_tokens: Field required");
    }

    @Test
    void effortLevelsAreTheModelsOwn() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "opus46-xhigh", with(params("claude-opus-4-6", 1000), "{\"output_config\":{\"effort\":\"xhigh\"}}"),
                "opus46-max", with(params("claude-opus-4-6", 1000), "{\"output_config\":{\"effort\":\"max\"}}"),
                "opus47-xhigh", with(params("claude-opus-4-7", 1000), "{\"output_config\":{\"effort\":\"xhigh\"}}"),
                "haiku45-low", with(params("claude-haiku-4-5-20251001", 1000), "{\"output_config\":{\"effort\":\"low\"}}")));
        assertRefused(res.get("opus46-xhigh"), "output_config.effort: 'xhigh' is not supported on claude-opus-4-6");
        assertAccepted(res.get("opus46-max"));
        assertAccepted(res.get("opus47-xhigh"));
        assertRefused(res.get("haiku45-low"), "output_config.effort:", "claude-haiku-4-5-20251001");
    }

    @Test
    void outputFormatNeedsStructuredOutputsAndAJsonSchema() throws Exception {
        // the bundled catalogue's models without structured outputs are all retired: a catalogue of its own serves one
        String catalogue = "{\"as_of\":\"2026-12-05\",\"batch_discount\":0.5,\"models\":[{\"id\":\"claude-plain-1\","
                + "\"status\":\"active\",\"source\":\"test\",\"context_window\":200000,\"max_output_tokens\":8000,"
                + "\"sampling\":\"allowed\",\"thinking\":{\"default\":\"disabled\",\"types\":[\"disabled\"]},"
                + "\"structured_outputs\":false,\"prefill\":true,\"prices\":[{\"input\":1,\"output\":5,"
                + "\"cache_write_5m\":1.25,\"cache_write_1h\":2,\"cache_read\":0.1}]}]}";
        AnthropicSimulator sim = sim(b -> b.catalogue(
                ModelCatalogue.read(new ByteArrayInputStream(catalogue.getBytes(StandardCharsets.UTF_8)))));
        String format = "{\"output_config\":{\"format\":{\"type\":\"json_schema\",\"schema\":{\"type\":\"object\","
                + "\"properties\":{\"a\":{\"type\":\"string\"}},\"required\":[\"a\"],\"additionalProperties\":false}}}}";
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "plain", with(params("claude-plain-1", 1000), format),
                "plain-no-format", params("claude-plain-1", 1000)));
        assertRefused(res.get("plain"), "output_config.format:", "claude-plain-1");
        assertAccepted(res.get("plain-no-format"));

        Map<String, JsonNode> bundled = batch(sim(), V2023, requests(
                "opus46", with(params("claude-opus-4-6", 1000), format),
                "bad-shape", with(params("claude-opus-4-6", 1000),
                        "{\"output_config\":{\"format\":{\"type\":\"json\",\"schema\":{\"type\":\"object\"}}}}")));
        assertAccepted(bundled.get("opus46"));
        assertRefused(bundled.get("bad-shape"), "output_config.format:", "json_schema");
    }

    @Test
    void forcedToolUseIsRefusedWhereTheModelSaysSo() throws Exception {
        AnthropicSimulator sim = sim();
        String tools = "\"tools\":[{\"name\":\"classify\",\"input_schema\":{\"type\":\"object\","
                + "\"properties\":{\"label\":{\"type\":\"string\",\"enum\":[\"billing\",\"other\"]}},\"required\":[\"label\"]}}]";
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "sonnet55-any", with(params("claude-sonnet-5-5", 8000), "{" + tools + ",\"tool_choice\":{\"type\":\"any\"}}"),
                "sonnet55-tool", with(params("claude-sonnet-5-5", 8000),
                        "{" + tools + ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"classify\"}}"),
                "sonnet55-auto", with(params("claude-sonnet-5-5", 8000), "{" + tools + ",\"tool_choice\":{\"type\":\"auto\"}}"),
                "haiku45-tool", with(params("claude-haiku-4-5-20251001", 1000),
                        "{" + tools + ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"classify\"}}")));
        assertRefused(res.get("sonnet55-any"), "tool_choice:", "'any'", "claude-sonnet-5-5");
        assertRefused(res.get("sonnet55-tool"), "tool_choice:", "'tool'");
        assertAccepted(res.get("sonnet55-auto"));
        assertAccepted(res.get("haiku45-tool"));
        assertThat(res.get("haiku45-tool").at("/message/stop_reason").asText()).isEqualTo("tool_use");
    }

    @Test
    void perRequestBetasAreRefusedTheBatchHeaderIsTheirPlace() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, JsonNode> res = batch(sim, V2023, OUTPUT_300K, requests(
                "in-params", with(params("claude-opus-5-5", 1000), "{\"betas\":[\"" + OUTPUT_300K + "\"]}"),
                "in-header", params("claude-opus-5-5", 1000)));
        assertRefused(res.get("in-params"), "betas:", "anthropic-beta header");
        assertAccepted(res.get("in-header"));
    }

    @Test
    void countTokensAppliesTheSameRulesButStillRefusesMaxTokens() throws Exception {
        AnthropicSimulator sim = sim();
        ObjectNode p = params("claude-sonnet-5-5", 1);
        p.remove("max_tokens");
        assertBadRequest(post(sim, "/v1/messages/count_tokens", V2026, null, with(p, "{\"temperature\":1.0}")),
                "temperature:", "2026-10-21");
        assertBadRequest(post(sim, "/v1/messages/count_tokens", V2023, null,
                with(p, "{\"output_config\":{\"effort\":\"turbo\"}}")), "output_config.effort:");
        assertThat(ok(post(sim, "/v1/messages/count_tokens", V2023, null, with(p, "{\"temperature\":1.0}")))
                .path("input_tokens").asLong()).isPositive();
        assertBadRequest(post(sim, "/v1/messages/count_tokens", V2023, null, params("claude-sonnet-5-5", 100)),
                "max_tokens: Extra inputs are not permitted");
    }

    // ---------------------------------------------------------------- answers

    @Test
    void thinkingComesFirstAndItsTokensAreOutput() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "low", with(params("claude-sonnet-5-5", 20_000), "{\"output_config\":{\"effort\":\"low\"}}"),
                "max", with(params("claude-sonnet-5-5", 20_000), "{\"output_config\":{\"effort\":\"max\"}}"),
                "off", with(params("claude-sonnet-5-5", 20_000),
                        "{\"thinking\":{\"type\":\"between_tools\"},\"output_config\":{\"effort\":\"low\"}}"),
                "haiku45", params("claude-haiku-4-5-20251001", 1000),
                "geo", with(params("claude-opus-4-6", 1000), "{\"inference_geo\":\"us\"}")));
        long low = -1;
        for (String id : List.of("low", "max")) {
            JsonNode m = res.get(id).path("message");
            assertThat(m.at("/content/0/type").asText()).isEqualTo("thinking");
            assertThat(m.at("/content/0/thinking").asText()).isEmpty();
            assertThat(m.at("/content/0/signature").asText()).isNotBlank();
            assertThat(m.at("/content/1/type").asText()).isEqualTo("text");
            long thinking = m.at("/usage/output_tokens_details/thinking_tokens").asLong();
            long text = SimModel.tokens(m.at("/content/1/text").asText());
            assertThat(thinking).isPositive();
            assertThat(m.at("/usage/output_tokens").asLong()).isEqualTo(thinking + text);
            assertThat(m.at("/usage/service_tier").asText()).isEqualTo("batch");
            assertThat(m.path("stop_reason").asText()).isEqualTo("end_turn");
            assertThat(m.has("stop_details") && m.get("stop_details").isNull()).isTrue();
            if (id.equals("low")) low = thinking;
            else assertThat(thinking).isGreaterThan(low);
        }
        for (String id : List.of("off", "haiku45", "geo")) {
            JsonNode m = res.get(id).path("message");
            assertThat(m.at("/content/0/type").asText()).as(id).isEqualTo("text");
            assertThat(m.at("/usage/output_tokens_details/thinking_tokens").asLong()).isZero();
        }
        assertThat(res.get("geo").at("/message/usage/inference_geo").asText()).isEqualTo("us");
        assertThat(res.get("haiku45").at("/message/usage").has("inference_geo")).isFalse();

        JsonNode sync = ok(post(sim, "/v1/messages", V2023, null, params("claude-sonnet-5-5", 20_000)));
        assertThat(sync.at("/content/0/type").asText()).isEqualTo("thinking");
        assertThat(sync.at("/usage/service_tier").asText()).isEqualTo("standard");
    }

    @Test
    void thinkingThatUsesTheWholeMaxTokensLeavesNoTextBlock() throws Exception {
        AnthropicSimulator sim = sim();
        Map<String, JsonNode> res = batch(sim, V2023, requests(
                "classify", params("claude-sonnet-5-5", 300), // default effort high: at least 800 thinking tokens
                "roomy", params("claude-sonnet-5-5", 8000)));
        JsonNode m = res.get("classify").path("message");
        assertThat(m.path("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(m.path("content")).hasSize(1);
        assertThat(m.at("/content/0/type").asText()).isEqualTo("thinking");
        assertThat(m.at("/usage/output_tokens").asLong()).isEqualTo(300);
        assertThat(m.at("/usage/output_tokens_details/thinking_tokens").asLong()).isEqualTo(300);
        JsonNode roomy = res.get("roomy").path("message");
        assertThat(roomy.path("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(roomy.at("/content/1/type").asText()).isEqualTo("text");
    }

    @Test
    void refusalFaultStopsWithStopDetailsAndAtMostAShortText() throws Exception {
        AnthropicSimulator sim = sim(b -> b.faults("refusal=1"));
        Map<String, ObjectNode> reqs = new LinkedHashMap<>();
        for (int i = 0; i < 8; i++) reqs.put("r" + i, params("claude-haiku-4-5-20251001", 1000));
        Map<String, JsonNode> res = batch(sim, V2023, reqs);
        for (JsonNode r : res.values()) {
            assertAccepted(r);
            JsonNode m = r.path("message");
            assertThat(m.path("stop_reason").asText()).isEqualTo("refusal");
            assertThat(m.at("/stop_details/type").asText()).isEqualTo("refusal");
            assertThat(m.at("/stop_details/category").asText()).isNotBlank();
            assertThat(m.at("/stop_details/explanation").asText()).isNotBlank();
            assertThat(m.path("content").size()).isLessThanOrEqualTo(1);
            for (JsonNode b : m.path("content")) assertThat(b.path("text").asText().length()).isLessThan(40);
        }
        AnthropicSimulator normal = sim();
        JsonNode m = batch(normal, V2023, requests("r0", params("claude-haiku-4-5-20251001", 1000))).get("r0");
        assertThat(m.at("/message/stop_reason").asText()).isEqualTo("end_turn");
        assertThat(m.at("/message/stop_details").isNull()).isTrue();
    }

    /** Full schema: what the job declares. */
    static final String DECLARED = "{\"type\":\"object\",\"properties\":{"
            + "\"category\":{\"type\":\"string\",\"enum\":[\"billing\",\"bug\",\"other\"]},"
            + "\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
            + "\"summary\":{\"type\":\"string\",\"maxLength\":30},"
            + "\"priority\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":4},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":12},\"maxItems\":2}},"
            + "\"required\":[\"category\",\"confidence\",\"summary\",\"priority\",\"tags\"],\"additionalProperties\":false}";
    /** The same schema as the renderer sends it: unsupported keywords moved into descriptions. */
    static final String SENT = "{\"type\":\"object\",\"properties\":{"
            + "\"category\":{\"type\":\"string\",\"enum\":[\"billing\",\"bug\",\"other\"]},"
            + "\"confidence\":{\"type\":\"number\",\"description\":\"How sure.\\n\\nConstraints: {\\\"maximum\\\":1,\\\"minimum\\\":0}\"},"
            + "\"summary\":{\"type\":\"string\",\"description\":\"\\n\\nConstraints: {\\\"maxLength\\\":30}\"},"
            + "\"priority\":{\"type\":\"integer\",\"description\":\"\\n\\nConstraints: {\\\"maximum\\\":4,\\\"minimum\\\":1}\"},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"description\":\"\\n\\nConstraints: {\\\"maxLength\\\":12}\"},"
            + "\"description\":\"\\n\\nConstraints: {\\\"maxItems\\\":2}\"}},"
            + "\"required\":[\"category\",\"confidence\",\"summary\",\"priority\",\"tags\"],\"additionalProperties\":false}";

    static ObjectNode structured(String schema) {
        return with(params("claude-opus-4-6", 2000),
                "{\"output_config\":{\"format\":{\"type\":\"json_schema\",\"schema\":" + schema + "}}}");
    }

    @Test
    void structuredOutputsAnswerBareJsonValidUnderTheSentSchemaAndItsStrippedConstraints() throws Exception {
        OutputValidator declared = new OutputValidator(Json.tree(DECLARED.getBytes(StandardCharsets.UTF_8)));
        OutputValidator sent = new OutputValidator(Json.tree(SENT.getBytes(StandardCharsets.UTF_8)));
        Map<String, ObjectNode> reqs = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) reqs.put("s" + i, structured(SENT));

        // fences and prose cannot happen under grammar-constrained decoding, whatever the faults say
        AnthropicSimulator sim = sim(b -> b.faults("fenced_json=0.5,invalid_json=0.5"));
        for (JsonNode r : batch(sim, V2023, reqs).values()) {
            String text = r.at("/message/content/0/text").asText();
            assertThat(text).startsWith("{");
            JsonNode answer = Json.tree(text.getBytes(StandardCharsets.UTF_8));
            assertThat(sent.validate(answer)).as(text).isEmpty();
            assertThat(declared.validate(answer)).as(text).isEmpty();
        }

        // the schema-violation fault breaks only a stripped constraint: still valid under what was sent
        AnthropicSimulator violating = sim(b -> b.faults("schema_violation=1"));
        for (JsonNode r : batch(violating, V2023, reqs).values()) {
            String text = r.at("/message/content/0/text").asText();
            JsonNode answer = Json.tree(text.getBytes(StandardCharsets.UTF_8));
            assertThat(sent.validate(answer)).as(text).isEmpty();
            assertThat(declared.validate(answer)).as(text).isNotEmpty();
        }

        // with no stripped constraint anywhere, the fault has nothing to break
        Map<String, ObjectNode> plain = new LinkedHashMap<>();
        String enumOnly = "{\"type\":\"object\",\"properties\":{\"category\":{\"type\":\"string\",\"enum\":[\"billing\",\"other\"]}},"
                + "\"required\":[\"category\"],\"additionalProperties\":false}";
        OutputValidator enumValidator = new OutputValidator(Json.tree(enumOnly.getBytes(StandardCharsets.UTF_8)));
        for (int i = 0; i < 10; i++) plain.put("p" + i, structured(enumOnly));
        for (JsonNode r : batch(violating, V2023, plain).values()) {
            String text = r.at("/message/content/0/text").asText();
            assertThat(enumValidator.validate(Json.tree(text.getBytes(StandardCharsets.UTF_8)))).as(text).isEmpty();
        }
    }

    private static Clock clockAt(String instant) {
        return Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), Instant.parse(instant)));
    }
}
