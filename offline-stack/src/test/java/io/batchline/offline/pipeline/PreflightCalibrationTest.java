package io.batchline.offline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.Preflight;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.provider.MessageBatch;
import io.batchline.render.TokenEstimator;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.testing.TicketTriage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pre-flight, token estimator calibration and the prompt-cache TTL on the real stages, the emulators and the simulator,
 * where what is checked rests on the simulator's own rules: the parameters its catalogue refuses, count_tokens
 * failing over HTTP, and count_tokens counting as the simulator bills. The pre-flight's checks of the models and of
 * the written shards are tested on the in-memory ports (PreflightTest in test-support).
 */
class PreflightCalibrationTest {

    private static List<MessageBatch> batchesAtProvider(StageFixture f) {
        List<MessageBatch> all = new ArrayList<>();
        f.provider.listAll(100).forEachRemaining(all::add);
        return all;
    }

    /** Registers and formats a run; returns its id. */
    private static String formatted(StageFixture f, String runId, String jobYaml, int items) throws Exception {
        String job = "quality-test";
        String inputKey = RunKeys.INBOX + job + "/" + runId + ".jsonl";
        f.store.put(RunKeys.jobSpec(job), jobYaml.getBytes(StandardCharsets.UTF_8), "application/yaml");
        f.store.put(inputKey, TicketTriage.tickets(items), "application/x-ndjson");
        new RegisterStage(f.ctx).register(new RunStart(runId, StageFixture.BUCKET, inputKey, f.store.head(inputKey).orElseThrow().etag(), job));
        new FormatStage(f.ctx).format(new FormatRequest(runId, StageFixture.BUCKET, 1, null));
        return runId;
    }

    /** The bundled catalogue with one model's entry changed: the provider as it might differ from our data. */
    private static io.batchline.catalogue.ModelCatalogue providerCatalogue(String model,
            java.util.function.Consumer<ObjectNode> change) throws Exception {
        ObjectNode root;
        try (var in = io.batchline.catalogue.ModelCatalogue.class.getResourceAsStream("/batchline/models.json")) {
            root = (ObjectNode) Json.MAPPER.readTree(in);
        }
        for (JsonNode m : root.get("models")) if (m.path("id").asText().equals(model)) change.accept((ObjectNode) m);
        return io.batchline.catalogue.ModelCatalogue.read(new java.io.ByteArrayInputStream(Json.bytes(root)));
    }

    @Test
    void aPreflightRefusalStopsTheRunBeforeAnyBatchIsCreated() throws Exception {
        // GIVEN a provider that refuses temperature on Haiku 4.5 where the catalogue says it takes it: in a batch,
        // every request would come back errored; the synchronous pre-flight request is refused at once
        var provider = providerCatalogue("claude-haiku-4-5-20251001", m -> m.put("sampling", "refused"));
        try (StageFixture f = new StageFixture(b -> b.seed(3).catalogue(provider))) {
            String runId = formatted(f, "preflight-000000001", TicketTriage.job("preflight: true\ntemperature: 0\n"), 30);

            // WHEN the run is submitted
            // THEN it fails with the provider's reason, and nothing was created at the provider
            assertThatThrownBy(() -> new SubmitStage(f.ctx).submit(new SubmitRequest(runId, StageFixture.BUCKET, 1)))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                        assertThat(e.code()).isEqualTo(Preflight.ERROR);
                        assertThat(e.getMessage()).contains("temperature").contains("invalid_request_error")
                                .contains("No batch was created");
                    });
            assertThat(batchesAtProvider(f)).isEmpty();
            assertThat(f.runs.shards(runId, 1)).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.status()).isEqualTo(ShardStatus.PLANNED));
        }
    }

    @Test
    void calibrationIsSkippedWithTheReasonWhenCountTokensFails() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(3))) {
            String runId = formatted(f, "preflight-000000003", TicketTriage.job(""), 12);
            f.sim.failNext(1, 403); // the first call of the stage is the first count_tokens

            new SubmitStage(f.ctx).submit(new SubmitRequest(runId, StageFixture.BUCKET, 1));

            JsonNode calibration = Json.tree(f.store.read(RunKeys.plan(runId, 1))).get("calibration");
            assertThat(calibration.get("measured").asBoolean()).isFalse();
            assertThat(calibration.get("skipped").asText()).startsWith("count_tokens failed: PERMISSION (HTTP 403)");
            assertThat(batchesAtProvider(f)).hasSize(1); // the run itself went on
        }
    }

    @Test
    void aRunWithPreflightCalibratesAndPricesItsOneHourCacheWrites() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(5))) {
            RunDriver driver = new RunDriver(f);
            // GIVEN a job with pre-flight, a 1-hour cache and a calibration sample of 10
            String runId = driver.run("preflight-000000004", TicketTriage.job("""
                    preflight: true
                    cache_ttl: 1h
                    calibration: {sample: 10, seed: 7}
                    """).getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(40));
            JsonNode report = driver.report(runId);

            // THEN the estimator's error on the sample is in plan-a1.json and, the same, in report.json
            JsonNode calibration = report.get("calibration");
            assertThat(calibration).isEqualTo(Json.tree(f.store.read(RunKeys.plan(runId, 1))).get("calibration"));
            assertThat(calibration.get("measured").asBoolean()).isTrue();
            assertThat(calibration.get("sample_size").asInt()).isEqualTo(10);
            assertThat(calibration.get("requests").asInt()).isEqualTo(40);
            long estimated = calibration.get("estimated_input_tokens").asLong();
            long counted = calibration.get("counted_input_tokens").asLong();
            assertThat(estimated).isPositive();
            assertThat(counted).isPositive();
            assertThat(calibration.get("max_relative_error").decimalValue())
                    .isGreaterThanOrEqualTo(calibration.get("mean_relative_error").decimalValue());
            assertThat(calibration.get("errs").asText()).isIn("over", "under", "both", "exact");
            assertThat(calibration.get("overestimated").asInt() + calibration.get("underestimated").asInt())
                    .isLessThanOrEqualTo(10);

            // AND count_tokens counts as the simulator bills: for every answered request, count_tokens of its
            // params = input + cache write + cache read tokens of its outcome line
            Map<String, ObjectNode> params = new HashMap<>();
            for (JsonNode r : driver.lines(RunKeys.shard(runId, 1, 0))) params.put(r.get("custom_id").asText(), (ObjectNode) r.get("params"));
            List<JsonNode> answered = driver.outcomes(runId, OutcomeKind.ACCEPTED).stream()
                    .filter(n -> params.containsKey(n.path("custom_id").asText())).limit(5).toList();
            assertThat(answered).isNotEmpty();
            for (JsonNode n : answered) {
                JsonNode u = n.get("usage");
                long billedInput = u.get("input_tokens").asLong() + u.get("cache_creation_input_tokens").asLong()
                        + u.get("cache_read_input_tokens").asLong();
                ObjectNode p = params.get(n.get("custom_id").asText());
                assertThat(f.provider.countTokens(p)).isEqualTo(billedInput);
                assertThat(TokenEstimator.estimate(p)).isPositive();
            }

            // AND the shared prefix asked for the 1-hour cache, and writes cost 2x the base input price
            assertThat(params.values()).allSatisfy(p -> assertThat(Json.string(p.at("/system/0/cache_control")))
                    .isEqualTo("{\"type\":\"ephemeral\",\"ttl\":\"1h\"}"));
            assertThat(report.at("/price/cache_ttl").asText()).isEqualTo("1h");
            assertThat(report.at("/price/cache_write_per_mtok").decimalValue()).isEqualByComparingTo("1"); // 1 x 2 x 0.5
            Price price = PriceTable.bundled().priceFor("claude-haiku-4-5-20251001", "1h");
            List<JsonNode> all = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) all.addAll(driver.outcomes(runId, kind));
            assertThat(all).hasSize(40);
            List<JsonNode> writers = all.stream().filter(n -> n.path("usage").path("cache_creation_input_tokens").asLong() > 0).toList();
            List<JsonNode> readers = all.stream().filter(n -> n.path("usage").path("cache_read_input_tokens").asLong() > 0).toList();
            assertThat(writers).as("the first request of a batch writes the cache").isNotEmpty();
            assertThat(readers).as("the others read it").isNotEmpty();
            for (JsonNode n : writers.subList(0, 1)) {
                JsonNode u = n.get("usage");
                BigDecimal expected = BigDecimal.valueOf(u.get("input_tokens").asLong()).multiply(new BigDecimal("0.5"))
                        .add(BigDecimal.valueOf(u.get("output_tokens").asLong()).multiply(new BigDecimal("2.5")))
                        .add(BigDecimal.valueOf(u.get("cache_creation_input_tokens").asLong()).multiply(BigDecimal.ONE))
                        .movePointLeft(6);
                assertThat(n.get("cost_usd").decimalValue()).isEqualByComparingTo(expected.setScale(8, java.math.RoundingMode.HALF_UP));
                assertThat(price.cost(new Usage(u.get("input_tokens").asLong(), u.get("output_tokens").asLong(),
                        u.get("cache_creation_input_tokens").asLong(), 0))).isEqualByComparingTo(n.get("cost_usd").decimalValue());
            }
        }
    }
}
