package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.aws.dynamodb.DynamoBudgetLedger;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.budget.RunBudget;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.provider.BatchResult;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ResultReader;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * A stack's clients and the checks every hostile case makes ({@link HostileOperationsTest}, {@link ProviderStormTest}):
 * one outcome per input line, every batch a shard's, no custom_id paid twice, the reservation settled, put-offs counted.
 */
final class HostileRunChecks {
    /** How often "Submit batches" or "Check batches" put a call off, and the longest streak. */
    record PutOffs(int count, int longestStreak) {}

    final OfflineStack stack;
    final ObjectStore bucket;
    final SfnClient sfn;
    final DynamoRunStore runs;
    final DynamoBudgetLedger ledger;
    final AnthropicBatchesClient provider;

    HostileRunChecks(OfflineStack stack) {
        this.stack = stack;
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        runs = new DynamoRunStore(clients.dynamoDb(), stack.endpoints().table());
        ledger = new DynamoBudgetLedger(clients.dynamoDb(), stack.endpoints().table());
        // the test reads through the storm too, waiting a twentieth of the retry-after between its attempts
        provider = new AnthropicBatchesClient(ProviderConfig.of(stack.endpoints().anthropic(), () -> "k")
                .withRetries(60, Duration.ofMillis(50), Duration.ofMillis(500)),
                wait -> Thread.sleep(Math.max(1, wait.toMillis() / 20)));
    }

    List<ShardRecord> awaitSubmitted(String runId) throws InterruptedException {
        return InboxRuns.awaitBatchesInFlight(stack, sfn, runs, runId, Duration.ofMinutes(2));
    }

    Map<Long, JsonNode> oneOutcomePerLine(String runId, int lines) {
        Map<Long, JsonNode> byLine = new HashMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            for (JsonNode n : InboxRuns.outcomeLines(bucket, runId, kind)) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) n).put("kind", kind.label());
                assertThat(byLine.put(n.get("line").asLong(), n)).as("line %s twice", n.get("line")).isNull();
            }
        }
        assertThat(byLine).hasSize(lines);
        JsonNode report = Json.tree(bucket.read(RunKeys.report(runId)));
        assertThat(report.get("items").asLong()).isEqualTo(lines);
        return byLine;
    }

    /** Every batch at the provider belongs to exactly one shard record of the run: none was created twice. */
    void assertEveryBatchIsAShardsBatch(String runId, Instant since) {
        Set<String> recorded = new HashSet<>();
        for (int a = 1; ; a++) {
            List<ShardRecord> shards = runs.shards(runId, a);
            if (shards.isEmpty()) break;
            for (ShardRecord s : shards) if (s.batchId() != null) assertThat(recorded.add(s.batchId())).isTrue();
        }
        List<String> atProvider = new ArrayList<>();
        for (MessageBatch b : provider.listSince(since.minusSeconds(1))) atProvider.add(b.id());
        assertThat(atProvider).containsExactlyInAnyOrderElementsOf(recorded);
    }

    void assertNoCustomIdInTwoBatches(Instant since) throws Exception {
        Set<String> seen = new HashSet<>();
        for (MessageBatch b : provider.listSince(since.minusSeconds(1))) {
            assertThat(b.ended()).as("batch %s ended", b.id()).isTrue();
            try (ResultReader results = new ResultReader(provider.results(b.id()))) {
                while (results.hasNext()) {
                    BatchResult r = results.next();
                    assertThat(seen.add(r.customId())).as("custom_id %s paid twice", r.customId()).isTrue();
                }
            }
        }
    }

    void assertReservationSettled(String runId) {
        RunBudget b = ledger.run(runId).orElseThrow(() -> new AssertionError("no reservation for " + runId));
        assertThat(b.settled()).as("reservation of %s settled: %s", runId, b).isTrue();
    }

    /** How often "Submit batches" or "Check batches" answered "not yet, the provider failed", and the longest run. */
    PutOffs putOffs(String executionArn) {
        int count = 0;
        int longest = 0;
        for (HistoryEvent e : history(executionArn)) {
            // the state's output: $.poll is what "Submit batches" or "Check batches" answered
            if (e.stateExitedEventDetails() == null || e.stateExitedEventDetails().output() == null) continue;
            JsonNode out = Json.tree(e.stateExitedEventDetails().output().getBytes(StandardCharsets.UTF_8));
            int n = out.path("poll").path("throttled").asInt(0);
            if (n > 0) count++;
            longest = Math.max(longest, n);
        }
        return new PutOffs(count, longest);
    }

    List<HistoryEvent> history(String arn) {
        List<HistoryEvent> all = new ArrayList<>();
        sfn.getExecutionHistoryPaginator(b -> b.executionArn(arn).maxResults(1000)).events().forEach(all::add);
        return all;
    }
}
