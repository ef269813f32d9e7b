package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.json.Json;
import io.batchline.provider.ProviderException;
import io.batchline.provider.ProviderModelInfo;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The simulator's Models API and its authentication and version checks, through raw HTTP and the project's client. */
class SimModelsEndpointTest {
    private static final String KEY = "sk-ant-sim-models";
    private final List<AnthropicSimulator> sims = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        sims.forEach(AnthropicSimulator::close);
    }

    private AnthropicSimulator sim(String day) {
        AnthropicSimulator s = AnthropicSimulator.start(SimulatorConfig.builder().requiredApiKey(KEY)
                .clock(Clock.fixed(Instant.parse(day + "T12:00:00Z"), ZoneOffset.UTC)).build());
        sims.add(s);
        return s;
    }

    private static AnthropicBatchesClient client(AnthropicSimulator sim, String version) {
        return new AnthropicBatchesClient(ProviderConfig.of(sim.baseUrl(), () -> KEY).withVersion(version)
                .withRetries(0, Duration.ofMillis(10), Duration.ofMillis(10)));
    }

    private HttpResponse<String> get(AnthropicSimulator sim, String pathAndQuery, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + pathAndQuery)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(AnthropicSimulator sim, String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(sim, pathAndQuery,
                Map.of("authorization", "Bearer " + KEY, "anthropic-version", "2026-10-21"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }

    @Test
    void theClientReadsAModelByIdOrAliasUnderEitherApiVersion() {
        AnthropicSimulator sim = sim("2026-12-06");
        for (String version : List.of("2023-06-01", "2026-10-21")) {
            ProviderModelInfo haiku = client(sim, version).model("claude-haiku-5-5");
            assertThat(haiku).isEqualTo(new ProviderModelInfo("claude-haiku-5-5", 128_000, 1_000_000, true,
                    List.of("low", "medium", "high", "xhigh", "max"), List.of("adaptive", "disabled")));
        }
        ProviderModelInfo old = client(sim, "2023-06-01").model("claude-haiku-4-5");
        assertThat(old.id()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(old.effortLevels()).isEmpty();
        assertThat(old.thinkingTypes()).containsExactly("disabled", "enabled");
        assertThat(old.maxTokens()).isEqualTo(ModelCatalogue.bundled().find("claude-haiku-4-5").orElseThrow().maxOutputTokens());

        assertThatThrownBy(() -> client(sim, "2023-06-01").model("claude-no-such-model"))
                .isInstanceOf(ProviderException.class)
                .satisfies(e -> assertThat(((ProviderException) e).kind()).isEqualTo(ProviderException.Kind.NOT_FOUND));
    }

    @Test
    void aModelIsServedUntilItsRetirementDayByTheSimulatorsClock() throws Exception {
        AnthropicSimulator before = sim("2026-11-29");
        JsonNode sonnet = getJson(before, "/v1/models/claude-sonnet-4-5");
        assertThat(sonnet.path("id").asText()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(sonnet.path("lifecycle").asText()).isEqualTo("deprecated");
        assertThat(sonnet.path("retires_at").asText()).isEqualTo("2026-11-30T00:00:00Z");

        AnthropicSimulator after = sim("2026-11-30");
        HttpResponse<String> gone = get(after, "/v1/models/claude-sonnet-4-5-20250929",
                Map.of("x-api-key", KEY, "anthropic-version", "2023-06-01"));
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(Json.MAPPER.readTree(gone.body()).path("error").path("type").asText()).isEqualTo("not_found_error");
        assertThatThrownBy(() -> client(after, "2023-06-01").model("claude-sonnet-4-20250514"))
                .isInstanceOf(ProviderException.class);
    }

    @Test
    void theListIsNewestFirstAndPagesBothWays() throws Exception {
        AnthropicSimulator sim = sim("2026-12-06");
        JsonNode all = getJson(sim, "/v1/models?limit=1000");
        List<String> ids = new ArrayList<>();
        Instant previous = Instant.MAX;
        for (JsonNode m : all.path("data")) {
            Instant created = Instant.parse(m.path("created_at").asText());
            assertThat(created).as(m.path("id").asText()).isBeforeOrEqualTo(previous);
            previous = created;
            ids.add(m.path("id").asText());
            assertThat(m.path("lifecycle").asText()).isNotEqualTo("retired");
        }
        assertThat(ids).startsWith("claude-fable-5-2", "claude-haiku-5-5", "claude-sonnet-5-5", "claude-opus-5-5")
                .doesNotContain("claude-sonnet-4-20250514", "claude-sonnet-4-5-20250929")
                .containsAll(ModelCatalogue.bundled().servedIds(java.time.LocalDate.parse("2026-12-06")));
        assertThat(all.path("has_more").asBoolean()).isFalse();

        List<String> paged = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = getJson(sim, "/v1/models?limit=4" + (after == null ? "" : "&after_id=" + after));
            page.path("data").forEach(m -> paged.add(m.path("id").asText()));
            assertThat(page.path("first_id").asText()).isEqualTo(page.path("data").get(0).path("id").asText());
            after = page.path("has_more").asBoolean() ? page.path("last_id").asText() : null;
            pages++;
        } while (after != null);
        assertThat(paged).isEqualTo(ids);
        assertThat(pages).isGreaterThan(2);

        JsonNode back = getJson(sim, "/v1/models?limit=2&before_id=" + ids.get(4));
        assertThat(back.path("data").findValuesAsText("id")).containsExactly(ids.get(2), ids.get(3));
        assertThat(back.path("has_more").asBoolean()).isTrue();

        JsonNode retired = getJson(sim, "/v1/models?lifecycle%5B%5D=retired");
        List<String> retiredIds = ModelCatalogue.bundled().models().stream()
                .filter(m -> m.retiredOn(java.time.LocalDate.parse("2026-12-06"))).map(m -> m.id()).toList();
        assertThat(retiredIds).contains("claude-sonnet-4-20250514", "claude-sonnet-4-5-20250929");
        assertThat(retired.path("data").findValuesAsText("id")).containsExactlyInAnyOrderElementsOf(retiredIds);

        HttpResponse<String> tooMany = get(sim, "/v1/models?limit=1001",
                Map.of("x-api-key", KEY, "anthropic-version", "2023-06-01"));
        assertThat(tooMany.statusCode()).isEqualTo(400);
    }

    @Test
    void aModelCarriesTheDocumentedFieldsAndEveryCapabilityKey() throws Exception {
        JsonNode opus = getJson(sim("2026-12-06"), "/v1/models/claude-opus-4-6");
        assertThat(opus.path("type").asText()).isEqualTo("model");
        assertThat(opus.path("display_name").asText()).isEqualTo("Claude Opus 4.6");
        assertThat(opus.path("created_at").asText()).isEqualTo("2026-02-05T00:00:00Z");
        assertThat(opus.path("line").asText()).isEqualTo("opus");
        assertThat(opus.path("max_input_tokens").asLong()).isEqualTo(1_000_000);
        assertThat(opus.path("max_tokens").asInt()).isEqualTo(128_000);
        JsonNode c = opus.path("capabilities");
        assertThat(c.fieldNames()).toIterable().containsExactlyInAnyOrder("batch", "citations", "code_execution",
                "context_management", "effort", "image_input", "pdf_input", "server_tools", "structured_outputs", "thinking");
        assertThat(c.path("effort").path("max").path("supported").asBoolean()).isTrue();
        assertThat(c.path("effort").path("xhigh").path("supported").asBoolean()).isFalse();
        assertThat(c.path("thinking").path("types").path("enabled").path("supported").asBoolean()).isTrue();
        assertThat(c.path("thinking").path("types").path("between_tools").path("supported").asBoolean()).isFalse();
    }

    @Test
    void bothAuthenticationFormsAreCheckedAgainstTheRequiredKey() throws Exception {
        AnthropicSimulator sim = sim("2026-12-06");
        String path = "/v1/models/claude-haiku-5-5";
        String v = "2023-06-01";
        assertThat(get(sim, path, Map.of("x-api-key", KEY, "anthropic-version", v)).statusCode()).isEqualTo(200);
        assertThat(get(sim, path, Map.of("authorization", "Bearer " + KEY, "anthropic-version", v)).statusCode()).isEqualTo(200);
        for (Map<String, String> bad : List.of(
                Map.of("anthropic-version", v),
                Map.of("authorization", "Bearer wrong", "anthropic-version", v),
                Map.of("x-api-key", "wrong", "anthropic-version", v),
                Map.of("x-api-key", "wrong", "authorization", "Bearer " + KEY, "anthropic-version", v),
                Map.of("x-api-key", KEY, "authorization", "Bearer wrong", "anthropic-version", v),
                Map.of("authorization", "Basic " + KEY, "anthropic-version", v))) {
            HttpResponse<String> r = get(sim, path, bad);
            assertThat(r.statusCode()).as(bad.toString()).isEqualTo(401);
            assertThat(Json.MAPPER.readTree(r.body()).path("error").path("type").asText()).isEqualTo("authentication_error");
        }
    }

    @Test
    void anUnknownApiVersionIsA400NamingTheHeader() throws Exception {
        AnthropicSimulator sim = sim("2026-12-06");
        HttpResponse<String> r = get(sim, "/v1/messages/batches", Map.of("x-api-key", KEY, "anthropic-version", "2024-02-30"));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = Json.MAPPER.readTree(r.body()).path("error");
        assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.path("message").asText()).contains("anthropic-version", "2024-02-30");
        assertThat(get(sim, "/v1/messages/batches", Map.of("x-api-key", KEY, "anthropic-version", "2026-10-21"))
                .statusCode()).isEqualTo(200);
    }
}
