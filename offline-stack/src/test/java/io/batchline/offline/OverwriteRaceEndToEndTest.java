package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.store.ObjectStore;
import io.batchline.aws.s3.S3ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * An overwritten inbox file, through S3 events, the intake and the real state machine: v1 of an inbox file and, at
 * once, v2 under the same key. Each version is processed exactly once under its own run, or the stale run fails with
 * InputChanged; never does a run carry another version's lines (checked by content: v1 and v2 have disjoint ids).
 */
class OverwriteRaceEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final String JOB = "overwrite";
    private static OfflineStack stack;
    private static ObjectStore bucket;
    private static SfnClient sfn;
    private static DynamoRunStore runs;

    @BeforeAll
    static void startStack() throws Exception {
        stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, null))
                .withSimulator(b -> b.processingTime(Duration.ofMillis(300))));
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        runs = new DynamoRunStore(clients.dynamoDb(), stack.endpoints().table());
        String job = Files.readString(HOME.resolve("samples/ticket-triage/job.yaml"))
                .replaceAll("(?m)^name: .*$", "name: " + JOB)
                .replaceAll("(?m)^golden:\\n(  .*\\n)+", ""); // only the input's own lines in the outcomes
        bucket.put(RunKeys.jobSpec(JOB), job.getBytes(StandardCharsets.UTF_8), "application/yaml");
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) stack.close();
    }

    /** The sample's tickets [from, to), one per line: line n of the file is the n-th id. */
    private static List<String> tickets(int from, int to) throws Exception {
        return Files.readAllLines(HOME.resolve("samples/ticket-triage/tickets.jsonl")).subList(from, to);
    }

    private static byte[] bytes(List<String> lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Line number (1-based) -> id of a version. */
    private static Map<Long, String> idsByLine(List<String> lines) {
        Map<Long, String> ids = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            ids.put(i + 1L, Json.tree(lines.get(i).getBytes(StandardCharsets.UTF_8)).path("id").asText());
        }
        return ids;
    }

    /** Every outcome line of a run, of every kind. */
    private static List<JsonNode> outcomes(String runId) {
        List<JsonNode> lines = new ArrayList<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            String key = RunKeys.outcome(runId, kind);
            if (!bucket.exists(key)) continue;
            JsonLines.forEachLine(bucket.open(key), l -> lines.add(Json.tree(l.getBytes(StandardCharsets.UTF_8))));
        }
        return lines;
    }

    /** The run processed exactly its own version: one outcome per line, each line's id the version's id there. */
    private static void assertProcessedExactly(String runId, Map<Long, String> version) {
        Map<Long, String> seen = new HashMap<>();
        for (JsonNode o : outcomes(runId)) {
            long line = o.path("line").asLong();
            assertThat(seen.put(line, o.path("id").asText())).as("%s: one outcome for line %d", runId, line).isNull();
        }
        assertThat(seen).as("%s: the outcomes are its own version's lines, by id", runId).isEqualTo(version);
    }

    @Test
    void anOverwriteRaceNeverProcessesOneVersionsBytesUnderTheOthersRun() throws Exception {
        // GIVEN v1 of inbox/overwrite/tickets.jsonl and, at once, v2 under the same key (disjoint ids, other count)
        String key = RunKeys.INBOX + JOB + "/tickets.jsonl";
        List<String> v1 = tickets(0, 9);
        List<String> v2 = tickets(300, 314);
        bucket.put(key, bytes(v1), "application/x-ndjson");
        String etag1 = RunIds.stripQuotes(bucket.head(key).orElseThrow().etag());
        bucket.put(key, bytes(v2), "application/x-ndjson");
        String etag2 = RunIds.stripQuotes(bucket.head(key).orElseThrow().etag());
        String run1 = RunIds.runId(JOB, stack.endpoints().bucket(), key, etag1);
        String run2 = RunIds.runId(JOB, stack.endpoints().bucket(), key, etag2);
        assertThat(run1).isNotEqualTo(run2);

        // WHEN both S3 events have become runs and the runs have ended
        DescribeExecutionResponse end1 = InboxRuns.awaitEnd(stack, sfn, run1, Duration.ofMinutes(4));
        DescribeExecutionResponse end2 = InboxRuns.awaitEnd(stack, sfn, run2, Duration.ofMinutes(4));

        // THEN v2's run processed v2 exactly once
        assertThat(end2.status()).as("%s %s", end2.error(), end2.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        assertProcessedExactly(run2, idsByLine(v2));

        // AND v1's run either processed v1 exactly (it read v1 before the overwrite) or failed with InputChanged,
        // naming both ETags, with no outcome at all: never v2's lines under v1's name
        if (end1.status() == ExecutionStatus.SUCCEEDED) {
            assertProcessedExactly(run1, idsByLine(v1));
        } else {
            assertThat(end1.status()).isEqualTo(ExecutionStatus.FAILED);
            assertThat(end1.error()).as(end1.cause()).isEqualTo("InputChanged");
            assertThat(end1.cause()).contains(key).contains(etag1).contains(etag2).contains("overwritten");
            assertThat(outcomes(run1)).isEmpty();
            assertThat(bucket.list(RunKeys.run(run1) + "requests/")).as("nothing planned for v1's run").isEmpty();
            RunRecord record = runs.run(run1).orElseThrow();
            assertThat(record.status()).isEqualTo(RunRecord.RunStatus.FAILED);
            assertThat(record.error()).isEqualTo("InputChanged");
        }
        System.out.println("overwrite race: v1's run " + run1 + " ended " + end1.status() + " " + end1.error()
                + "; v2's run " + run2 + " ended " + end2.status());
    }
}
