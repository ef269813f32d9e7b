package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.run.ShardRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CollectGroupsTest {

    private static List<ShardRecord> shards(long... requests) {
        List<ShardRecord> out = new ArrayList<>();
        for (int i = 0; i < requests.length; i++) {
            out.add(new ShardRecord("r", 1, i, "req-" + i, "idx-" + i, requests[i], requests[i] * 2_000,
                    ShardRecord.ShardStatus.ENDED, "b" + i, null, null, null, "raw-" + i));
        }
        return out;
    }

    private static List<List<Integer>> groups(List<ShardRecord> shards, List<Integer> ended, int max) {
        return PollStage.groups(shards, ended, max).stream().map(StagePayloads.CollectGroup::shards).toList();
    }

    @Test
    void endedShardsAreGroupedInOrderUpToTheRequestLimitAndALargeShardGoesAlone() {
        // GIVEN a canary shard of 50, four of 250 around one of 12,000
        List<ShardRecord> shards = shards(50, 250, 250, 250, 12_000, 250);
        // WHEN all have ended and groups hold up to 2,000 requests
        List<StagePayloads.CollectGroup> groups = PollStage.groups(shards, List.of(0, 1, 2, 3, 4, 5), 2_000);
        // THEN the small ones share an iteration, the large one has its own, and each group is named by its first
        assertThat(groups).extracting(StagePayloads.CollectGroup::shards)
                .containsExactly(List.of(0, 1, 2, 3), List.of(4), List.of(5));
        assertThat(groups).extracting(StagePayloads.CollectGroup::shard).containsExactly(0, 4, 5);
    }

    @Test
    void onlyTheEndedShardsAreGroupedAndALimitOfOneCollectsEachAlone() {
        List<ShardRecord> shards = shards(250, 250, 250, 250);
        assertThat(groups(shards, List.of(1, 3), 2_000)).containsExactly(List.of(1, 3));
        assertThat(groups(shards, List.of(0, 1, 2), 1)).containsExactly(List.of(0), List.of(1), List.of(2));
        assertThat(groups(shards, List.of(), 2_000)).isEmpty();
    }

    @Test
    void aPollStateWithoutGroupsCollectsEachEndedShardAlone() {
        var state = new StagePayloads.PollState(true, 1, 1, 0, List.of(2, 5));
        assertThat(state.collectGroups()).extracting(StagePayloads.CollectGroup::shards)
                .containsExactly(List.of(2), List.of(5));
    }
}
