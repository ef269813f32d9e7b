package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.offline.lambda.LambdaHost;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import io.batchline.aws.s3.S3ObjectStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Idempotency and the result cache through the stage handlers (in this JVM) and the real ASL: the handlers keep idempotency
 * records keyed by the state attempt ($$.State from the context object), a second delivery of an attempt is answered
 * from its record, and a job with result_cache reuses an earlier run's answers.
 */
@OfflineStackOnly("invokes a function directly through the offline Lambda host's Invoke API")
class IdempotencyAndCacheEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static OfflineStack stack;
    private static ObjectStore bucket;
    private static SfnClient sfn;
    private static DynamoDbClient ddb;

    @BeforeAll
    static void startStack() throws Exception {
        stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, null))
                .withSimulator(b -> b.processingTime(Duration.ofMillis(300))));
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        ddb = clients.dynamoDb();
        String job = Files.readString(HOME.resolve("samples/ticket-triage/job.yaml"))
                .replaceAll("(?m)^name: .*$", "name: cached")
                .replaceAll("(?m)^golden:\\n(  .*\\n)+", "") // golden items are sent on every run by design
                + "\nresult_cache:\n  window: 7d\n";
        bucket.put(RunKeys.jobSpec("cached"), job.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) stack.close();
    }

    private static byte[] tickets(int from, int to) throws Exception {
        List<String> lines = Files.readAllLines(HOME.resolve("samples/ticket-triage/tickets.jsonl")).subList(from - 1, to);
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static String runToEnd(String key, byte[] input) throws Exception {
        String runId = InboxRuns.drop(stack, bucket, key, input);
        var end = InboxRuns.awaitEnd(stack, sfn, runId, Duration.ofMinutes(3));
        assertThat(end.status()).as("%s %s", end.error(), end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        return runId;
    }

    private static List<String> idempotencyKeys(String runId) {
        List<String> keys = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(stack.endpoints().table()).consistentRead(true)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :idem)")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("RUN#" + runId),
                        ":idem", AttributeValue.fromS("IDEMPOTENCY#")))).items().forEach(item -> {
                            assertThat(item.get("status").s()).as(item.get("sk").s()).isEqualTo("COMPLETED");
                            keys.add(item.get("sk").s().substring("IDEMPOTENCY#".length()));
                        });
        return keys;
    }

    private static Map<String, JsonNode> outcomesById(String runId) {
        Map<String, JsonNode> byId = new java.util.HashMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            JsonLines.forEachLine(bucket.open(RunKeys.outcome(runId, kind)), l -> {
                JsonNode n = Json.tree(l.getBytes(StandardCharsets.UTF_8));
                assertThat(byId.put(n.get("id").asText(), n)).as("one outcome per item").isNull();
            });
        }
        return byId;
    }

    /** The item_key of every message of the run on the review queue (received, left for their visibility timeout). */
    private static List<String> reviewQueueKeys(String runId) {
        var sqs = stack.endpoints().clients().sqs();
        List<String> keys = new ArrayList<>();
        for (int empty = 0; empty < 3; ) {
            var messages = sqs.receiveMessage(b -> b.queueUrl(stack.endpoints().reviewQueueUrl()).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).messageAttributeNames("All")).messages();
            if (messages.isEmpty()) empty++;
            for (var m : messages) {
                if (runId.equals(m.messageAttributes().get("run_id").stringValue())) {
                    keys.add(m.messageAttributes().get("item_key").stringValue());
                }
            }
        }
        return keys;
    }

    /** The input Step Functions gave the function of a state (its LambdaFunctionScheduled event). */
    private static String scheduledInput(String runId, String state) {
        String entered = null;
        for (HistoryEvent e : sfn.getExecutionHistoryPaginator(b -> b.executionArn(stack.endpoints().executionArn(runId)))
                .events()) {
            if (e.stateEnteredEventDetails() != null) entered = e.stateEnteredEventDetails().name();
            if (e.lambdaFunctionScheduledEventDetails() != null && state.equals(entered)) {
                return e.lambdaFunctionScheduledEventDetails().input();
            }
        }
        throw new AssertionError("no " + state + " invocation in the history of " + runId);
    }

    private static String invoke(String stage, String payload) throws Exception {
        String arn = LambdaHost.functionArn(OfflineStack.functionName(stage));
        URI uri = URI.create(stack.endpoints().lambda() + "/2015-03-31/functions/" + arn + "/invocations");
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(2)).POST(HttpRequest.BodyPublishers.ofString(payload)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("x-amz-function-error")).as(r.body()).isEmpty();
        return r.body();
    }

    @Test
    void stagesKeepAttemptRecordsAnswerADuplicateFromThemAndAKnownRequestIsNotPaidTwice() throws Exception {
        // GIVEN a run of tickets 1-20
        String first = runToEnd("inbox/cached/first.jsonl", tickets(1, 20));

        // THEN every stage that spends money or writes outcomes completed one record per state attempt
        List<String> keys = idempotencyKeys(first);
        assertThat(keys).anyMatch(k -> k.matches("format#Plan and format@\\d{4}-.*Z#r0"))
                .anyMatch(k -> k.matches("submit#Submit batches@.*#r0"))
                .anyMatch(k -> k.matches("collect#Collect shard@.*#r0#a1#0"))
                .anyMatch(k -> k.matches("format#Plan retry round@.*#r0"))
                .anyMatch(k -> k.matches("finalize#Finalize run@.*#r0"));

        // WHEN the finalize attempt is delivered a second time
        byte[] reportBefore = bucket.read(RunKeys.report(first));
        String finalizeInput = scheduledInput(first, "Finalize run");
        assertThat(Json.tree(finalizeInput.getBytes(StandardCharsets.UTF_8)).path("invocation").path("retry_count")
                .isInt()).isTrue();
        String again = invoke("finalize", finalizeInput);

        // THEN it gets the stored result and the stage did not run again (report.json, with its finished_at, as it was)
        JsonNode output = Json.tree(stack.endpoints().clients().sfn().describeExecution(b -> b.executionArn(
                stack.endpoints().executionArn(first))).output().getBytes(StandardCharsets.UTF_8));
        assertThat(Json.tree(again.getBytes(StandardCharsets.UTF_8))).isEqualTo(output);
        assertThat(bucket.read(RunKeys.report(first))).isEqualTo(reportBefore);

        // WHEN another file shares tickets 11-20 and adds 21-26 (a new run)
        String second = runToEnd("inbox/cached/second.jsonl", tickets(11, 26));

        // THEN the shared items with a valid first answer are reused, and the lines still add up
        Map<String, JsonNode> before = outcomesById(first);
        Map<String, JsonNode> after = outcomesById(second);
        long expected = after.keySet().stream().map(before::get).filter(b -> b != null && b.has("output")
                && !b.path("repaired").asBoolean(false)
                && !io.batchline.validate.InvalidOutput.isInvalidOutputReason(b.path("reason").asText(null))).count();
        long cachedLines = after.values().stream().filter(n -> n.path("cached").asBoolean(false)).count();
        JsonNode report = Json.tree(bucket.read(RunKeys.report(second)));
        assertThat(after).hasSize(16);
        assertThat(expected).isPositive();
        assertThat(cachedLines).isEqualTo(expected);
        assertThat(report.get("cached").asLong()).isEqualTo(cachedLines);
        assertThat(report.get("items").asLong()).isEqualTo(16);

        // AND the cached review items went to the review queue like any review item, keyed by their input line
        List<String> cachedReviewKeys = after.values().stream()
                .filter(n -> n.path("cached").asBoolean(false) && n.get("outcome").asText().equals("review"))
                .map(n -> second + "/cached-l" + n.get("line").asLong()).toList();
        assertThat(cachedReviewKeys).isNotEmpty();
        assertThat(reviewQueueKeys(second).stream().filter(k -> k.contains("/cached-l")).toList())
                .containsExactlyInAnyOrderElementsOf(cachedReviewKeys);
    }
}
