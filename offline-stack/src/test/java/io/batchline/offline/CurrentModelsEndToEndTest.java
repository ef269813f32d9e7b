package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.batchline.aws.AwsClients;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.catalogue.ModelEntry;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import io.batchline.aws.s3.S3ObjectStore;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * A real job on each current model (the active ones of the lineup, and the seed's Opus 4.6), run through the
 * offline stack and the state machine as {@code ./batchline local run} runs it, against the simulator that refuses
 * what the API refuses per model: every line ends in one outcome, no request trips the model's rules, every line's
 * cost is its usage at the report's price (the catalogue's rates at the batch discount, prompt tier included), and
 * thinking is billed as output exactly where the model thinks. One more run shows Haiku 5.5's prompt tier applied.
 *
 * <p>All runs are dropped at once on one stack, so they overlap; each test waits for its own.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
class CurrentModelsEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path SAMPLE = HOME.resolve("samples/ticket-triage");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ModelCatalogue CATALOGUE = ModelCatalogue.bundled();
    private static final String TIER_MODEL = "claude-haiku-5-5";
    /** Input lines of the tier run whose ticket is a pasted log of ~110K tokens. */
    private static final List<Long> HUGE_LINES = List.of(4L, 9L, 13L);

    private static OfflineStack stack;
    private static ObjectStore bucket;
    private static SfnClient sfn;
    private static byte[] modelInput;
    private static byte[] tierInput;
    private static final Map<String, String> runByModel = new LinkedHashMap<>();
    private static String tierRun;

    /**
     * The models, and whether Batchline's default request (thinking auto, the lowest effort) makes them think:
     * Fable 5.2 and Opus 5.5 always think; Sonnet 5.5 (between_tools), Haiku 5.5 (disabled at effort low) and
     * Opus 4.6 (off by default) do not.
     */
    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("claude-fable-5-2", true),
                Arguments.of("claude-opus-5-5", true),
                Arguments.of("claude-sonnet-5-5", false),
                Arguments.of("claude-haiku-5-5", false),
                Arguments.of("claude-opus-4-6", false));
    }

    @BeforeAll
    static void dropEveryRun() throws Exception {
        stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, null)));
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        modelInput = smallInput();
        tierInput = tierInput();
        for (Arguments a : models().toList()) {
            String model = (String) a.get()[0];
            String job = "cm-" + model;
            InboxRuns.putJob(bucket, HOME, job, jobYaml(job, model, false));
            runByModel.put(model, InboxRuns.drop(stack, bucket, "inbox/" + job + "/tickets.jsonl", modelInput));
        }
        InboxRuns.putJob(bucket, HOME, "cm-tier", jobYaml("cm-tier", TIER_MODEL, true));
        tierRun = InboxRuns.drop(stack, bucket, "inbox/cm-tier/long-logs.jsonl", tierInput);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) stack.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aJobOnThisModelEndsWithEveryLineOnceExactCostsAndThinkingBilledAsOutput(String model, boolean thinks)
            throws Exception {
        String runId = runByModel.get(model);
        DescribeExecutionResponse end = InboxRuns.awaitEnd(stack, sfn, runId, Duration.ofMinutes(4));
        assertThat(end.status()).as("cause: %s", end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);

        Map<Long, JsonNode> byLine = outcomesByLine(runId, modelInput);
        // the two planted bad lines fail as input problems; every ticket was sent and answered
        Map<Long, String> failed = new TreeMap<>();
        byLine.forEach((line, n) -> {
            if (n.get("outcome").asText().equals(OutcomeKind.FAILED.label())) failed.put(line, n.path("reason").asText());
        });
        assertThat(failed).as("failed lines of %s", model).containsOnlyKeys(42L, 43L);
        assertThat(failed.get(42L)).containsIgnoringCase("malformed JSON");
        assertThat(failed.get(43L)).contains("body");
        for (long line = 1; line <= 40; line++) {
            JsonNode n = byLine.get(line);
            assertThat(n.path("reason").asText()).as("line %s", line).doesNotContain("provider rejected the request")
                    .doesNotContain("invalid_request_error");
            assertThat(n.path("usage").path("output_tokens").asLong()).as("line %s answered", line).isPositive();
            assertThat(n.has("cached")).as("line %s from the result cache", line).isFalse();
        }

        JsonNode report = Json.tree(bucket.read(RunKeys.report(runId)));
        JsonNode price = report.get("price");
        assertPriceIsTheCataloguesAtTheBatchDiscount(price, model, report);
        BigDecimal sum = assertEveryLineCostsItsUsageAtThePrice(byLine, price);
        assertThat(report.get("cost_usd").decimalValue()).isEqualByComparingTo(sum.add(golden(report)));
        assertThat(sum).isPositive();
        assertThat(report.get("items").asLong()).isEqualTo(byLine.size());

        // thinking: billed as output, reported where the model thinks, absent where Batchline turned it off
        long thinkingTotal = 0;
        for (JsonNode n : byLine.values()) {
            JsonNode u = n.get("usage");
            if (u == null || u.path("output_tokens").asLong() == 0) continue; // a bad input line: never sent
            long thinking = u.path("output_tokens_details").path("thinking_tokens").asLong(0);
            if (thinks) {
                assertThat(thinking).as("line %s thinking tokens", n.get("line")).isPositive();
                assertThat(u.get("output_tokens").asLong()).as("line %s output includes its thinking", n.get("line"))
                        .isGreaterThan(thinking);
            } else {
                assertThat(thinking).as("line %s thinking tokens", n.get("line")).isZero();
            }
            thinkingTotal += thinking;
        }
        assertThat(report.at("/usage/output_tokens_details/thinking_tokens").asLong(0)).isEqualTo(thinkingTotal);

        // plan.json says what the requests carried
        JsonNode plan = Json.tree(bucket.read(RunKeys.plan(runId, 1)));
        JsonNode shapes = plan.get("request_shapes");
        assertThat(shapes).as("request_shapes of %s", RunKeys.plan(runId, 1)).isNotNull();
        assertThat(shapes.has("")).as("the job's own shape").isTrue();
        ModelEntry entry = CATALOGUE.find(model).orElseThrow();
        shapes.fields().forEachRemaining(s -> {
            JsonNode shape = s.getValue();
            assertThat(shape.get("model").asText()).as("shape '%s'", s.getKey()).isEqualTo(model);
            assertThat(shape.get("structured_output").asBoolean()).as("shape '%s'", s.getKey())
                    .isEqualTo(entry.structuredOutputs());
            assertThat(shape.get("thinking_on").asBoolean()).as("shape '%s'", s.getKey()).isEqualTo(thinks);
            assertThat(shape.has("temperature")).as("shape '%s' sends temperature", s.getKey()).isFalse();
        });

        System.out.printf("[current-models] %-18s items %d: accepted %d, review %d, rejected %d, failed %d; "
                        + "cost $%s; tokens in %d, cache write %d, cache read %d, out %d (thinking %d); effort %s, "
                        + "max_tokens %d%n",
                model, report.get("items").asLong(), report.get("accepted").asLong(), report.get("review").asLong(),
                report.get("rejected").asLong(), report.get("failed").asLong(), report.get("cost_usd").decimalValue()
                        .toPlainString(), report.at("/usage/input_tokens").asLong(),
                report.at("/usage/cache_creation_input_tokens").asLong(),
                report.at("/usage/cache_read_input_tokens").asLong(), report.at("/usage/output_tokens").asLong(),
                thinkingTotal,
                shapes.get("").path("effort").asText("-"), shapes.get("").get("max_tokens").asInt());
    }

    @Test
    void haiku55LinesWhosePromptIsOverTheTierAreBilledEntirelyAtTheTierRates() throws Exception {
        DescribeExecutionResponse end = InboxRuns.awaitEnd(stack, sfn, tierRun, Duration.ofMinutes(4));
        assertThat(end.status()).as("cause: %s", end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);

        Map<Long, JsonNode> byLine = outcomesByLine(tierRun, tierInput);
        JsonNode report = Json.tree(bucket.read(RunKeys.report(tierRun)));
        JsonNode price = report.get("price");
        assertPriceIsTheCataloguesAtTheBatchDiscount(price, TIER_MODEL, report);
        JsonNode tiers = price.get("prompt_tiers");
        assertThat(tiers).hasSize(1);
        JsonNode tier = tiers.get(0);
        long above = tier.get("above_prompt_tokens").asLong();

        BigDecimal sum = assertEveryLineCostsItsUsageAtThePrice(byLine, price);
        assertThat(report.get("cost_usd").decimalValue()).isEqualByComparingTo(sum.add(golden(report)));

        int atTier = 0;
        for (JsonNode n : byLine.values()) {
            long line = n.get("line").asLong();
            assertThat(n.get("outcome").asText()).as("line %s: %s", line, n.path("reason").asText())
                    .isNotEqualTo(OutcomeKind.FAILED.label());
            JsonNode u = n.get("usage");
            long prompt = prompt(u);
            BigDecimal cost = n.get("cost_usd").decimalValue();
            if (HUGE_LINES.contains(line)) {
                assertThat(prompt).as("line %s prompt tokens", line).isGreaterThan(above);
                // every token of the request, output included, at the tier's rates; dearer than the base rates
                assertThat(cost).as("line %s at the tier", line).isEqualByComparingTo(costAt(u, tier));
                assertThat(cost).as("line %s above its base-rate cost", line).isGreaterThan(costAt(u, price));
                atTier++;
            } else {
                assertThat(prompt).as("line %s prompt tokens", line).isLessThanOrEqualTo(above);
                assertThat(cost).as("line %s at the base rates", line).isEqualByComparingTo(costAt(u, price));
            }
        }
        assertThat(atTier).isEqualTo(HUGE_LINES.size());
        assertThat(price.get("items_at_a_prompt_tier").asLong()).isEqualTo(HUGE_LINES.size());
        System.out.printf("[current-models] %s tier run: items %d, %d at %s; cost $%s; huge lines' prompts %s%n",
                TIER_MODEL, report.get("items").asLong(), atTier, "above_" + above,
                report.get("cost_usd").decimalValue().toPlainString(),
                HUGE_LINES.stream().map(l -> prompt(byLine.get(l).get("usage"))).toList());
    }

    // ------------------------------------------------------------------ checks

    /** Every non-blank input line ends in exactly one outcome line, which carries its 1-based line number. */
    private static Map<Long, JsonNode> outcomesByLine(String runId, byte[] input) {
        Map<Long, JsonNode> byLine = new TreeMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            for (JsonNode n : InboxRuns.outcomeLines(bucket, runId, kind)) {
                JsonNode previous = byLine.put(n.get("line").asLong(), n);
                assertThat(previous).as("line %s in two outcome lines", n.get("line")).isNull();
                assertThat(n.get("outcome").asText()).isEqualTo(kind.label());
            }
        }
        assertThat(byLine.keySet()).containsExactlyElementsOf(nonBlankLines(input));
        return byLine;
    }

    /**
     * report.json's price names the job's model and is the catalogue's entry in force on the run's day, every rate
     * (tiers too) at the batch discount, cache writes at the 5-minute rate (the job sets no cache_ttl).
     */
    private static void assertPriceIsTheCataloguesAtTheBatchDiscount(JsonNode price, String model, JsonNode report) {
        assertThat(price.get("model").asText()).isEqualTo(model);
        ModelEntry entry = CATALOGUE.find(model).orElseThrow();
        String started = report.path("started_at").asText(null);
        LocalDate day = started == null ? LocalDate.now(ZoneOffset.UTC)
                : Instant.parse(started).atZone(ZoneOffset.UTC).toLocalDate();
        ModelEntry.PriceEntry p = entry.priceOn(day);
        BigDecimal d = CATALOGUE.batchDiscount();
        assertThat(price.get("batch_discount").decimalValue()).isEqualByComparingTo(d);
        assertThat(price.get("input_per_mtok").decimalValue()).as("input").isEqualByComparingTo(p.input().multiply(d));
        assertThat(price.get("output_per_mtok").decimalValue()).as("output").isEqualByComparingTo(p.output().multiply(d));
        assertThat(price.get("cache_write_per_mtok").decimalValue()).as("cache write")
                .isEqualByComparingTo(p.cacheWrite5m().multiply(d));
        assertThat(price.get("cache_read_per_mtok").decimalValue()).as("cache read")
                .isEqualByComparingTo(p.cacheRead().multiply(d));
        List<ModelEntry.PromptTier> tiers = p.promptTiers() == null ? List.of() : p.promptTiers();
        JsonNode sent = price.path("prompt_tiers");
        assertThat(sent.size()).as("prompt tiers").isEqualTo(tiers.size());
        for (int i = 0; i < tiers.size(); i++) {
            ModelEntry.PromptTier t = tiers.get(i);
            JsonNode r = sent.get(i);
            assertThat(r.get("above_prompt_tokens").asLong()).isEqualTo(t.abovePromptTokens());
            assertThat(r.get("input_per_mtok").decimalValue()).isEqualByComparingTo(t.input().multiply(d));
            assertThat(r.get("output_per_mtok").decimalValue()).isEqualByComparingTo(t.output().multiply(d));
            assertThat(r.get("cache_write_per_mtok").decimalValue()).isEqualByComparingTo(t.cacheWrite5m().multiply(d));
            assertThat(r.get("cache_read_per_mtok").decimalValue()).isEqualByComparingTo(t.cacheRead().multiply(d));
        }
    }

    /**
     * Each line's cost_usd is its usage priced at the report's price (the tier its prompt falls in), computed here
     * independently; returns their sum. A line answered by one request must match to the last of the 8 decimals;
     * a line of several requests (chunks, a repair round, a retry) was priced request by request, each rounded, so
     * its sum may differ from the price of its summed usage by half a unit of the 8th decimal per request.
     */
    private static BigDecimal assertEveryLineCostsItsUsageAtThePrice(Map<Long, JsonNode> byLine, JsonNode price) {
        BigDecimal sum = BigDecimal.ZERO;
        for (JsonNode n : byLine.values()) {
            JsonNode u = n.get("usage");
            if (u == null || u.isNull()) {
                assertThat(n.path("cost_usd").decimalValue()).as("line %s cost without usage", n.get("line")).isZero();
                continue;
            }
            BigDecimal expected = costAt(u, tierOrBase(u, price));
            BigDecimal actual = n.get("cost_usd").decimalValue();
            int requests = requests(n);
            if (requests == 1) {
                assertThat(actual).as("line %s: cost vs usage x price", n.get("line")).isEqualByComparingTo(expected);
            } else {
                assertThat(actual.subtract(expected).abs()).as("line %s (%s requests): cost %s vs usage x price %s",
                        n.get("line"), requests, actual, expected)
                        .isLessThanOrEqualTo(new BigDecimal("0.00000001").multiply(BigDecimal.valueOf(requests)));
            }
            sum = sum.add(actual);
        }
        return sum;
    }

    /** An upper bound of the requests a line's usage sums: chunks x sends x (answer + repair). */
    private static int requests(JsonNode n) {
        int chunks = Math.max(1, n.path("chunks").asInt(1));
        int sends = Math.max(1, n.path("attempts").asInt(1));
        boolean mayHaveRepaired = n.has("repaired") || n.path("reason").asText().contains("invalid");
        return chunks * sends * (mayHaveRepaired ? 2 : 1);
    }

    private static JsonNode tierOrBase(JsonNode usage, JsonNode price) {
        long prompt = prompt(usage);
        JsonNode rates = price;
        long highest = -1;
        for (JsonNode t : price.path("prompt_tiers")) {
            long above = t.get("above_prompt_tokens").asLong();
            if (prompt > above && above > highest) {
                rates = t;
                highest = above;
            }
        }
        return rates;
    }

    /** usage x these per-MTok rates, in USD at scale 8, HALF_UP. */
    private static BigDecimal costAt(JsonNode u, JsonNode rates) {
        return tokens(u, "input_tokens").multiply(rates.get("input_per_mtok").decimalValue())
                .add(tokens(u, "output_tokens").multiply(rates.get("output_per_mtok").decimalValue()))
                .add(tokens(u, "cache_creation_input_tokens").multiply(rates.get("cache_write_per_mtok").decimalValue()))
                .add(tokens(u, "cache_read_input_tokens").multiply(rates.get("cache_read_per_mtok").decimalValue()))
                .movePointLeft(6).setScale(8, RoundingMode.HALF_UP);
    }

    private static long prompt(JsonNode u) {
        return u.path("input_tokens").asLong() + u.path("cache_creation_input_tokens").asLong()
                + u.path("cache_read_input_tokens").asLong();
    }

    private static BigDecimal tokens(JsonNode usage, String field) {
        return BigDecimal.valueOf(usage.path(field).asLong());
    }

    private static BigDecimal golden(JsonNode report) {
        JsonNode g = report.path("golden_cost_usd");
        return g.isNumber() ? g.decimalValue() : BigDecimal.ZERO;
    }

    // ------------------------------------------------------------------ inputs

    /**
     * The sample job on {@code model}, without temperature (current models refuse a non-default one), golden items
     * and canary; strata, few-shot and the schema as in the sample. The tier job also sends long tickets whole: no
     * long_inputs chunking, and lines up to 1 MiB.
     */
    private static byte[] jobYaml(String name, String model, boolean tier) throws Exception {
        ObjectNode job = (ObjectNode) YAML.readTree(SAMPLE.resolve("job.yaml").toFile());
        job.put("name", name);
        job.put("model", model);
        job.remove(List.of("temperature", "golden", "canary"));
        if (tier) {
            job.remove("long_inputs");
            job.put("max_line_bytes", 1_048_576);
        }
        return YAML.writeValueAsBytes(job);
    }

    /** The first 40 sample tickets, then a blank line, a malformed line (42) and a ticket without body (43). */
    private static byte[] smallInput() throws Exception {
        List<String> lines = new ArrayList<>(Files.readAllLines(SAMPLE.resolve("tickets.jsonl")).subList(0, 40));
        lines.add("");
        lines.add("{\"id\":\"BAD-1\",\"subject\":\"cut short");
        lines.add("{\"id\":\"BAD-2\",\"subject\":\"no body here\",\"label\":\"other\"}");
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** 12 sample tickets with, at {@link #HUGE_LINES}, tickets carrying a pasted log of ~450 KB (~110K tokens). */
    private static byte[] tierInput() throws Exception {
        List<String> tickets = Files.readAllLines(SAMPLE.resolve("tickets.jsonl")).subList(100, 112);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int next = 0;
        int huge = 0;
        for (long line = 1; line <= tickets.size() + HUGE_LINES.size(); line++) {
            String text;
            if (HUGE_LINES.contains(line)) {
                StringBuilder log = new StringBuilder("Our nightly export keeps failing; the whole worker log is below.\\n");
                for (int i = 0; i < 4_300 + 200 * huge; i++) {
                    log.append("2026-12-01T02:").append(String.format("%02d:%02d", (i / 60) % 60, i % 60))
                            .append("Z ERROR export-worker job=").append(4400 + i % 97)
                            .append(" failed: upstream timeout after 30s, retrying (attempt ").append(1 + i % 5)
                            .append(" of 5)\\n");
                }
                huge++;
                text = "{\"id\":\"LOG-" + huge + "\",\"subject\":\"Export fails every night (log attached)\","
                        + "\"body\":\"" + log + "\",\"label\":\"technical\"}";
            } else {
                text = tickets.get(next++);
            }
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static List<Long> nonBlankLines(byte[] input) {
        List<Long> out = new ArrayList<>();
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) if (!lines[i].isBlank()) out.add(i + 1L);
        return out;
    }
}
