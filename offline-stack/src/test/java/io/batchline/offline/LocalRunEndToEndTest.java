package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import io.batchline.aws.s3.S3ObjectStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The whole product on the offline stack: the packaged functions under AWS's runtime interface client, the real
 * state machine definition, S3 -> SQS -> intake, and the simulator injecting provider errors. A file dropped
 * in the inbox must end with every non-blank line in exactly one outcome file.
 */
@OfflineStackOnly(OfflineStackOnly.PACKAGED_FUNCTIONS)
class LocalRunEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static OfflineStack stack;
    private static ObjectStore bucket;
    private static SfnClient sfn;

    @BeforeAll
    static void startStack() throws Exception {
        stack = OfflineStack.start(OfflineStack.Options.forRun(HOME, null)
                .withSimulator(b -> b.processingTime(Duration.ofSeconds(1)).seed(7)
                        .retryableErrorRate(0.08).invalidRequestRate(0.03).nonJsonRate(0.03)));
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        InboxRuns.putJob(bucket, HOME, "ticket-triage", Files.readAllBytes(HOME.resolve("samples/ticket-triage/job.yaml")));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) stack.close();
    }

    @Test
    void everyNonBlankLineEndsInExactlyOneOutcomeFile() throws Exception {
        byte[] input = mixedInput();
        String runId = drop("inbox/ticket-triage/mixed.jsonl", input);

        DescribeExecutionResponse end = awaitEnd(runId, Duration.ofMinutes(4));

        assertThat(end.status()).as("cause: %s", end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        Map<Long, String> outcomeByLine = new HashMap<>();
        Map<OutcomeKind, List<JsonNode>> lines = new HashMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            List<JsonNode> these = new ArrayList<>();
            JsonLines.forEachLine(bucket.open(RunKeys.outcome(runId, kind)),
                    l -> these.add(Json.tree(l.getBytes(StandardCharsets.UTF_8))));
            lines.put(kind, these);
            for (JsonNode n : these) {
                String previous = outcomeByLine.put(n.get("line").asLong(), kind.label());
                assertThat(previous).as("line %s in two outcome files", n.get("line")).isNull();
                assertThat(n.get("outcome").asText()).isEqualTo(kind.label());
                if (kind != OutcomeKind.ACCEPTED) assertThat(n.path("reason").asText()).isNotBlank();
            }
        }
        assertThat(outcomeByLine.keySet()).containsExactlyInAnyOrderElementsOf(nonBlankLines(input));

        // the planted bad lines fail with their own line numbers and precise reasons
        Map<Long, String> failed = new HashMap<>();
        lines.get(OutcomeKind.FAILED).forEach(n -> failed.put(n.get("line").asLong(), n.get("reason").asText()));
        assertThat(failed.get(3L)).containsIgnoringCase("malformed JSON");
        assertThat(failed.get(5L)).containsIgnoringCase("not an object");
        assertThat(failed.get(7L)).contains("body");
        assertThat(failed.get(9L)).contains("duplicate id");
        assertThat(failed.get(11L)).containsIgnoringCase("UTF-8");

        // accepted answers are validated output with usage and cost from the provider
        assertThat(lines.get(OutcomeKind.ACCEPTED)).isNotEmpty().allSatisfy(n -> {
            assertThat(n.path("output").path("primary_category").asText()).isNotEmpty();
            assertThat(n.path("usage").path("input_tokens").asLong()).isPositive();
            assertThat(n.path("batch_id").asText()).startsWith("msgbatch_");
            assertThat(n.path("cost_usd").decimalValue()).isPositive();
        });
        // provider errors: invalid_request fails at once; transient ones are retried in a later attempt
        assertThat(lines.get(OutcomeKind.FAILED)).anySatisfy(n ->
                assertThat(n.get("reason").asText()).contains("invalid_request_error"));
        assertThat(lines.values().stream().flatMap(List::stream)).anySatisfy(n ->
                assertThat(n.path("attempts").asInt()).isGreaterThan(1));

        JsonNode report = Json.tree(bucket.read(RunKeys.report(runId)));
        long items = nonBlankLines(input).size();
        assertThat(report.get("items").asLong()).isEqualTo(items);
        assertThat(report.get("accepted").asLong() + report.get("review").asLong() + report.get("rejected").asLong()
                + report.get("failed").asLong()).isEqualTo(items);
        for (OutcomeKind kind : OutcomeKind.values()) {
            assertThat(report.get(kind.label()).asLong()).isEqualTo(lines.get(kind).size());
        }
        assertThat(report.get("run_id").asText()).isEqualTo(runId);
        assertThat(report.at("/price/as_of").asText()).isNotBlank();
        assertThat(report.get("batches")).isNotEmpty();
    }

    @Test
    void theSameObjectDroppedAgainStartsNoSecondRun() throws Exception {
        byte[] input = goodLines(12, "again");
        String runId = drop("inbox/ticket-triage/again.jsonl", input);
        assertThat(awaitEnd(runId, Duration.ofMinutes(3)).status()).isEqualTo(ExecutionStatus.SUCCEEDED);

        String second = drop("inbox/ticket-triage/again.jsonl", input);
        Thread.sleep(3000); // give the duplicate event time to reach the intake

        assertThat(second).isEqualTo(runId);
        long runsOfThisFile = sfn.listExecutionsPaginator(b -> b.stateMachineArn(stack.endpoints().stateMachineArn()))
                .executions().stream().filter(e -> e.name().equals(runId)).count();
        assertThat(runsOfThisFile).isEqualTo(1);
    }

    @Test
    void aMissingJobSpecFailsTheRunWithAReadableCause() throws Exception {
        String runId = drop("inbox/no-such-job/x.jsonl", goodLines(3, "nojob"));

        DescribeExecutionResponse end = awaitEnd(runId, Duration.ofMinutes(2));

        assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(end.error()).isEqualTo("JobSpecMissing");
        assertThat(end.cause()).contains("jobs/no-such-job.yaml");
    }

    private static String drop(String key, byte[] bytes) {
        return InboxRuns.drop(stack, bucket, key, bytes);
    }

    private static DescribeExecutionResponse awaitEnd(String runId, Duration timeout) throws InterruptedException {
        return InboxRuns.awaitEnd(stack, sfn, runId, timeout);
    }

    private static List<Long> nonBlankLines(byte[] input) {
        List<Long> out = new ArrayList<>();
        String[] lines = new String(input, StandardCharsets.ISO_8859_1).split("\n", -1);
        for (int i = 0; i < lines.length; i++) if (!lines[i].isBlank()) out.add(i + 1L);
        return out;
    }

    private static byte[] goodLines(int n, String prefix) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(ticket(prefix + "-" + i, i)).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String ticket(String id, int i) {
        String[] subjects = {"Refund for double charge on invoice", "App crashes when uploading a file",
                "Cannot reset my account password", "Feature request: dark mode", "Question about your office hours"};
        return "{\"id\":\"" + id + "\",\"subject\":\"" + subjects[i % 5] + "\",\"body\":\"Ticket number " + i
                + " with details.\",\"label\":\"x\"}";
    }

    /** Lines 3, 5, 7, 9, 11 are bad; 2, 13 and the trailing line are blank. */
    private static byte[] mixedInput() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> lines = new ArrayList<>();
        lines.add(ticket("m-1", 1));                                     // 1
        lines.add("");                                                   // 2
        lines.add("{\"id\":\"m-3\",\"subject\":\"broken\",");            // 3 malformed
        lines.add(ticket("m-4", 4));                                     // 4
        lines.add("[1,2,3]");                                            // 5 not an object
        lines.add(ticket("m-6", 6));                                     // 6
        lines.add("{\"id\":\"m-7\",\"subject\":\"no body here\"}");      // 7 missing template field
        lines.add(ticket("m-8", 8));                                     // 8
        lines.add(ticket("m-8", 9));                                     // 9 duplicate id
        lines.add(ticket("m-10", 10));                                   // 10
        lines.add(null);                                                 // 11 invalid UTF-8
        lines.add(ticket("m-12", 12));                                   // 12
        lines.add("   ");                                                // 13
        for (int i = 14; i <= 80; i++) lines.add(ticket("m-" + i, i));
        for (String l : lines) {
            if (l == null) {
                out.write("{\"id\":\"m-11\",\"subject\":\"bad ".getBytes(StandardCharsets.UTF_8));
                out.write(new byte[] {(byte) 0xC3, (byte) 0x28});
                out.write("\",\"body\":\"x\"}".getBytes(StandardCharsets.UTF_8));
            } else {
                out.write(l.getBytes(StandardCharsets.UTF_8));
            }
            out.write('\n');
        }
        return out.toByteArray();
    }
}
