package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.offline.teststack.OfflineStackOnly;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled sample run through `local run` on the offline stack, with the packaged functions;
 * its report.json states the AWS cost of the run (counted Lambda time, state transitions, DynamoDB, S3 and SQS
 * requests, priced) next to its token cost, and the block adds up.
 */
@OfflineStackOnly(OfflineStackOnly.PACKAGED_FUNCTIONS)
class AwsCostEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path SAMPLE = HOME.resolve("samples/ticket-triage");
    @TempDir Path tmp;

    @Test
    void theSampleRunsReportStatesItsAwsCostBesideItsTokenCost() throws Exception {
        // GIVEN / WHEN the README's first command
        System.setProperty("batchline.home", HOME.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Cli.run(new String[] {"local", "run", "--job", SAMPLE.resolve("job.yaml").toString(),
                        "--out", tmp.resolve("out").toString(), SAMPLE.resolve("tickets.jsonl").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        Path reportFile;
        try (Stream<Path> files = Files.walk(tmp.resolve("out"))) {
            reportFile = files.filter(p -> p.getFileName().toString().equals("report.json")).findFirst().orElseThrow();
        }
        JsonNode report = Json.tree(Files.readAllBytes(reportFile));

        // THEN aws_cost is there, counted from what the run's functions did
        JsonNode aws = report.get("aws_cost");
        assertThat(aws).as("report.json has aws_cost").isNotNull();
        JsonNode ops = aws.get("operations");
        JsonNode byStage = ops.get("invocations_by_stage");
        long batches = 0;
        for (JsonNode b : report.get("batches")) if (b.hasNonNull("id")) batches++;
        assertThat(byStage.path("register").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(byStage.path("submit").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(byStage.path("poll").asLong()).isGreaterThanOrEqualTo(1);
        // one collect per group of ended shards (up to 2,000 requests a group): fewer than batches here
        assertThat(byStage.path("collect").asLong()).as("collects of %d batches", batches).isBetween(1L, batches);
        assertThat(byStage.path("finalize").asLong()).isEqualTo(1);
        long invocations = 0;
        for (JsonNode n : byStage) invocations += n.asLong();
        assertThat(ops.get("lambda_invocations").asLong()).isEqualTo(invocations);
        assertThat(ops.get("state_transitions").asLong()).isGreaterThan(invocations);
        assertThat(ops.get("lambda_gb_seconds").doubleValue()).isPositive();
        JsonNode requests = ops.get("requests_by_operation");
        assertThat(requests.path("S3.PutObject").asLong()).as("outcome parts, files, report").isGreaterThan(batches);
        assertThat(requests.path("DynamoDb.UpdateItem").asLong()).as("one usage record per invocation at least")
                .isGreaterThanOrEqualTo(invocations);
        assertThat(ops.get("dynamodb_write_units").asLong()).isGreaterThanOrEqualTo(invocations);

        // AND the block adds up: services to the total, the total to per-item and token-cost shares
        double usd = aws.get("usd").doubleValue();
        double byService = 0;
        for (JsonNode v : aws.get("usd_by_service")) byService += v.doubleValue();
        assertThat(byService).isCloseTo(usd, within(1e-7));
        long items = report.get("items").asLong();
        double tokenUsd = report.get("cost_usd").doubleValue();
        JsonNode p = aws.get("projection");
        assertThat(p.get("run_share_of_token_cost").doubleValue()).isCloseTo(usd / tokenUsd, within(1e-6));
        // AND the projection's three parts add up to this run's cost, split by what it spent per shard and per item
        double fixed = p.get("fixed_usd").doubleValue();
        double perShard = p.get("per_shard_usd").doubleValue();
        double perItem = p.get("per_item_usd").doubleValue();
        assertThat(fixed).isPositive();
        assertThat(perShard).isPositive();
        assertThat(perItem).isPositive();
        assertThat(p.get("run_shards").asLong()).isEqualTo(report.get("batches").size());
        assertThat(fixed + perShard * p.get("run_shards").asLong() + perItem * items).isCloseTo(usd, within(1e-7));
        assertThat(p.at("/per_shard_requests/S3.PutObject").doubleValue()).as("outcome parts, results").isPositive();
        // AND 1M items of the sample fill shards of its 250 requests (its requests are far below max_bytes)
        assertThat(p.get("requests_per_shard").asLong()).isEqualTo(250);
        assertThat(p.get("shards_per_million").asLong()).isGreaterThanOrEqualTo(1_000_000 / 250);
        double projected = fixed + perShard * p.get("shards_per_million").asLong() + perItem * 1e6;
        assertThat(aws.get("per_million_items_usd").doubleValue()).isCloseTo(projected, within(1e-5));
        assertThat(aws.get("share_of_token_cost").doubleValue())
                .isCloseTo(projected / (tokenUsd / items * 1e6), within(1e-6));
        System.out.printf("aws_cost of the sample: %d items, AWS $%.6f (lambda %.1f GB-s, %d transitions, %d DynamoDB"
                        + " writes, %d reads, %d S3 PUT-class, %d GET-class, %d SQS), tokens $%.4f: AWS = %.3f%% of tokens,"
                        + " $%.2f per 1M items%n", items, usd, ops.get("lambda_gb_seconds").doubleValue(),
                ops.get("state_transitions").asLong(), ops.get("dynamodb_write_units").asLong(),
                ops.get("dynamodb_read_units").asLong(), ops.get("s3_put_class_requests").asLong(),
                ops.get("s3_get_class_requests").asLong(), ops.get("sqs_requests").asLong(), tokenUsd,
                100 * usd / tokenUsd, aws.get("per_million_items_usd").doubleValue());
        System.out.printf("projected to 1M items: $%.4f fixed + %d shards x $%.8f + 1M x $%.10f = $%.4f, %.3f%% of"
                        + " tokens%n", fixed, p.get("shards_per_million").asLong(), perShard, perItem, projected,
                100 * aws.get("share_of_token_cost").doubleValue());
    }
}
