package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import io.batchline.testing.TicketTriage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Cancel end to end: `./batchline local cancel RUN_ID` against a stack with a run in flight invokes the
 * cancel function; the real state machine carries the run to its end ("Run canceled"), every input line ends in
 * exactly one outcome, what the provider had not finished fails with reason canceled, and no batch is created
 * after the cancel.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
class CancelEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    private record Cli(int code, String out, String err) {}

    private static Cli cli(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = io.batchline.offline.Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void localCancelStopsARunInFlightAndTheRunEndsCanceled(@TempDir Path state) throws Exception {
        // the command line's argument errors need no stack
        assertThatThrownBy(() -> cli("local", "cancel")).hasMessageContaining("local cancel takes one RUN_ID");
        assertThatThrownBy(() -> cli("local", "cancel", "a", "b")).hasMessageContaining("local cancel takes one RUN_ID");

        // GIVEN a stack whose simulated batches take 40 s, attached to through --state as `local up`'s is
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, state))
                .withSimulator(b -> b.processingTime(Duration.ofSeconds(40)).seed(12)))) {
            StackHandle.StackFile.write(state, stack.endpoints());
            AwsClients clients = stack.endpoints().clients();
            ObjectStore bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
            SfnClient sfn = clients.sfn();
            DynamoRunStore runs = new DynamoRunStore(clients.dynamoDb(), stack.endpoints().table());
            bucket.put(RunKeys.jobSpec("quality-test"), TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                    "application/yaml");
            String runId = InboxRuns.drop(stack, bucket, "inbox/quality-test/cancel-me.jsonl",
                    TicketTriage.tickets(300));

            // WHEN its batches are in progress at the provider
            List<ShardRecord> shards = InboxRuns.awaitBatchesInFlight(stack, sfn, runs, runId, Duration.ofMinutes(3));
            Cli first = cli("local", "cancel", runId, "--state", state.toString());
            Cli second = cli("local", "cancel", runId, "--state", state.toString());

            // THEN the cancel is recorded once, idempotently, and the batches are canceled at the provider
            assertThat(first.code()).as(first.err()).isZero();
            assertThat(first.out()).contains("cancel requested").contains(shards.size() + " batch(es) in flight");
            assertThat(second.code()).as(second.err()).isZero();
            assertThat(second.out()).contains("cancel was already requested");
            Instant canceledAt = runs.run(runId).orElseThrow().cancelRequestedAt();

            DescribeExecutionResponse end = InboxRuns.awaitEnd(stack, sfn, runId, Duration.ofMinutes(4));
            assertThat(end.status()).as("cause: %s", end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
            List<String> entered = new ArrayList<>();
            for (HistoryEvent e : sfn.getExecutionHistoryPaginator(b -> b.executionArn(end.executionArn())).events()) {
                if (e.stateEnteredEventDetails() != null) entered.add(e.stateEnteredEventDetails().name());
            }
            assertThat(entered).contains("Run canceled").doesNotContain("Run succeeded", "Mark run failed");
            assertThat(entered.stream().filter("Submit batches"::equals).count()).as("no second round").isEqualTo(1);

            Map<Long, String> outcomeByLine = new HashMap<>();
            List<JsonNode> failed = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) {
                JsonLines.forEachLine(bucket.open(RunKeys.outcome(runId, kind)), l -> {
                    JsonNode n = Json.tree(l.getBytes(StandardCharsets.UTF_8));
                    assertThat(outcomeByLine.put(n.get("line").asLong(), kind.label())).as("line %s twice", n.get("line"))
                            .isNull();
                    if (kind == OutcomeKind.FAILED) failed.add(n);
                });
            }
            assertThat(outcomeByLine).hasSize(300);
            assertThat(failed).hasSizeGreaterThan(100)
                    .allSatisfy(n -> assertThat(n.get("reason").asText()).startsWith("canceled: "));
            assertThat(outcomeByLine.values()).as("answers finished before the cancel are kept")
                    .containsAnyOf("accepted", "review", "rejected");

            JsonNode report = Json.tree(bucket.read(RunKeys.report(runId)));
            System.out.printf("cancel end to end: %d of 300 items finished before the cancel, %d failed canceled;"
                            + " the execution ended %.1f s after the cancel%n", 300 - failed.size(), failed.size(),
                    Duration.between(canceledAt, end.stopDate()).toMillis() / 1000.0);
            assertThat(report.get("status").asText()).isEqualTo("canceled");
            assertThat(report.at("/error_classes/canceled/count").asLong()).isEqualTo(failed.size());
            AnthropicBatchesClient provider = new AnthropicBatchesClient(ProviderConfig.of(stack.endpoints().anthropic(),
                    () -> "sk-test"));
            List<MessageBatch> batches = new ArrayList<>();
            provider.listAll(100).forEachRemaining(batches::add);
            assertThat(batches).hasSize(shards.size())
                    .allSatisfy(b -> assertThat(b.createdInstant()).isBefore(canceledAt));

            // AND the command line shows it, and refuses to cancel it again
            Cli status = cli("local", "status", runId, "--state", state.toString());
            assertThat(status.out()).contains("CANCELED").contains("requested at " + canceledAt);
            Cli ended = cli("local", "cancel", runId, "--state", state.toString());
            assertThat(ended.code()).isEqualTo(1);
            assertThat(ended.err()).contains("already ended as CANCELED");
            Cli unknown = cli("local", "cancel", "no-such-run-000", "--state", state.toString());
            assertThat(unknown.code()).isEqualTo(1);
            assertThat(unknown.err()).contains("RunMissing: no run no-such-run-000");
        }
    }
}
