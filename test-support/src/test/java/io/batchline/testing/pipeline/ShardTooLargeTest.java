package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.provider.MessageBatch;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.PlannedShards;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Submit against a provider that refuses a body over its size limit, on the in-memory ports and a scripted provider: a
 * shard too large is split until its pieces fit, every request sent once; a single request too large stops the run
 * with its custom_id. Each stage call that throws TransientStageException is called again, as the state machine's
 * Retry does. ProviderFaultsStageTest keeps the provider's HTTP faults on the offline stack.
 */
class ShardTooLargeTest {
    private static final String RUN = "job-faults0000001";
    private final InMemoryPipeline p = new InMemoryPipeline();

    private PollState runToEnd(PipelineContext ctx, List<String> transients) {
        PollState s = PlannedShards.retried(() -> new SubmitStage(ctx).submit(
                new SubmitRequest(RUN, InMemoryPipeline.BUCKET, 1)), transients);
        PollStage poll = new PollStage(ctx);
        for (int i = 0; !s.allEnded(); i++) {
            if (i > 300) throw new AssertionError("batches never ended");
            p.clock.advance(Duration.ofSeconds(s.waitSeconds())); // the state machine's wait
            int polls = s.polls();
            s = PlannedShards.retried(() -> poll.poll(new PollRequest(RUN, InMemoryPipeline.BUCKET, 1, polls)), transients);
        }
        return s;
    }

    /** What the provider holds. */
    private static List<MessageBatch> batchesAtProvider(PipelineContext ctx) {
        return ctx.provider().listSince(java.time.Instant.EPOCH);
    }

    @Test
    void aShardTooLargeForTheProviderIsSplitAndEveryRequestIsSentOnce() throws Exception {
        // a 12-request shard of ~1 KB requests against a 4 KB body limit: split twice (12 -> 6+6 -> 3+3+3+3)
        p.provider.maxRequestsBytes(4_000);
        PipelineContext ctx = p.ctx();
        PlannedShards.plannedShard(p.store(), p.runs, RUN, 0, 12, 900);
        PlannedShards.plannedShard(p.store(), p.runs, RUN, 1, 1, 10);
        List<String> transients = new ArrayList<>();

        PollState end = runToEnd(ctx, transients);

        List<ShardRecord> shards = p.runs.shards(RUN, 1);
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
        Set<String> expected = PlannedShards.customIds(0, 12);
        expected.addAll(PlannedShards.customIds(1, 1));
        assertThat(PlannedShards.savedCustomIds(p.store(), p.runs, RUN)).isEqualTo(expected);
        // each piece's index names exactly the requests in its file, so collect can join them
        for (ShardRecord s : sent) {
            Set<String> inFile = new HashSet<>();
            Set<String> inIndex = new HashSet<>();
            JsonLines.forEachLine(p.store().open(s.requestsKey()),
                    l -> inFile.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).path("custom_id").asText()));
            JsonLines.forEachLine(p.store().open(s.indexKey()),
                    l -> inIndex.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).path("custom_id").asText()));
            assertThat(inIndex).isEqualTo(inFile).hasSize((int) s.requests());
        }

        // a repeated submit (a Lambda retry) changes nothing
        new SubmitStage(ctx).submit(new SubmitRequest(RUN, InMemoryPipeline.BUCKET, 1));
        assertThat(batchesAtProvider(ctx)).hasSize(5);
    }

    @Test
    void aSingleRequestTooLargeStopsWithItsCustomId() throws Exception {
        p.provider.maxRequestsBytes(2_000);
        PipelineContext ctx = p.ctx();
        PlannedShards.plannedShard(p.store(), p.runs, RUN, 0, 1, 3_000);

        assertThatThrownBy(() -> new SubmitStage(ctx).submit(new SubmitRequest(RUN, InMemoryPipeline.BUCKET, 1)))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageContaining("a1-l1").hasMessageContaining("too large");
        assertThat(batchesAtProvider(ctx)).isEmpty();
    }
}
