package io.batchline.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batch prices as the model catalogue gives them: dated entries, per-model cache rates, prompt tiers. */
class PriceTableTests {

    private final PriceTable bundled = PriceTable.bundled().on(LocalDate.parse("2026-12-06"));

    @Test
    void haikuBatchInputIsHalfTheStandardPrice() {
        Price haiku = bundled.priceFor("claude-haiku-4-5");

        assertThat(haiku.cost(new Usage(1_000_000, 0, 0, 0))).isEqualByComparingTo("0.50");
        assertThat(haiku.cost(new Usage(1_000_000, 0, 0, 0)).toPlainString()).isEqualTo("0.50000000");
        assertThat(haiku.cost(new Usage(1, 0, 0, 0)).scale()).isEqualTo(Price.COST_SCALE);
        assertThat(haiku.model()).isEqualTo("claude-haiku-4-5");
    }

    @Test
    void costIsExactAcrossAllFourTokenKinds() {
        Price sonnet = bundled.priceFor("claude-sonnet-4-6");
        // batch rates: input 1.5, output 7.5, cache write 1.875, cache read 0.15 per MTok
        Usage usage = new Usage(1234, 567, 2048, 10_000);

        // 1234*1.5 + 567*7.5 + 2048*1.875 + 10000*0.15 = 1851 + 4252.5 + 3840 + 1500 = 11443.5 micro-dollars
        assertThat(sonnet.cost(usage).toPlainString()).isEqualTo("0.01144350");
    }

    @Test
    void cacheRatesArePerModelNotAFixedMultiple() {
        // Opus 5.5 reads the cache at 0.05x input, Haiku 5.5 at 0.1x, Sonnet 4.6 at 0.1x
        assertThat(bundled.priceFor("claude-opus-5-5").cacheReadPerMtok()).isEqualByComparingTo("0.10");  // 0.20 x 0.5
        assertThat(bundled.priceFor("claude-opus-5-5").inputPerMtok()).isEqualByComparingTo("2");
        assertThat(bundled.priceFor("claude-haiku-5-5").cacheReadPerMtok()).isEqualByComparingTo("0.005");
        assertThat(bundled.priceFor("claude-fable-5-1").cacheReadPerMtok()).isEqualByComparingTo("0.125");
    }

    @Test
    void cacheWritesCostTheRateOfTheJobsTtl() {
        Price fiveMinutes = bundled.priceFor("claude-opus-4-6", "5m");
        Price oneHour = bundled.priceFor("claude-opus-4-6", "1h");
        Price byDefault = bundled.priceFor("claude-opus-4-6", null);

        assertThat(fiveMinutes.cacheWritePerMtok()).isEqualByComparingTo("3.125"); // 6.25 x 0.5
        assertThat(oneHour.cacheWritePerMtok()).isEqualByComparingTo("5");         // 10 x 0.5
        assertThat(byDefault.cacheWritePerMtok()).isEqualByComparingTo("3.125");
        assertThat(oneHour.cacheTtl()).isEqualTo("1h");
        assertThat(byDefault.cacheTtl()).isNull();
        assertThat(Json.MAPPER.valueToTree(oneHour).path("cache_ttl").asText()).isEqualTo("1h");
        assertThat(Json.MAPPER.valueToTree(byDefault).has("cache_ttl")).isFalse();
        assertThatThrownBy(() -> bundled.priceFor("claude-opus-4-6", "2h")).hasMessageContaining("5m or 1h");
    }

    @Test
    void aRunIsPricedByTheEntryInForceOnItsDay() {
        // Sonnet 5.5's cache read went from 0.20 to 0.10 (standard) on 2026-10-07
        Price before = PriceTable.bundled().on(LocalDate.parse("2026-10-06")).priceFor("claude-sonnet-5-5");
        Price after = PriceTable.bundled().on(LocalDate.parse("2026-10-07")).priceFor("claude-sonnet-5-5");

        assertThat(before.cacheReadPerMtok()).isEqualByComparingTo("0.10");
        assertThat(before.effectiveFrom()).isEqualTo("2026-09-28");
        assertThat(after.cacheReadPerMtok()).isEqualByComparingTo("0.05");
        assertThat(after.effectiveFrom()).isEqualTo("2026-10-07");
        assertThat(Json.MAPPER.valueToTree(after).path("effective_from").asText()).isEqualTo("2026-10-07");
    }

    @Test
    void haikuFiveFiveBillsEveryTokenOfALongPromptAtTheHigherTier() {
        Price haiku = bundled.priceFor("claude-haiku-5-5");
        // prompt = input + cache writes + cache reads = 100,000: still the base tier
        Usage atLimit = new Usage(60_000, 1_000, 20_000, 20_000);
        Usage above = new Usage(60_001, 1_000, 20_000, 20_000);

        assertThat(haiku.tierFor(atLimit)).isNull();
        // 60000*0.05 + 1000*0.25 + 20000*0.0625 + 20000*0.005 = 3000 + 250 + 1250 + 100 = 4600 micro-dollars
        assertThat(haiku.cost(atLimit).toPlainString()).isEqualTo("0.00460000");
        assertThat(haiku.tierFor(above).name()).isEqualTo("above_100000");
        // 60001*0.25 + 1000*1.25 + 20000*0.3125 + 20000*0.025 = 15000.25 + 1250 + 6250 + 500 = 23000.25
        assertThat(haiku.cost(above).toPlainString()).isEqualTo("0.02300025");
        // the report's entry carries the tier so a reader can recompute every line
        JsonNode json = Json.MAPPER.valueToTree(haiku);
        assertThat(json.path("prompt_tiers").get(0).path("above_prompt_tokens").asLong()).isEqualTo(100_000);
        assertThat(json.path("prompt_tiers").get(0).path("output_per_mtok").decimalValue()).isEqualByComparingTo("1.25");
        // the worst case of a run whose requests may cross the threshold is priced at the tier
        assertThat(haiku.worstCase(1_000_000, 0, 150_000)).isEqualByComparingTo("0.3125");
        assertThat(haiku.worstCase(1_000_000, 0, 50_000)).isEqualByComparingTo("0.0625");
    }

    @Test
    void unknownModelListsTheKnownOnes() {
        assertThatThrownBy(() -> bundled.priceFor("claude-mystery-9"))
                .isInstanceOfSatisfying(UnknownModelPriceException.class, e -> {
                    assertThat(e.model()).isEqualTo("claude-mystery-9");
                    assertThat(e.knownModels()).contains("claude-haiku-5-5", "claude-opus-4-6").isSorted();
                })
                .hasMessageStartingWith("no price for model 'claude-mystery-9' in the model catalogue of 2026-12-05 (known: ")
                .hasMessageContaining("BATCHLINE_MODELS_FILE");
    }

    @Test
    void worstCasePricesInputAtTheCacheWriteRate() {
        Price haiku = bundled.priceFor("claude-haiku-4-5");

        // 1M input at max(0.5, 0.625) + 100k output at 2.5 = 0.625 + 0.25
        assertThat(haiku.worstCase(1_000_000, 100_000).toPlainString()).isEqualTo("0.87500000");
        assertThat(haiku.worstCase(1_000_000, 100_000))
                .isGreaterThanOrEqualTo(haiku.cost(new Usage(0, 100_000, 1_000_000, 0)));
    }

    @Test
    void negativeTokensAreRefused() {
        assertThatThrownBy(() -> bundled.priceFor("claude-haiku-4-5").cost(new Usage(-1, 0, 0, 0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void priceSerialisesWithSnakeCaseNamesAndPlainNumbers() {
        JsonNode json = Json.MAPPER.valueToTree(bundled.priceFor("claude-opus-4-20250514"));

        assertThat(json.fieldNames()).toIterable().containsExactly("model", "as_of", "batch_discount",
                "input_per_mtok", "output_per_mtok", "cache_write_per_mtok", "cache_read_per_mtok");
        assertThat(Json.string(bundled.priceFor("claude-opus-4-20250514")))
                .contains("\"output_per_mtok\":37.5").contains("\"input_per_mtok\":7.5");
    }

    @Test
    void envFileAddsAndReplacesModelsOfTheBundledCatalogue(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("models.json");
        Files.writeString(file, """
                {"as_of": "2027-01-15", "models": [
                 {"id": "claude-haiku-5-5", "status": "active", "source": "our contract", "context_window": 1000000,
                  "max_output_tokens": 128000, "sampling": "non_default_refused",
                  "thinking": {"default": "adaptive", "types": ["adaptive", "disabled"], "off": "disabled"},
                  "prices": [{"input": 0.08, "output": 0.40, "cache_write_5m": 0.1, "cache_write_1h": 0.16, "cache_read": 0.008}]},
                 {"id": "claude-new-6", "status": "active", "source": "release notes", "context_window": 1000000,
                  "max_output_tokens": 128000, "sampling": "refused", "thinking": {"default": "adaptive", "types": ["adaptive"]},
                  "prices": [{"input": 3, "output": 15, "cache_write_5m": 3.75, "cache_write_1h": 6, "cache_read": 0.3}]}]}""");

        PriceTable table = PriceTable.fromEnvOrBundled(Map.of("BATCHLINE_MODELS_FILE", file.toString()));

        assertThat(table.asOf()).isEqualTo("2027-01-15");
        assertThat(table.priceFor("claude-haiku-5-5").cost(new Usage(1_000_000, 0, 0, 0))).isEqualByComparingTo("0.04");
        assertThat(table.priceFor("claude-new-6").inputPerMtok()).isEqualByComparingTo("1.5");
        assertThat(table.knownModels()).contains("claude-opus-4-6", "claude-new-6");
        assertThat(PriceTable.fromEnvOrBundled(Map.of())).isSameAs(PriceTable.bundled());
        assertThat(PriceTable.fromEnvOrBundled(Map.of("BATCHLINE_MODELS_FILE", " "))).isSameAs(PriceTable.bundled());
    }

    @Test
    void theReplacedPricesVariableIsRefusedWithTheWayOn(@TempDir Path dir) {
        assertThatThrownBy(() -> PriceTable.fromEnvOrBundled(Map.of("BATCHLINE_PRICES_FILE", dir.resolve("p.json").toString())))
                .hasMessageContaining("BATCHLINE_PRICES_FILE is no longer read").hasMessageContaining("BATCHLINE_MODELS_FILE");
    }

    @Test
    void missingOverrideFileFailsLoudly(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");

        assertThatThrownBy(() -> PriceTable.fromEnvOrBundled(Map.of("BATCHLINE_MODELS_FILE", missing.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("BATCHLINE_MODELS_FILE=" + missing + ": no such file");
    }

    @Test
    void badCataloguesNameTheOffendingField() {
        String model = "{\"id\": \"m\", \"status\": \"active\", \"source\": \"s\", \"context_window\": 1000, "
                + "\"max_output_tokens\": 100, \"sampling\": \"allowed\", \"thinking\": {\"default\": \"disabled\", "
                + "\"types\": [\"disabled\"]}, \"prices\": [{\"input\": 1, \"output\": \"5\", \"cache_write_5m\": 1, "
                + "\"cache_write_1h\": 2, \"cache_read\": 0.1}]}";
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"2026-11-01\", \"batch_discount\": 0.5, \"models\": [" + model + "]}")))
                .hasMessage("model catalogue: models.m.prices[0].output is missing or not a number");
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"Nov 2026\", \"batch_discount\": 0.5, \"models\": []}")))
                .hasMessageStartingWith("model catalogue: as_of must be a date like 2026-12-05, found 'Nov 2026'");
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"2026-11-01\", \"batch_discount\": 2, \"models\": []}")))
                .hasMessage("model catalogue: batch_discount must be in (0, 1], found 2");
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"2026-11-01\", \"batch_discount\": 0.5, \"models\": []}")))
                .hasMessage("model catalogue: models must be a non-empty list of models");
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"2026-11-01\", \"batch_discount\": 0.5, \"models\": ["
                + model.replace("\"sampling\": \"allowed\"", "\"sampling\": \"sometimes\"").replace("\"5\"", "5") + "]}")))
                .hasMessageContaining("models.m.sampling must be allowed, non_default_refused or refused");
        assertThatThrownBy(() -> PriceTable.read(stream("{not json")))
                .hasMessageStartingWith("model catalogue is not valid JSON: ");
    }

    private static InputStream stream(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }
}
