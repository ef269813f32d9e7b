package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.run.RunKeys;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chaos suite's other fixed cases, its seeded random ones and the two resumes after a checkpoint, on a stack of
 * their own (see {@link ChaosSuite}).
 */
class ChaosSuiteCheckpointsTest extends ChaosSuite {
    @ParameterizedTest(name = "[{index}] kill at {0}, pass {1}")
    @MethodSource("otherCases")
    void aProcessKilledAnywhereLosesNoItemAndPaysNothingTwice(String point, int after) throws Exception {
        runKilledAt(point, after);
    }

    /**
     * A collect killed mid-shard resumes after its last checkpoint instead of redoing the shard. Shards hold
     * 6 requests (2 for the last): the 5th result a fresh process collects is in a 6-request shard after a
     * checkpoint (at 2 or 4), whichever shard it took first.
     */
    @org.junit.jupiter.api.Test
    void aCollectKilledMidShardResumesAfterItsLastCheckpoint() throws Exception {
        String runId = runKilledAt("collect.line", 5);

        List<String> checkpoints = bucket.list(RunKeys.run(runId) + "checkpoints/");
        List<JsonNode> resumed = new ArrayList<>();
        for (String key : checkpoints) {
            JsonNode n = Json.tree(bucket.read(key));
            if (n.has("resumed_from")) resumed.add(((com.fasterxml.jackson.databind.node.ObjectNode) n).put("key", key));
        }
        assertThat(resumed).as("checkpoints %s", checkpoints).hasSize(1);
        JsonNode cp = resumed.get(0);
        String key = cp.get("key").asText();
        int shard = Integer.parseInt(key.substring(key.lastIndexOf("shard-") + 6, key.length() - ".json".length()));
        int attempt = Integer.parseInt(key.substring(key.indexOf("collect-a") + 9, key.indexOf("-shard-")));
        long requests = bucket.readString(RunKeys.shardIndex(runId, attempt, shard)).lines().count();
        // WHEN restarted it read only the results after the checkpoint (from 0 it would have read all of them)
        assertThat(cp.get("resumed_from").asLong()).isPositive();
        assertThat(cp.get("resumed_from").asLong() % COLLECT_CHECKPOINT_EVERY).isZero();
        assertThat(cp.get("resumed_from").asLong() + cp.get("read_after_resume").asLong()).isEqualTo(requests);
        // AND the shard's lines before the checkpoint are in its segments, written once
        assertThat(bucket.list(RunKeys.shardSegmentsPrefix(runId, attempt, shard))).isNotEmpty();
    }

    /**
     * A format killed part-way through its input resumes at its last checkpoint (a shard's close: shards hold
     * 6 requests) instead of planning from line 1, and the run still ends with one outcome per line.
     */
    @org.junit.jupiter.api.Test
    void aFormatKilledMidInputResumesAfterItsLastCheckpoint() throws Exception {
        String runId = runKilledAt("format.line", 16);

        JsonNode cp = Json.tree(bucket.read(RunKeys.formatCheckpoint(runId, 1)));
        // WHEN restarted it skipped the lines its checkpoint covered: two full shards at least (lines 1-12)
        assertThat(cp.get("resumed_from").asLong()).as("%s", cp).isGreaterThanOrEqualTo(13);
        assertThat(cp.get("shards").size()).isGreaterThanOrEqualTo(2);
    }
}
