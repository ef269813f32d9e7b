package io.batchline.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.JsonLines;
import io.batchline.plan.Calibration;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.provider.ProviderException;
import java.nio.charset.StandardCharsets;
import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.plan.Plan;
import io.batchline.plan.PlanRequest;
import io.batchline.plan.Planner;
import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * {@code ./batchline plan}: everything the format stage does, on local files, with nothing sent and nothing
 * spent: the requests exactly as they would be submitted, and the worst case they could cost.
 */
final class PlanCommand {
    private static final String RUN = "plan";
    private final PrintStream out;
    /** The catalogue and API version the job is checked against and its requests are rendered for. */
    private final PipelineConfig config;

    PlanCommand(PrintStream out, PipelineConfig config) {
        this.out = out;
        this.config = config;
    }

    int run(Path jobFile, Path outDir, Path input) throws IOException {
        return run(jobFile, outDir, input, null);
    }

    /** @param calibrate null (nothing is sent), "sim" or "api": whose count_tokens calibrates the estimate */
    int run(Path jobFile, Path outDir, Path input, String calibrate) throws IOException {
        OfflineAnthropic simulator = "sim".equals(calibrate) ? Cli.offlineAnthropic() : null;
        JobSpec job = JobFiles.loadJob(jobFile, config);
        String inputName = JobFiles.checkInput(input);
        Files.createDirectories(outDir);
        Path work = Files.createTempDirectory(outDir, ".plan-");
        Plan plan;
        try {
            FileObjectStore store = FileObjectStore.withoutDigestOnWrite(work);
            try (InputStream in = Files.newInputStream(input);
                 InputStream golden = job.golden() == null ? null
                         : Files.newInputStream(JobFiles.goldenFile(jobFile, job))) {
                plan = new Planner(config.catalogue(), config.anthropicVersion())
                        .plan(PlanRequest.of(job, RUN, 1, in, inputName, store)
                        .withGolden(golden == null ? null : new Planner.GoldenInput(job.golden().file(), golden)));
            } catch (Planner.GoldenFileException | io.batchline.job.JobSpecException e) {
                throw new UserInputException(jobFile + ": " + e.getMessage());
            }
            // the run layout (runs/<id>/requests/a1/...) becomes the flat layout a person reads
            Path requests = outDir.resolve("requests");
            deleteTree(requests);
            Path shards = work.resolve(RunKeys.run(RUN) + "requests/a1");
            if (Files.isDirectory(shards)) Files.move(shards, requests);
            else Files.createDirectories(requests);
            Files.move(work.resolve(RunKeys.planPart(RUN, 1, OutcomeKind.FAILED)), outDir.resolve("failed.jsonl"),
                    StandardCopyOption.REPLACE_EXISTING);
        } finally {
            deleteTree(work);
        }
        Price price = PriceTable.fromEnvOrBundled(System.getenv()).priceFor(job.model(), job.cacheTtl());
        ObjectNode json = Json.MAPPER.valueToTree(plan);
        json.put("worst_case_cost_usd", price.worstCase(plan.estimatedInputTokens(), plan.maxOutputTokens(),
                plan.largestRequestTokens() + plan.largestRequestTokens() / 10));
        json.set("price", Json.MAPPER.valueToTree(price));
        json.put("requests_dir", "requests");
        // the token estimator's error
        ObjectNode calibration = calibration(job, outDir.resolve("requests"), calibrate, simulator);
        json.set("calibration", calibration);
        Files.write(outDir.resolve("plan.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));

        out.printf("Plan for %s with job %s (%s)%n", input, job.name(), job.model());
        out.printf("  items       %,d (%,d valid, %,d invalid)%n", plan.items(), plan.valid(), plan.invalid());
        out.printf("  shards      %d (max %,d requests each)%n", plan.shards().size(), job.shard().maxRequests());
        if (plan.golden() > 0) out.printf("  golden      %,d labelled items added (to measure drift)%n", plan.golden());
        if (plan.canaryShards() > 0) {
            out.printf("  canary      the first %,d requests, in %s, are sent first; the rest waits for their verdict%n",
                    plan.shards().subList(0, plan.canaryShards()).stream().mapToInt(Plan.ShardPlan::requests).sum(),
                    plan.canaryShards() == 1 ? "shard 0" : "shards 0-" + (plan.canaryShards() - 1));
        }
        for (var shape : plan.requestShapes().entrySet()) {
            out.printf("  requests    %s%s: %s%n", shape.getValue().model(),
                    shape.getKey().isEmpty() ? "" : " (stratum " + shape.getKey() + ")", shape.getValue().summary());
        }
        out.printf("  tokens      ~%,d input (estimated), at most %,d output%n", plan.estimatedInputTokens(),
                plan.maxOutputTokens());
        out.printf("  worst case  $%s at %s batch prices as of %s%n", json.get("worst_case_cost_usd").asText(),
                price.model(), price.asOf());
        if (calibration.path("measured").asBoolean()) {
            out.printf("  calibration %d requests counted: the estimate is off by %s on average (at most %s), errs %s%n",
                    calibration.get("sample_size").asInt(), percent(calibration.get("mean_relative_error")),
                    percent(calibration.get("max_relative_error")), calibration.get("errs").asText());
        } else {
            out.printf("  calibration skipped: %s%n", calibration.path("skipped").asText());
        }
        for (Plan.Invalid bad : plan.firstInvalid()) {
            out.printf("  line %,d: %s%n", bad.line(), bad.reason());
        }
        if (plan.invalid() > plan.firstInvalid().size()) {
            out.printf("  ... %,d more in failed.jsonl%n", plan.invalid() - plan.firstInvalid().size());
        }
        out.printf("  written     %s/{plan.json, failed.jsonl, requests/}%n", outDir);
        return 0;
    }

    /** A seeded sample of the written requests, counted by the chosen provider's count_tokens. */
    private static ObjectNode calibration(JobSpec job, Path requests, String calibrate, OfflineAnthropic simulator)
            throws IOException {
        if (calibrate == null) {
            return Calibration.skipped("not measured: plan sends nothing; --calibrate sim or --calibrate api counts a"
                    + " sample with count_tokens");
        }
        if (Calibration.sampleSize(job) == 0) return Calibration.skipped("calibration.sample is 0 in the job");
        Calibration.Sample sample = new Calibration.Sample(Calibration.sampleSize(job), Calibration.seed(job, RUN));
        try (Stream<Path> files = Files.list(requests)) {
            for (Path shard : files.filter(p -> p.getFileName().toString().matches("shard-\\d+\\.jsonl")).sorted().toList()) {
                JsonLines.forEachLine(Files.newInputStream(shard), line -> {
                    if (!line.isBlank()) sample.offer((ObjectNode) Json.tree(line.getBytes(StandardCharsets.UTF_8)).get("params"));
                });
            }
        }
        OfflineAnthropic.Running sim = simulator != null ? simulator.start() : null;
        try {
            ProviderConfig config = sim != null ? ProviderConfig.of(sim.baseUrl(), sim::apiKey)
                    : io.batchline.aws.AwsWiring.providerConfig(System.getenv());
            AnthropicBatchesClient client = new AnthropicBatchesClient(config);
            String provider = sim != null ? "simulator" : config.baseUrl().toString();
            try {
                return Calibration.measure(sample, client::countTokens, provider);
            } catch (ProviderException e) {
                ObjectNode skipped = Calibration.skipped("count_tokens failed: " + e.getMessage());
                skipped.put("provider", provider);
                return skipped;
            }
        } finally {
            if (sim != null) sim.close();
        }
    }

    private static String percent(JsonNode fraction) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", fraction.asDouble() * 100);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
