package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.offline.sim.WaitDrivenClock;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import io.batchline.aws.s3.S3ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * The execution history limit: 101 shards whose batches each take a simulated 24 h, run by the real ASL and the
 * stage handlers (in this JVM) with AWS's polling schedule (30 s growing to 30 min). Time is compressed, not faked:
 * every Wait state moves the simulator's clock by its full length, so the run makes exactly the polls it would make in AWS, and
 * the execution's history stays far below Step Functions' 25,000-event limit.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
class LongBatchesHistoryTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path SAMPLE = HOME.resolve("samples/ticket-triage");
    private static final int LINES = 202;
    private static final int SHARD_REQUESTS = 2;
    private static final Duration BATCH_TIME = Duration.ofHours(24);
    private static final int HISTORY_LIMIT = 25_000;

    /** Real time from the execution's start to the first (or last) entry of a state. */
    private static Duration sinceStart(List<HistoryEvent> history, String state, boolean last) {
        HistoryEvent found = null;
        for (HistoryEvent e : history) {
            if (e.stateEnteredEventDetails() != null && state.equals(e.stateEnteredEventDetails().name())) {
                found = e;
                if (!last) break;
            }
        }
        return found == null ? Duration.ZERO : Duration.between(history.get(0).timestamp(), found.timestamp());
    }

    @Test
    void a24HourRunOf101ShardsStaysFarBelowTheHistoryLimit() throws Exception {
        // GIVEN 101 shards of 2 tickets, batches that take 24 h, and AWS's default polling bounds
        WaitDrivenClock clock = new WaitDrivenClock();
        // tier 4's create rate: the functions' own clock is not compressed, so tier 1's 50 creates a minute would
        // spread the 101 creates over real minutes, i.e. over many compressed hours of polling
        Map<String, String> awsPolling = Map.of("BATCHLINE_POLL_MIN_SECONDS", "30", "BATCHLINE_POLL_MAX_SECONDS", "1800",
                "BATCHLINE_PROVIDER_BATCH_CREATES_PER_MINUTE", "4000");
        PipelineConfig schedule = PipelineConfig.fromEnv(awsPolling);
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, null))
                .withSimulator(b -> b.processingTime(BATCH_TIME).clock(clock))
                .withFunctionEnv(awsPolling))) {
            AwsClients clients = stack.endpoints().clients();
            ObjectStore bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
            SfnClient sfn = clients.sfn();
            String yaml = """
                    name: long-batches
                    model: claude-haiku-4-5-20251001
                    max_tokens: 300
                    system: Sort the support ticket into a team.
                    user_template: "Subject: {{subject}}\\n\\n{{body}}"
                    output_schema:
                      type: object
                      required: [primary_category, confidence]
                      properties:
                        primary_category: {type: string, enum: [billing, technical, account, feature_request, other]}
                        confidence: {type: number, minimum: 0, maximum: 1}
                    shard:
                      max_requests: %d
                    """.formatted(SHARD_REQUESTS);
            bucket.put(RunKeys.jobSpec("long-batches"), yaml.getBytes(StandardCharsets.UTF_8), "application/yaml");
            byte[] input;
            try (Stream<String> lines = Files.lines(SAMPLE.resolve("tickets.jsonl"))) {
                input = (lines.limit(LINES).collect(Collectors.joining("\n")) + "\n").getBytes(StandardCharsets.UTF_8);
            }

            // WHEN the file is dropped and the run goes to its end
            String runId = InboxRuns.drop(stack, bucket, "inbox/long-batches/tickets.jsonl", input);
            DescribeExecutionResponse end = InboxRuns.awaitEnd(stack, sfn, runId, Duration.ofMinutes(6));

            // THEN it succeeded after a full simulated day, with one outcome per line
            assertThat(end.status()).as("cause: %s", end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
            assertThat(clock.skipped()).as("simulated waiting").isGreaterThanOrEqualTo(BATCH_TIME);
            List<Integer> lines = new ArrayList<>();
            for (OutcomeKind kind : OutcomeKind.values()) {
                JsonLines.forEachLine(bucket.open(RunKeys.outcome(runId, kind)),
                        l -> lines.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).get("line").asInt()));
            }
            assertThat(lines).hasSize(LINES).doesNotHaveDuplicates().allMatch(l -> l >= 1 && l <= LINES);
            int shards = Json.tree(bucket.read(RunKeys.report(runId))).get("batches").size();
            assertThat(shards).as("batches").isGreaterThanOrEqualTo(100);

            // AND its history is a small fraction of the limit
            List<HistoryEvent> history = new ArrayList<>();
            sfn.getExecutionHistoryPaginator(b -> b.executionArn(end.executionArn()).maxResults(1000))
                    .events().forEach(history::add);
            long polls = history.stream().filter(e -> e.stateEnteredEventDetails() != null
                    && "Check batches".equals(e.stateEnteredEventDetails().name())).count();
            int expectedPolls = schedule.pollsWithin(BATCH_TIME.toSeconds());
            System.out.printf("history: %d events for %d batches of %s (%d polls, schedule: %d; waited %s simulated)%n",
                    history.size(), shards, BATCH_TIME, polls, expectedPolls, clock.skipped());
            System.out.printf("phases (real time): submitted after %s, last poll after %s, ended after %s%n",
                    sinceStart(history, "Check batches", false), sinceStart(history, "Check batches", true),
                    Duration.between(history.get(0).timestamp(), history.get(history.size() - 1).timestamp()));
            assertThat(history.size()).isLessThan(HISTORY_LIMIT / 10);
            // the report's counted invocations agree with the execution (a retried task is invoked twice)
            JsonNode byStage = Json.tree(bucket.read(RunKeys.report(runId))).at("/aws_cost/operations/invocations_by_stage");
            assertThat(byStage.path("poll").asLong()).isGreaterThanOrEqualTo(polls);
            long collectIterations = history.stream() // one per group of shards
                    .filter(e -> e.type() == software.amazon.awssdk.services.sfn.model.HistoryEventType.MAP_ITERATION_STARTED)
                    .count();
            assertThat(collectIterations).isPositive();
            assertThat(byStage.path("collect").asLong()).isGreaterThanOrEqualTo(collectIterations);
            // the schedule, not this machine's speed, decides the polls (-1: wall time passes too; +2: a clock step a poll raced past)
            assertThat(polls).isBetween((long) expectedPolls - 1, (long) expectedPolls + 2);
        }
    }
}
