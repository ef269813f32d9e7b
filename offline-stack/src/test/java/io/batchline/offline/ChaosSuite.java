package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.provider.BatchResult;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ResultReader;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The chaos suite ({@link ChaosSuiteTest}, {@link ChaosSuiteCheckpointsTest}: two classes, so two test JVMs share its
 * cases, each class on its own stack): each case kills a function process at a named point of a real run on the
 * offline stack (as a Lambda timeout or crash would) and checks the promises still hold: every input line has
 * exactly one outcome line, no custom_id was sent in two batches, and the run's counts add up.
 */
@OfflineStackOnly("kills function processes of the offline stack's Lambda host at named points; LocalStack's"
        + " Lambda offers no such switch")
abstract class ChaosSuite {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static Path chaosFile;
    private static OfflineStack stack;
    static ObjectStore bucket;
    private static SfnClient sfn;
    private static AnthropicBatchesClient provider;
    static final int COLLECT_CHECKPOINT_EVERY = 2;

    /** Where a process can die, and on which pass: the first twelve fixed cases ({@link ChaosSuiteTest}). */
    static Stream<Arguments> firstCases() {
        return cases().limit(12);
    }

    /** The other fixed cases and the seeded random ones ({@link ChaosSuiteCheckpointsTest}). */
    static Stream<Arguments> otherCases() {
        return cases().skip(12);
    }

    /** Where a process can die, and on which pass. */
    private static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>(List.of(
                Arguments.of("register.after_record", 1),
                Arguments.of("format.line", 3),
                Arguments.of("format.line", 17),
                Arguments.of("format.before_checkpoint", 2),
                Arguments.of("format.after_plan", 1),
                Arguments.of("submit.before_create", 1),
                Arguments.of("submit.after_create", 1),
                Arguments.of("submit.after_create", 2),
                Arguments.of("poll.after_results_saved", 1),
                Arguments.of("collect.line", 2),
                Arguments.of("collect.line", 9),
                Arguments.of("collect.before_mark", 1),
                Arguments.of("finalize.mid_merge", 1),
                Arguments.of("s3.write", 1),
                Arguments.of("s3.write", 4),
                Arguments.of("s3.write", 9)));
        // seeded random cases over the same points
        // (point, how many passes one process surely makes in a 20-item run of 4 shards; collect runs as 2 instances)
        List<Map.Entry<String, Integer>> points = List.of(Map.entry("format.line", 20), Map.entry("submit.after_create", 4),
                Map.entry("collect.line", 10), Map.entry("s3.write", 12), Map.entry("poll.after_results_saved", 4));
        Random rnd = new Random(20261125);
        for (int i = 0; i < 6; i++) {
            Map.Entry<String, Integer> p = points.get(rnd.nextInt(points.size()));
            cases.add(Arguments.of(p.getKey(), 1 + rnd.nextInt(p.getValue())));
        }
        return cases.stream();
    }

    @BeforeAll
    static void startStack() throws Exception {
        chaosFile = Files.createTempDirectory("chaos").resolve("chaos.json");
        stack = OfflineStack.start(OfflineStack.Options.forRun(HOME, null)
                .withSimulator(b -> b.processingTime(Duration.ofMillis(500)).seed(11).retryableErrorRate(0.05))
                // a killed function is retried at a tenth of the ASL's intervals: the promises, not the waits, are tested
                .withRetryIntervalScale(0.1)
                // a checkpoint every 2 results and at every shard's close, so a killed collect or format
                // resumes after one
                .withFunctionEnv(Map.of("BATCHLINE_CHAOS_FILE", chaosFile.toString(),
                        "BATCHLINE_COLLECT_CHECKPOINT_EVERY", String.valueOf(COLLECT_CHECKPOINT_EVERY),
                        "BATCHLINE_FORMAT_CHECKPOINT_EVERY", "1")));
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        provider = new AnthropicBatchesClient(ProviderConfig.of(stack.endpoints().anthropic(), () -> "k"));
        String job = Files.readString(HOME.resolve("samples/ticket-triage/job.yaml"))
                .replaceAll("(?m)^name: .*$", "name: chaos")
                .replaceAll("(?m)^(\\s*max_requests:).*$", "$1 6")
                // the golden items would add 50 requests to every case without testing a crash
                .replaceAll("(?m)^golden:\\n(  .*\\n)+", "");
        bucket.put(RunKeys.jobSpec("chaos"), job.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) stack.close();
    }

    /** Runs 20 items with the fault armed and checks the promises; returns the run id. */
    static String runKilledAt(String point, int after) throws Exception {
        String caseId = point + "-" + after + "-" + System.nanoTime();
        Files.writeString(chaosFile, Json.string(Map.of("id", caseId, "point", point, "after", after)));
        Thread.sleep(300); // warm processes re-read the switch at most every 200 ms
        Instant started = Instant.now();
        byte[] input = input(caseId, 20);
        String key = "inbox/chaos/" + caseId.replaceAll("[^A-Za-z0-9_-]", "_") + ".jsonl";
        String runId = InboxRuns.drop(stack, bucket, key, input);

        DescribeExecutionResponse end = awaitEnd(runId, Duration.ofMinutes(3));

        assertThat(end.status()).as("%s: %s %s", caseId, end.error(), end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        Map<Long, String> outcomeByLine = new HashMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            JsonLines.forEachLine(bucket.open(RunKeys.outcome(runId, kind)), l -> {
                JsonNode n = Json.tree(l.getBytes(StandardCharsets.UTF_8));
                assertThat(outcomeByLine.put(n.get("line").asLong(), kind.label())).as("line %s twice", n.get("line")).isNull();
            });
        }
        assertThat(outcomeByLine).hasSize(20);
        JsonNode report = Json.tree(bucket.read(RunKeys.report(runId)));
        assertThat(report.get("items").asLong()).isEqualTo(20);
        assertThat(report.get("accepted").asLong() + report.get("review").asLong() + report.get("rejected").asLong()
                + report.get("failed").asLong()).isEqualTo(20);
        assertNoCustomIdInTwoBatches(started);
        assertThat(Files.exists(Path.of(chaosFile + "." + caseId + ".fired"))).as("the fault fired").isTrue();
        return runId;
    }

    private static void assertNoCustomIdInTwoBatches(Instant since) throws Exception {
        Set<String> seen = new HashSet<>();
        for (MessageBatch b : provider.listSince(since.minusSeconds(1))) {
            if (!b.ended()) continue;
            try (ResultReader results = new ResultReader(provider.results(b.id()))) {
                while (results.hasNext()) {
                    BatchResult r = results.next();
                    assertThat(seen.add(r.customId())).as("custom_id %s sent in two batches", r.customId()).isTrue();
                }
            }
        }
    }

    private static DescribeExecutionResponse awaitEnd(String runId, Duration timeout) throws InterruptedException {
        return InboxRuns.awaitEnd(stack, sfn, runId, timeout);
    }

    private static byte[] input(String caseId, int n) {
        StringBuilder sb = new StringBuilder();
        String[] subjects = {"Refund for double charge", "App crashes on upload", "Cannot log in to my account",
                "Please add dark mode", "Office hours question"};
        for (int i = 1; i <= n; i++) {
            sb.append("{\"id\":\"").append(caseId).append('-').append(i).append("\",\"subject\":\"").append(subjects[i % 5])
                    .append("\",\"body\":\"Case ").append(caseId).append(" item ").append(i).append(".\",\"label\":\"other\"}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
