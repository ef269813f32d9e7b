package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.pipeline.StageNames;
import io.batchline.run.ShardRecord;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What poll and collect learn mid-invocation reaches the invocation's later log lines through the context's log
 * fields (the functions wire their logging MDC there): the batch a shard was sent as, and the shard collected.
 */
class StageLogFieldsTest {
    @Test
    void pollAndCollectTellTheLogsTheBatchAndTheShardTheyWorkOn() throws Exception {
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.answers((cid, params) -> TicketTriage.answer(TicketTriage.categoryOf(params), 0.95));
        Map<String, Set<String>> fields = new ConcurrentHashMap<>();
        for (String stage : List.of(StageNames.POLL, StageNames.COLLECT)) {
            p.ctxFor(stage).logFields((key, value) ->
                    fields.computeIfAbsent(stage + " " + key, k -> ConcurrentHashMap.newKeySet()).add(value));
        }

        String runId = new InMemoryRunDriver(p).run("logfields-000001",
                TicketTriage.job("").getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(150));

        List<ShardRecord> shards = p.runs.shards(runId, 1);
        Set<String> batches = shards.stream().map(ShardRecord::batchId).collect(Collectors.toCollection(TreeSet::new));
        Set<String> shardNumbers = shards.stream().map(s -> Integer.toString(s.shard()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(batches).isNotEmpty().doesNotContainNull();
        assertThat(new TreeSet<>(fields.get("poll batch_id"))).isEqualTo(batches);
        assertThat(new TreeSet<>(fields.get("collect batch_id"))).isEqualTo(batches);
        assertThat(new TreeSet<>(fields.get("collect shard"))).isEqualTo(shardNumbers);
    }
}
