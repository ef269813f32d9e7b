package io.batchline.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.plan.Plan;
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

    PlanCommand(PrintStream out) {
        this.out = out;
    }

    int run(Path jobFile, Path outDir, Path input) throws IOException {
        JobSpec job = JobFiles.loadJob(jobFile);
        String inputName = JobFiles.checkInput(input);
        Files.createDirectories(outDir);
        Path work = Files.createTempDirectory(outDir, ".plan-");
        Plan plan;
        try {
            FileObjectStore store = new FileObjectStore(work);
            try (InputStream in = Files.newInputStream(input)) {
                plan = new Planner().plan(job, RUN, 1, in, inputName, store);
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
        Price price = PriceTable.fromEnvOrBundled(System.getenv()).priceFor(job.model());
        ObjectNode json = Json.MAPPER.valueToTree(plan);
        json.put("worst_case_cost_usd", price.worstCase(plan.estimatedInputTokens(), plan.maxOutputTokens()));
        json.set("price", Json.MAPPER.valueToTree(price));
        json.put("requests_dir", "requests");
        Files.write(outDir.resolve("plan.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));

        out.printf("Plan for %s with job %s (%s)%n", input, job.name(), job.model());
        out.printf("  items       %,d (%,d valid, %,d invalid)%n", plan.items(), plan.valid(), plan.invalid());
        out.printf("  shards      %d (max %,d requests each)%n", plan.shards().size(), job.shard().maxRequests());
        out.printf("  tokens      ~%,d input (estimated), at most %,d output%n", plan.estimatedInputTokens(),
                plan.maxOutputTokens());
        out.printf("  worst case  $%s at %s batch prices as of %s%n", json.get("worst_case_cost_usd").asText(),
                price.model(), price.asOf());
        for (Plan.Invalid bad : plan.firstInvalid()) {
            out.printf("  line %,d: %s%n", bad.line(), bad.reason());
        }
        if (plan.invalid() > plan.firstInvalid().size()) {
            out.printf("  ... %,d more in failed.jsonl%n", plan.invalid() - plan.firstInvalid().size());
        }
        out.printf("  written     %s/{plan.json, failed.jsonl, requests/}%n", outDir);
        return 0;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
