package io.batchline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.local.teststack.OfflineStackOnly;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, part 6: the bundled sample run through `local run` on the offline stack, with the packaged functions;
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
        assertThat(byStage.path("collect").asLong()).as("one collect per batch").isGreaterThanOrEqualTo(batches);
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
        assertThat(aws.get("per_million_items_usd").doubleValue()).isCloseTo(usd / items * 1e6, within(1e-4));
        double tokenUsd = report.get("cost_usd").doubleValue();
        assertThat(aws.get("share_of_token_cost").doubleValue()).isCloseTo(usd / tokenUsd, within(1e-6));
        System.out.printf("aws_cost of the sample: %d items, AWS $%.6f (lambda %.1f GB-s, %d transitions, %d DynamoDB"
                        + " writes, %d reads, %d S3 PUT-class, %d GET-class, %d SQS), tokens $%.4f: AWS = %.3f%% of tokens,"
                        + " $%.2f per 1M items%n", items, usd, ops.get("lambda_gb_seconds").doubleValue(),
                ops.get("state_transitions").asLong(), ops.get("dynamodb_write_units").asLong(),
                ops.get("dynamodb_read_units").asLong(), ops.get("s3_put_class_requests").asLong(),
                ops.get("s3_get_class_requests").asLong(), ops.get("sqs_requests").asLong(), tokenUsd,
                100 * usd / tokenUsd, aws.get("per_million_items_usd").doubleValue());
    }
}
