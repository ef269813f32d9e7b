package io.batchline.local.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.cost.PriceTable;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.pipeline.TransientStageException;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.report.html.HtmlReportPages;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.run.ShardRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Submit and poll against a misbehaving provider: HTTP faults on every call (including a 500 that arrives after
 * the batch was created), and a shard the provider rejects as too large. Each stage call that throws
 * TransientStageException is called again, as the state machine's Retry does.
 */
class ProviderFaultsStageTest {
    private static final String RUN = "job-faults0000001";
    private StageFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) f.close();
    }

    private PipelineContext ctx(int clientRetries) {
        // retry-after is honoured but capped, so the test does not sit out every simulated 429 in full
        AnthropicBatchesClient client = new AnthropicBatchesClient(ProviderConfig.of(f.sim.baseUrl(), () -> "sk-test")
                .withRetries(clientRetries, Duration.ofMillis(5), Duration.ofMillis(20)),
                d -> Thread.sleep(Math.min(d.toMillis(), 20)), () -> 0.5);
        return new PipelineContext(bucket -> f.store, f.runs, client, PriceTable.bundled(),
                new PipelineConfig(StageFixture.TABLE, null, 1, 5), Clock.systemUTC())
                .reportPages(new HtmlReportPages());
    }

    private void start(UnaryOperator<io.batchline.local.sim.SimulatorConfig.Builder> sim) throws Exception {
        f = new StageFixture(sim);
    }

    /** Shard {@code shard} with {@code requests} requests of about {@code pad} bytes each, and its index. */
    private void plannedShard(int shard, int requests, int pad) {
        f.formattedRun(RUN);
        StringBuilder jsonl = new StringBuilder();
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < requests; i++) {
            long line = shard * 1000L + i + 1;
            String cid = "a1-l" + line;
            jsonl.append("{\"custom_id\":\"").append(cid).append("\",\"params\":{\"model\":")
                    .append("\"claude-haiku-4-5-20251001\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",")
                    .append("\"content\":\"hello ").append(i).append(" ").append("x".repeat(pad)).append("\"}]}}\n");
            index.append("{\"custom_id\":\"").append(cid).append("\",\"id\":\"item-").append(line)
                    .append("\",\"line\":").append(line).append(",\"attempts\":1}\n");
        }
        byte[] bytes = jsonl.toString().getBytes(StandardCharsets.UTF_8);
        f.store.put(RunKeys.shard(RUN, 1, shard), bytes, "application/x-ndjson");
        f.store.put(RunKeys.shardIndex(RUN, 1, shard), index.toString().getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
        f.runs.planShard(new ShardRecord(RUN, 1, shard, RunKeys.shard(RUN, 1, shard), RunKeys.shardIndex(RUN, 1, shard),
                requests, bytes.length, ShardStatus.PLANNED, null, null, null, null, null));
    }

    /** Calls a stage until it stops throwing TransientStageException (the ASL retries it the same way). */
    private static <T> T retried(Supplier<T> stage, List<String> transients) {
        for (int i = 0; ; i++) {
            try {
                T result = stage.get();
                // a passing provider failure the stage answered with a wait instead of an error
                if (result instanceof PollState p && p.throttledCause() != null) transients.add(p.throttledCause());
                return result;
            } catch (TransientStageException e) {
                transients.add(e.getMessage());
                if (i >= 40) throw e;
            }
        }
    }

    private PollState runToEnd(PipelineContext ctx, List<String> transients) throws InterruptedException {
        PollState s = retried(() -> new SubmitStage(ctx).submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1)), transients);
        PollStage poll = new PollStage(ctx);
        for (int i = 0; !s.allEnded(); i++) {
            if (i > 300) throw new AssertionError("batches never ended");
            Thread.sleep(100);
            int polls = s.polls();
            s = retried(() -> poll.poll(new PollRequest(RUN, StageFixture.BUCKET, 1, polls)), transients);
        }
        return s;
    }

    /** What the provider holds; the test's own look rides out the simulator's HTTP faults like the stages do. */
    private List<MessageBatch> batchesAtProvider(PipelineContext ctx) {
        for (int tries = 1; ; tries++) {
            try {
                return ctx.provider().listSince(java.time.Instant.EPOCH);
            } catch (io.batchline.provider.ProviderException e) {
                if (!e.retryable() || tries >= 20) throw e;
            }
        }
    }

    /** custom_ids in the raw results the poll stage saved, each seen once. */
    private Set<String> savedCustomIds() {
        Set<String> ids = new HashSet<>();
        for (ShardRecord s : f.runs.shards(RUN, 1)) {
            if (s.rawKey() == null) continue;
            JsonLines.forEachLine(f.store.open(s.rawKey()), line -> assertThat(ids.add(
                    Json.tree(line.getBytes(StandardCharsets.UTF_8)).path("custom_id").asText())).isTrue());
        }
        return ids;
    }

    private static Set<String> customIds(int shard, int requests) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < requests; i++) ids.add("a1-l" + (shard * 1000L + i + 1));
        return ids;
    }

    @Test
    void submitAndPollRideOutHttpFaultsAndA500AfterCreateIsReconciledNotPaidTwice() throws Exception {
        start(b -> b.seed(17).http429Rate(0.2).http529Rate(0.1).http500Rate(0.4));
        PipelineContext ctx = ctx(2);
        int[] sizes = {3, 4, 5, 6, 7, 8, 9, 10};
        for (int i = 0; i < sizes.length; i++) plannedShard(i, sizes[i], 10);
        List<String> transients = new ArrayList<>();

        PollState end = runToEnd(ctx, transients);

        assertThat(end.endedShards()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(transients).anyMatch(m -> m.contains("will reconcile")); // ambiguous creates happened
        assertThat(f.sim.createdThen500()).as("creates answered 500 after the batch existed").isPositive();
        List<MessageBatch> atProvider = batchesAtProvider(ctx);
        assertThat(atProvider).as("exactly one batch per shard, however many creates failed").hasSize(8);
        Set<String> recorded = new HashSet<>();
        for (ShardRecord s : f.runs.shards(RUN, 1)) {
            assertThat(s.status()).isEqualTo(ShardStatus.ENDED);
            recorded.add(s.batchId());
        }
        assertThat(atProvider).extracting(MessageBatch::id).containsExactlyInAnyOrderElementsOf(recorded);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < sizes.length; i++) expected.addAll(customIds(i, sizes[i]));
        assertThat(savedCustomIds()).isEqualTo(expected);
    }

    @Test
    void aShardTooLargeForTheProviderIsSplitAndEveryRequestIsSentOnce() throws Exception {
        // a 12-request shard of ~1 KB requests against a 4 KB body limit: split twice (12 -> 6+6 -> 3+3+3+3)
        start(b -> b.maxBodyBytes(4_000));
        PipelineContext ctx = ctx(1);
        plannedShard(0, 12, 900);
        plannedShard(1, 1, 10);
        List<String> transients = new ArrayList<>();

        PollState end = runToEnd(ctx, transients);

        List<ShardRecord> shards = f.runs.shards(RUN, 1);
        ShardRecord original = shards.stream().filter(s -> s.shard() == 0).findFirst().orElseThrow();
        assertThat(original.status()).isEqualTo(ShardStatus.REPLACED);
        assertThat(original.batchId()).isNull();
        List<ShardRecord> sent = shards.stream().filter(s -> s.batchId() != null).toList();
        assertThat(sent).allMatch(s -> s.status() == ShardStatus.ENDED);
        assertThat(sent).allMatch(s -> s.bytes() < 4_000);
        assertThat(sent.stream().mapToLong(ShardRecord::requests).sum()).isEqualTo(13);
        assertThat(sent).hasSize(5); // shard 1, and four quarters of shard 0
        assertThat(end.endedShards()).containsExactlyInAnyOrderElementsOf(sent.stream().map(ShardRecord::shard).toList());
        assertThat(batchesAtProvider(ctx)).hasSize(5);
        Set<String> expected = customIds(0, 12);
        expected.addAll(customIds(1, 1));
        assertThat(savedCustomIds()).isEqualTo(expected);
        // each piece's index names exactly the requests in its file, so collect can join them
        for (ShardRecord s : sent) {
            Set<String> inFile = new HashSet<>();
            Set<String> inIndex = new HashSet<>();
            JsonLines.forEachLine(f.store.open(s.requestsKey()),
                    l -> inFile.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).path("custom_id").asText()));
            JsonLines.forEachLine(f.store.open(s.indexKey()),
                    l -> inIndex.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).path("custom_id").asText()));
            assertThat(inIndex).isEqualTo(inFile).hasSize((int) s.requests());
        }

        // a repeated submit (a Lambda retry) changes nothing
        new SubmitStage(ctx).submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1));
        assertThat(batchesAtProvider(ctx)).hasSize(5);
    }

    @Test
    void aSingleRequestTooLargeStopsWithItsCustomId() throws Exception {
        start(b -> b.maxBodyBytes(2_000));
        PipelineContext ctx = ctx(1);
        plannedShard(0, 1, 3_000);

        assertThatThrownBy(() -> new SubmitStage(ctx).submit(new SubmitRequest(RUN, StageFixture.BUCKET, 1)))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("a1-l1").hasMessageContaining("too large");
        assertThat(batchesAtProvider(ctx)).isEmpty();
    }
}
