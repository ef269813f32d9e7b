package io.batchline.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTests {

    private final PriceTable bundled = PriceTable.bundled();

    @Test
    void haikuBatchInputIsHalfTheStandardPrice() {
        Price haiku = bundled.priceFor("claude-haiku-4-5");

        assertThat(haiku.cost(new Usage(1_000_000, 0, 0, 0))).isEqualByComparingTo("0.50");
        assertThat(haiku.cost(new Usage(1_000_000, 0, 0, 0)).toPlainString()).isEqualTo("0.50000000");
        assertThat(haiku.cost(new Usage(1, 0, 0, 0)).scale()).isEqualTo(Price.COST_SCALE);
    }

    @Test
    void costIsExactAcrossAllFourTokenKinds() {
        Price sonnet = bundled.priceFor("claude-sonnet-4-5");
        // batch rates: input 1.5, output 7.5, cache write 1.875, cache read 0.15 per MTok
        Usage usage = new Usage(1234, 567, 2048, 10_000);

        // 1234*1.5 + 567*7.5 + 2048*1.875 + 10000*0.15 = 1851 + 4252.5 + 3840 + 1500 = 11443.5 micro-dollars
        assertThat(sonnet.cost(usage).toPlainString()).isEqualTo("0.01144350");
    }

    @Test
    void cacheWritesCostTheRateOfTheJobsTtlAndReadsATenth() {
        // GIVEN claude-sonnet-4-5 at standard input $3/MTok and the batch discount of 0.5
        Price fiveMinutes = bundled.priceFor("claude-sonnet-4-5-20250929", "5m");
        Price oneHour = bundled.priceFor("claude-sonnet-4-5-20250929", "1h");
        Price byDefault = bundled.priceFor("claude-sonnet-4-5-20250929", null);

        // THEN writes are 1.25x (5m) or 2x (1h) the base input price, reads 0.1x, all batch-discounted
        assertThat(fiveMinutes.cacheWritePerMtok()).isEqualByComparingTo("1.875"); // 3 x 1.25 x 0.5
        assertThat(oneHour.cacheWritePerMtok()).isEqualByComparingTo("3");         // 3 x 2 x 0.5
        assertThat(oneHour.cacheReadPerMtok()).isEqualByComparingTo("0.15");       // 3 x 0.1 x 0.5
        assertThat(oneHour.inputPerMtok()).isEqualByComparingTo("1.5");
        assertThat(byDefault).isEqualTo(bundled.priceFor("claude-sonnet-4-5-20250929"));
        assertThat(oneHour.cacheTtl()).isEqualTo("1h");
        assertThat(byDefault.cacheTtl()).isNull();

        // AND a request that wrote 2,048 prefix tokens and one that read them, each with 500 more input and 100 output
        Usage write = new Usage(500, 100, 2048, 0);
        Usage read = new Usage(500, 100, 0, 2048);
        // 500*1.5 + 100*7.5 + 2048*3 = 750 + 750 + 6144 = 7644 micro-dollars
        assertThat(oneHour.cost(write).toPlainString()).isEqualTo("0.00764400");
        // 500*1.5 + 100*7.5 + 2048*1.875 = 1500 + 3840 = 5340
        assertThat(fiveMinutes.cost(write).toPlainString()).isEqualTo("0.00534000");
        // 1500 + 2048*0.15 = 1500 + 307.2 = 1807.2
        assertThat(oneHour.cost(read).toPlainString()).isEqualTo("0.00180720");

        // AND the report's price entry names the TTL only when the job set one
        assertThat(Json.MAPPER.valueToTree(oneHour).path("cache_ttl").asText()).isEqualTo("1h");
        assertThat(Json.MAPPER.valueToTree(byDefault).has("cache_ttl")).isFalse();
    }

    @Test
    void aTableMayStateTheOneHourWriteRate() {
        PriceTable table = PriceTable.read(stream("""
                {"as_of": "2026-01-01", "batch_discount": 0.5, "models": {"m": {"input_per_mtok": 4,
                 "output_per_mtok": 8, "cache_write_per_mtok": 5, "cache_read_per_mtok": 0.4,
                 "cache_write_1h_per_mtok": 9}}}"""));
        assertThat(table.priceFor("m", "1h").cacheWritePerMtok()).isEqualByComparingTo("4.5");
        assertThat(table.priceFor("m", "5m").cacheWritePerMtok()).isEqualByComparingTo("2.5");
        assertThatThrownBy(() -> table.priceFor("m", "2h")).hasMessageContaining("5m or 1h");
    }

    @Test
    void costRoundsHalfUpAtEightDecimals() {
        Price haiku = bundled.priceFor("claude-haiku-4-5");

        // one cache-read token at 0.05 USD/MTok; three output tokens at 2.5 USD/MTok
        assertThat(haiku.cost(new Usage(0, 0, 0, 1)).toPlainString()).isEqualTo("0.00000005");
        assertThat(haiku.cost(new Usage(0, 3, 0, 0)).toPlainString()).isEqualTo("0.00000750");
        // a half at the ninth decimal rounds up
        Price tiny = PriceTable.read(stream("""
                {"as_of": "2026-01-01", "batch_discount": 1, "models": {"m": {"input_per_mtok": 0.005,
                 "output_per_mtok": 0.015, "cache_write_per_mtok": 0, "cache_read_per_mtok": 0}}}""")).priceFor("m");
        assertThat(tiny.cost(new Usage(1, 0, 0, 0)).toPlainString()).isEqualTo("0.00000001"); // 0.000000005 -> up
        assertThat(tiny.cost(new Usage(0, 1, 0, 0)).toPlainString()).isEqualTo("0.00000002"); // 0.000000015 -> up
    }

    @Test
    void effectiveBatchPricesAreTheStandardOnesHalved() {
        Price opus = bundled.priceFor("claude-opus-4-5");

        assertThat(opus.model()).isEqualTo("claude-opus-4-5");
        assertThat(opus.asOf()).isEqualTo("2026-11-01");
        assertThat(opus.batchDiscount()).isEqualByComparingTo("0.5");
        assertThat(opus.inputPerMtok()).isEqualByComparingTo("2.5");
        assertThat(opus.outputPerMtok()).isEqualByComparingTo("12.5");
        assertThat(opus.cacheWritePerMtok()).isEqualByComparingTo("3.125");
        assertThat(opus.cacheReadPerMtok()).isEqualByComparingTo("0.25");
    }

    @Test
    void datedModelIdResolvesToItsFamily() {
        Price dated = bundled.priceFor("claude-haiku-4-5-20251001");

        assertThat(dated.model()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(dated.inputPerMtok()).isEqualByComparingTo("0.5");
        assertThat(dated.outputPerMtok()).isEqualByComparingTo("2.5");
    }

    @Test
    void unknownModelListsTheKnownOnes() {
        assertThatThrownBy(() -> bundled.priceFor("claude-mystery-9"))
                .isInstanceOfSatisfying(UnknownModelPriceException.class, e -> {
                    assertThat(e.model()).isEqualTo("claude-mystery-9");
                    assertThat(e.knownModels()).contains("claude-haiku-4-5", "claude-opus-4-5").isSorted();
                })
                .hasMessageStartingWith("no price for model 'claude-mystery-9' in the price table of 2026-11-01 (known: ")
                .hasMessageContaining("claude-3-5-haiku, ")
                .hasMessageContaining("BATCHLINE_PRICES_FILE");
        // only a trailing 8-digit date is stripped
        assertThatThrownBy(() -> bundled.priceFor("claude-haiku-4-5-2025")).isInstanceOf(UnknownModelPriceException.class);
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
        JsonNode json = Json.MAPPER.valueToTree(bundled.priceFor("claude-opus-4-1"));

        assertThat(json.fieldNames()).toIterable().containsExactly("model", "as_of", "batch_discount",
                "input_per_mtok", "output_per_mtok", "cache_write_per_mtok", "cache_read_per_mtok");
        assertThat(Json.string(bundled.priceFor("claude-opus-4-1")))
                .contains("\"output_per_mtok\":37.5").contains("\"input_per_mtok\":7.5");
    }

    @Test
    void envFileOverridesTheBundledTable(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prices.json");
        Files.writeString(file, """
                {"as_of": "2027-01-15", "batch_discount": 0.5, "models": {"claude-haiku-4-5":
                 {"input_per_mtok": 2, "output_per_mtok": 10, "cache_write_per_mtok": 2.5, "cache_read_per_mtok": 0.2}}}""");

        PriceTable table = PriceTable.fromEnvOrBundled(Map.of("BATCHLINE_PRICES_FILE", file.toString()));

        assertThat(table.asOf()).isEqualTo("2027-01-15");
        assertThat(table.priceFor("claude-haiku-4-5").cost(new Usage(1_000_000, 0, 0, 0))).isEqualByComparingTo("1");
        assertThat(table.knownModels()).containsExactly("claude-haiku-4-5");
        assertThat(PriceTable.fromEnvOrBundled(Map.of())).isSameAs(PriceTable.bundled());
        assertThat(PriceTable.fromEnvOrBundled(Map.of("BATCHLINE_PRICES_FILE", " "))).isSameAs(PriceTable.bundled());
    }

    @Test
    void missingOverrideFileFailsLoudly(@TempDir Path dir) {
        Path missing = dir.resolve("nope.json");

        assertThatThrownBy(() -> PriceTable.fromEnvOrBundled(Map.of("BATCHLINE_PRICES_FILE", missing.toString())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("BATCHLINE_PRICES_FILE=" + missing + ": no such file");
    }

    @Test
    void badTablesNameTheOffendingField() {
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"2026-11-01\", \"batch_discount\": 0.5, "
                + "\"models\": {\"m\": {\"input_per_mtok\": 1, \"output_per_mtok\": \"5\", "
                + "\"cache_write_per_mtok\": 1, \"cache_read_per_mtok\": 0.1}}}")))
                .hasMessage("price table: models.m.output_per_mtok is missing or not a number");
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"Nov 2026\", \"batch_discount\": 0.5, \"models\": {}}")))
                .hasMessageStartingWith("price table: as_of must be a date like 2026-11-01, found 'Nov 2026'");
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"2026-11-01\", \"batch_discount\": 2, \"models\": {}}")))
                .hasMessage("price table: batch_discount must be in (0, 1], found 2");
        assertThatThrownBy(() -> PriceTable.read(stream("{\"as_of\": \"2026-11-01\", \"batch_discount\": 0.5, \"models\": {}}")))
                .hasMessage("price table: models must be a non-empty object of model id -> prices");
        assertThatThrownBy(() -> PriceTable.read(stream("{not json")))
                .hasMessageStartingWith("price table is not valid JSON: ");
    }

    @Test
    void bundledTableHoldsTheDocumentedModels() {
        assertThat(bundled.asOf()).isEqualTo("2026-11-01");
        assertThat(bundled.batchDiscount()).isEqualByComparingTo("0.5");
        assertThat(bundled.knownModels()).containsExactly("claude-3-5-haiku", "claude-haiku-4-5", "claude-opus-4-1",
                "claude-opus-4-5", "claude-sonnet-4", "claude-sonnet-4-5");
        // cache write is 1.25x input and cache read 0.1x for every model
        for (String model : bundled.knownModels()) {
            Price p = bundled.priceFor(model);
            assertThat(p.cacheWritePerMtok()).as(model).isEqualByComparingTo(p.inputPerMtok().multiply(new BigDecimal("1.25")));
            assertThat(p.cacheReadPerMtok()).as(model).isEqualByComparingTo(p.inputPerMtok().multiply(new BigDecimal("0.1")));
        }
    }

    private static InputStream stream(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }
}
