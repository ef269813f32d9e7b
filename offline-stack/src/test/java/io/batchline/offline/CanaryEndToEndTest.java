package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * The canary through the real state machine and the stage handlers (in this JVM): a miss fails the execution as
 * "Canary failed" with the cause after the outcomes and report are written, having created the canary's batch
 * only; a pass runs on as usual. Half the simulator's answers break the schema and repair is off, so the same
 * provider passes a lenient canary and fails a strict one.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
class CanaryEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static OfflineStack stack;
    private static ObjectStore bucket;
    private static SfnClient sfn;
    private static AnthropicBatchesClient provider;

    @BeforeAll
    static void startStack() throws Exception {
        stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, null))
                .withSimulator(b -> b.processingTime(Duration.ofMillis(500)).seed(3).schemaViolationRate(0.5)));
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        provider = new AnthropicBatchesClient(ProviderConfig.of(stack.endpoints().anthropic(), () -> "k"));
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) stack.close();
    }

    private static String job(String name, String canary) throws Exception {
        return Files.readString(HOME.resolve("samples/ticket-triage/job.yaml"))
                .replaceAll("(?m)^name: .*$", "name: " + name)
                .replaceAll("(?m)^(\\s*max_requests:).*$", "$1 10")
                .replaceAll("(?m)^repair: .*$", "repair: false")
                .replaceAll("(?m)^canary:\\n(  .*\\n)+", canary);
    }

    private static byte[] tickets(int n) throws Exception {
        List<String> lines = Files.readAllLines(HOME.resolve("samples/ticket-triage/tickets.jsonl"));
        return (String.join("\n", lines.subList(0, n)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static int batchesAtProvider() {
        int n = 0;
        for (var it = provider.listAll(100); it.hasNext(); it.next()) n++;
        return n;
    }

    private static Map<Long, JsonNode> outcomesByLine(String runId) {
        Map<Long, JsonNode> byLine = new HashMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            JsonLines.forEachLine(bucket.open(RunKeys.outcome(runId, kind)), l -> {
                JsonNode n = Json.tree(l.getBytes(StandardCharsets.UTF_8));
                assertThat(byLine.put(n.get("line").asLong(), n)).as("line %s twice", n.get("line")).isNull();
            });
        }
        return byLine;
    }

    /** A run of the first 40 sample tickets with this canary block; how many batches it created. */
    private record CanaryRun(String runId, DescribeExecutionResponse end, int batches) {}

    private static CanaryRun run(String jobName, String canary) throws Exception {
        InboxRuns.putJob(bucket, HOME, jobName, job(jobName, canary).getBytes(StandardCharsets.UTF_8));
        int before = batchesAtProvider();
        String runId = InboxRuns.drop(stack, bucket, "inbox/" + jobName + "/t.jsonl", tickets(40));
        DescribeExecutionResponse end = InboxRuns.awaitEnd(stack, sfn, runId, Duration.ofMinutes(4));
        return new CanaryRun(runId, end, batchesAtProvider() - before);
    }

    @Test
    void aMissedCanaryFailsTheExecutionWithItsCauseBeforeTheRestIsSubmitted() throws Exception {
        CanaryRun run = run("strict-canary", "canary:\n  items: 10\n  min_pass_rate: 0.9\n");
        String runId = run.runId();
        DescribeExecutionResponse end = run.end();

        assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(end.error()).isEqualTo("CanaryFailed");
        assertThat(end.cause()).startsWith("canary of 10 items: validation pass rate ")
                .contains("is below min_pass_rate 0.9").contains("the other 80 requests were not submitted");
        assertThat(run.batches()).as("only the canary's batch was created").isEqualTo(1);
        List<HistoryEvent> history = sfn.getExecutionHistoryPaginator(b -> b.executionArn(end.executionArn()))
                .events().stream().toList();
        assertThat(history).anySatisfy(e -> assertThat(e.stateEnteredEventDetails() == null ? ""
                : e.stateEnteredEventDetails().name()).isEqualTo("Canary failed"));

        Map<Long, JsonNode> outcomes = outcomesByLine(runId);
        assertThat(outcomes).hasSize(40);
        assertThat(outcomes.entrySet()).allSatisfy(e -> {
            String reason = e.getValue().path("reason").asText("");
            if (e.getKey() <= 10) assertThat(reason).doesNotStartWith("canary_failed");
            else assertThat(reason).isEqualTo("canary_failed: " + end.cause());
        });
        JsonNode report = Json.tree(bucket.read(RunKeys.report(runId)));
        assertThat(report.get("items").asLong()).isEqualTo(40);
        assertThat(report.at("/canary/passed").asBoolean()).isFalse();
        assertThat(report.at("/canary/cause").asText()).isEqualTo(end.cause());
    }

    @Test
    void aPassingCanaryLetsTheRunFinishWithThePassInItsReport() throws Exception {
        CanaryRun run = run("lenient-canary", "canary:\n  items: 10\n  min_pass_rate: 0.2\n  max_cost_per_item_usd: 0.01\n");
        String runId = run.runId();
        DescribeExecutionResponse end = run.end();

        assertThat(end.status()).as("%s %s", end.error(), end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        // canary (10) + the rest, 30 tickets and 50 golden items in shards of 10
        assertThat(run.batches()).isEqualTo(1 + 8);
        assertThat(outcomesByLine(runId)).hasSize(40).allSatisfy((line, n) ->
                assertThat(n.path("reason").asText("")).doesNotStartWith("canary_failed"));
        JsonNode report = Json.tree(bucket.read(RunKeys.report(runId)));
        assertThat(report.at("/canary/passed").asBoolean()).isTrue();
        assertThat(report.at("/canary/items").asLong()).isEqualTo(10);
        assertThat(report.at("/canary/pass_rate").doubleValue()).isBetween(0.2, 0.9);
        assertThat(report.at("/golden_quality/count").asLong()).isEqualTo(50);
    }
}
