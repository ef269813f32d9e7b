package io.batchline.offline.statemachine;

import static io.batchline.offline.sfn.SfnTestClients.awaitClosed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.batchline.offline.lambda.FunctionError;
import io.batchline.offline.lambda.LambdaHost;
import io.batchline.offline.lambda.LocalFunction;
import io.batchline.offline.sfn.SfnTestClients;
import io.batchline.offline.sfn.StepFunctionsConfig;
import io.batchline.offline.sfn.StepFunctionsEmulator;
import io.batchline.offline.teststack.OfflineStackOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sfn.model.HistoryEventType;

/**
 * Runs the REAL statemachine/batchline-run.asl.json (placeholders substituted as the deployment does) on the
 * local Step Functions service, with in-JVM fakes behind the Lambda Invoke API, through the real SfnClient.
 */
@OfflineStackOnly("the real ASL calls in-JVM fake functions through the offline Lambda host; LocalStack's Step"
        + " Functions can only call functions deployed into LocalStack")
class BatchlineRunStateMachineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ASL = Path.of("..", "statemachine", "batchline-run.asl.json");
    private static final Map<String, String> PLACEHOLDERS = Map.of(
        "RegisterFunctionArn", "register", "FormatFunctionArn", "format", "SubmitFunctionArn", "submit",
        "PollFunctionArn", "poll", "CollectFunctionArn", "collect", "FinalizeFunctionArn", "finalize",
        "MarkFailedFunctionArn", "mark-failed", "CanaryFunctionArn", "canary");
    private static final String INPUT = "{\"run_id\":\"r-1\",\"bucket\":\"bl-bucket\",\"key\":\"inbox/job-a/x.jsonl\","
        + "\"etag\":\"abc\",\"job\":\"job-a\"}";

    private LambdaHost lambda;
    private StepFunctionsEmulator sfnService;
    private SfnClient sfn;
    private String stateMachineArn;
    /** Every payload each fake received, in order. */
    private final Map<String, List<JsonNode>> calls = new ConcurrentHashMap<>();
    /** What each stage's fake does; a test replaces entries before starting the execution. */
    private final Map<String, Function<JsonNode, Object>> behaviours = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws IOException {
        lambda = LambdaHost.start(0);
        // time compressed: a 1 s Wait lasts 10 ms, retry back-offs 1/1000
        sfnService = StepFunctionsEmulator.start(StepFunctionsConfig.of(SfnTestClients.NODE_MODULES, lambda.invokeEndpoint())
            .withTimeScales(0.01, 0.001));
        sfn = SfnTestClients.sfn(sfnService.endpoint());
        String def = Files.readString(ASL);
        for (var e : PLACEHOLDERS.entrySet()) {
            def = def.replace("${" + e.getKey() + "}", LambdaHost.functionArn("batchline-" + e.getValue()));
        }
        assertThat(def).doesNotContain("${");
        stateMachineArn = sfnService.createStateMachine("batchline-run", def);
        for (String stage : PLACEHOLDERS.values()) {
            calls.put(stage, Collections.synchronizedList(new ArrayList<>()));
            lambda.registerLocalFunction("batchline-" + stage, fakeFor(stage));
        }
    }

    @AfterEach
    void stop() {
        sfn.close();
        sfnService.close();
        lambda.close();
    }

    private void fake(String stage, Function<JsonNode, Object> behaviour) {
        behaviours.put(stage, behaviour);
    }

    /** Records the payload, then answers with the behaviour's JSON (String or object) or throws its FunctionError. */
    private LocalFunction fakeFor(String stage) {
        return payload -> {
            JsonNode in;
            try {
                in = JSON.readTree(payload);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            calls.get(stage).add(in);
            Function<JsonNode, Object> behaviour = behaviours.get(stage);
            if (behaviour == null) throw new FunctionError("TestSetupError", "no fake behaviour for " + stage);
            Object out = behaviour.apply(in);
            if (out instanceof FunctionError fe) throw fe;
            try {
                return JSON.writeValueAsBytes(out instanceof String s ? JSON.readTree(s) : out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    private List<JsonNode> calls(String stage) {
        return calls.getOrDefault(stage, List.of());
    }

    /** Fakes for a run whose poll loop ends after {@code polls} polls with {@code shards} shards ended. */
    private void happyFakes(int shards, int polls) {
        fake("register", in -> "{\"run_id\":\"r-1\",\"status\":\"REGISTERED\"}");
        fake("format", in -> in.has("retry_of")
            ? "{\"attempt\":2,\"shards\":0}"
            : "{\"attempt\":1,\"shards\":" + shards + ",\"requests_prefix\":\"runs/r-1/requests/a1/\"}");
        fake("submit", in -> "{\"wait_seconds\":1,\"polls\":0}");
        AtomicInteger n = new AtomicInteger();
        fake("poll", in -> {
            int k = n.incrementAndGet();
            if (k < polls) return "{\"all_ended\":false,\"wait_seconds\":1,\"polls\":" + k + "}";
            StringBuilder ended = new StringBuilder();
            StringBuilder groups = new StringBuilder(); // each shard a group of its own
            for (int i = 0; i < shards; i++) {
                ended.append(i == 0 ? "" : ",").append(i);
                groups.append(i == 0 ? "" : ",").append("{\"shard\":").append(i).append(",\"shards\":[").append(i).append("]}");
            }
            return "{\"all_ended\":true,\"wait_seconds\":1,\"polls\":" + k + ",\"ended_shards\":[" + ended
                + "],\"collect_groups\":[" + groups + "]}";
        });
        fake("collect", in -> "{\"shard\":" + in.path("shard").asInt() + ",\"accepted\":10}");
        fake("finalize", in -> "{\"status\":\"SUCCEEDED\",\"report\":\"runs/r-1/report.json\",\"accepted\":30}");
        fake("mark-failed", in -> "{\"error\":\"Unexpected\",\"cause\":\"mark-failed should not run\"}");
    }

    private String start(String name) {
        return sfn.startExecution(b -> b.stateMachineArn(stateMachineArn).name(name).input(INPUT)).executionArn();
    }

    private List<HistoryEvent> history(String arn) {
        List<HistoryEvent> all = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            GetExecutionHistoryResponse page = sfn.getExecutionHistory(b -> b.executionArn(arn).maxResults(1000).nextToken(t));
            all.addAll(page.events());
            token = page.nextToken();
        } while (token != null);
        return all;
    }

    @Test
    void happyPathPollsCollectsEveryShardPlansARetryRoundAndFinalizes() throws Exception {
        happyFakes(3, 3);

        String arn = start("happy");
        DescribeExecutionResponse d = awaitClosed(sfn, arn, Duration.ofSeconds(90));

        assertThat(d.status()).as("error %s cause %s", d.error(), d.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(JSON.readTree(d.output()))
            .isEqualTo(JSON.readTree("{\"status\":\"SUCCEEDED\",\"report\":\"runs/r-1/report.json\",\"accepted\":30}"));
        assertThat(calls("register")).singleElement().satisfies(in ->
            assertThat(in).isEqualTo(JSON.readTree(INPUT)));
        assertThat(calls("poll")).extracting(in -> in.path("polls").asInt()).containsExactly(0, 1, 2);
        assertThat(calls("poll")).allSatisfy(in -> assertThat(in.path("attempt").asInt()).isEqualTo(1));
        assertThat(calls("collect")).hasSize(3);
        assertThat(calls("collect")).extracting(in -> in.path("shard").asInt()).containsExactlyInAnyOrder(0, 1, 2);
        // the Map passes each group of shards (here one shard a group) to its "Collect shard"
        assertThat(calls("collect")).allSatisfy(in -> assertThat(in.path("shards"))
            .isEqualTo(JSON.createArrayNode().add(in.path("shard").asInt())));
        assertThat(calls("collect")).allSatisfy(in -> {
            assertThat(in.path("run_id").asText()).isEqualTo("r-1");
            assertThat(in.path("bucket").asText()).isEqualTo("bl-bucket");
            assertThat(in.path("attempt").asInt()).isEqualTo(1);
        });
        assertThat(calls("format")).hasSize(2);
        assertThat(withoutInvocation(calls("format").get(0), "Plan and format"))
            .isEqualTo(JSON.readTree("{\"run_id\":\"r-1\",\"bucket\":\"bl-bucket\",\"attempt\":1}"));
        assertThat(withoutInvocation(calls("format").get(1), "Plan retry round"))
            .isEqualTo(JSON.readTree("{\"run_id\":\"r-1\",\"bucket\":\"bl-bucket\",\"retry_of\":1}"));
        assertThat(calls("finalize")).singleElement().satisfies(in ->
            assertThat(withoutInvocation(in, "Finalize run")).isEqualTo(JSON.readTree("{\"run_id\":\"r-1\",\"bucket\":\"bl-bucket\"}")));
        assertThat(calls("collect")).allSatisfy(in -> withoutInvocation(in, "Collect shard"));
        assertThat(calls("submit")).allSatisfy(in -> withoutInvocation(in, "Submit batches"));
        assertThat(calls("mark-failed")).isEmpty();

        List<HistoryEvent> events = history(arn);
        assertThat(events).filteredOn(e -> e.type() == HistoryEventType.MAP_ITERATION_SUCCEEDED).hasSize(3);
        assertThat(events).filteredOn(e -> e.type() == HistoryEventType.MAP_STATE_STARTED).singleElement()
            .satisfies(e -> assertThat(e.mapStateStartedEventDetails().length()).isEqualTo(3));
        assertThat(events.get(events.size() - 1).type()).isEqualTo(HistoryEventType.EXECUTION_SUCCEEDED);
        assertThat(events).filteredOn(e -> e.type() == HistoryEventType.TASK_STATE_ENTERED)
            .extracting(e -> e.stateEnteredEventDetails().name())
            .containsSubsequence("Register run", "Plan and format", "Submit batches", "Check batches", "Collect shard",
                "Plan retry round", "Finalize run");
    }

    @Test
    void aTransientStageErrorIsRetriedAndTheRunSucceeds() {
        happyFakes(3, 1);
        AtomicInteger shard1 = new AtomicInteger();
        fake("collect", in -> in.path("shard").asInt() == 1 && shard1.incrementAndGet() == 1
            ? new FunctionError("io.batchline.pipeline.TransientStageException", "S3 slow down")
            : "{\"shard\":" + in.path("shard").asInt() + "}");

        String arn = start("transient");
        DescribeExecutionResponse d = awaitClosed(sfn, arn, Duration.ofSeconds(90));

        assertThat(d.status()).as("error %s cause %s", d.error(), d.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(calls("collect")).extracting(in -> in.path("shard").asInt()).containsExactlyInAnyOrder(0, 1, 1, 2);
        assertThat(calls("mark-failed")).isEmpty();
        // the retry is a new attempt of the same state entry: same $$.State.EnteredTime, RetryCount 0 then 1
        List<JsonNode> shard1Calls = calls("collect").stream().filter(in -> in.path("shard").asInt() == 1).toList();
        assertThat(shard1Calls).extracting(in -> in.path("invocation").path("retry_count").asInt()).containsExactly(0, 1);
        assertThat(shard1Calls.get(1).path("invocation").path("entered_time"))
            .isEqualTo(shard1Calls.get(0).path("invocation").path("entered_time"));
        List<HistoryEvent> failed = history(arn).stream().filter(e -> e.type() == HistoryEventType.LAMBDA_FUNCTION_FAILED).toList();
        assertThat(failed).singleElement().satisfies(e -> {
            assertThat(e.lambdaFunctionFailedEventDetails().error()).isEqualTo("io.batchline.pipeline.TransientStageException");
            assertThat(e.lambdaFunctionFailedEventDetails().cause()).contains("S3 slow down");
        });
    }

    @Test
    void aPermanentStageErrorMarksTheRunFailedWithAReadableCause() throws Exception {
        happyFakes(3, 1);
        fake("register", in -> "{\"run_id\":\"r-1\"}");
        fake("format", in -> new FunctionError("io.batchline.pipeline.PermanentStageException", "job spec invalid: missing model"));
        fake("mark-failed", in -> "{\"error\":\"JobSpecInvalid\",\"cause\":\"job spec invalid: missing model\"}");

        String arn = start("permanent");
        DescribeExecutionResponse d = awaitClosed(sfn, arn, Duration.ofSeconds(90));

        assertThat(d.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(d.error()).isEqualTo("JobSpecInvalid");
        assertThat(d.cause()).isEqualTo("job spec invalid: missing model");
        assertThat(calls("format")).hasSize(1); // not retried: only TransientStageException is
        JsonNode markFailed = calls("mark-failed").get(0);
        assertThat(markFailed.path("run_id").asText()).isEqualTo("r-1");
        assertThat(markFailed.path("error").path("Error").asText()).isEqualTo("io.batchline.pipeline.PermanentStageException");
        // the Cause is the Lambda error payload as JSON, as AWS passes it
        JsonNode cause = JSON.readTree(markFailed.path("error").path("Cause").asText());
        assertThat(cause.path("errorType").asText()).isEqualTo("io.batchline.pipeline.PermanentStageException");
        assertThat(cause.path("errorMessage").asText()).isEqualTo("job spec invalid: missing model");
        List<HistoryEvent> events = history(arn);
        assertThat(events).extracting(HistoryEvent::type).containsSubsequence(HistoryEventType.LAMBDA_FUNCTION_FAILED,
            HistoryEventType.TASK_STATE_EXITED, HistoryEventType.TASK_STATE_ENTERED, HistoryEventType.FAIL_STATE_ENTERED,
            HistoryEventType.EXECUTION_FAILED);
        assertThat(events.get(events.size() - 1).executionFailedEventDetails().error()).isEqualTo("JobSpecInvalid");
    }

    @Test
    void aLongPollLoopStaysFarBelowTheHistoryLimit() {
        int polls = 200;
        happyFakes(1, polls);

        String arn = start("long-poll");
        DescribeExecutionResponse d = awaitClosed(sfn, arn, Duration.ofSeconds(240));

        assertThat(d.status()).as("error %s cause %s", d.error(), d.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertThat(calls("poll")).hasSize(polls);
        List<HistoryEvent> events = history(arn);
        // AWS: ExecutionStarted 1; Resume? 2; Register, Format, Submit 5 each (Entered, Scheduled, Started, Succeeded, Exited);
        // Choice 2; per poll: Wait 2 + Check 5 + Choice 2 = 9; Map: Entered, Started, Succeeded, Exited 4 +
        // per shard 7; Canary pending? 2; Plan retry 5; Choice 2; Finalize 5; Canary failed? 2; Run canceled? 2;
        // Succeed 2; ExecutionSucceeded 1.
        int expected = 1 + 2 + 5 + 5 + 2 + 5 + 9 * polls + 4 + 7 + 2 + 5 + 2 + 5 + 2 + 2 + 2 + 1;
        assertThat(events).hasSize(expected);
        assertThat(expected).isLessThan(25_000);
        assertThat(events).filteredOn(e -> e.type() == HistoryEventType.WAIT_STATE_ENTERED).hasSize(polls);
    }

    /**
     * The idempotency attempt identity the ASL passes from the context object; checked, then removed so
     * the rest of the input can be compared whole.
     */
    private static JsonNode withoutInvocation(JsonNode in, String state) {
        JsonNode inv = in.path("invocation");
        assertThat(inv.path("execution").asText()).startsWith("arn:aws:states:");
        assertThat(inv.path("state").asText()).isEqualTo(state);
        assertThat(inv.path("entered_time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(inv.path("retry_count").isInt()).isTrue();
        JsonNode copy = in.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy).remove("invocation");
        return copy;
    }
}
