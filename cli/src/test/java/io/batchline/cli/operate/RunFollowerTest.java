package io.batchline.cli.operate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The lines `local run` prints as states end: counts a person reads, in words that agree with them. */
class RunFollowerTest {
    @Test
    void oneShardOrBatchIsSingularAndMoreArePlural() {
        assertThat(RunFollower.detail("Plan and format", "{\"plan\":{\"attempt\":1,\"items\":1200,\"requests\":1257,"
                + "\"shards\":1,\"invalid\":0,\"canary\":true}}"))
                .isEqualTo("    attempt 1: 1,200 items, 1,257 requests in 1 shard, 0 invalid lines (the canary's, sent"
                        + " first; the rest waits for its verdict)");
        assertThat(RunFollower.detail("Plan and format", "{\"plan\":{\"attempt\":2,\"items\":7,\"requests\":7,"
                + "\"shards\":3,\"invalid\":1}}")).isEqualTo("    attempt 2: 7 items, 7 requests in 3 shards, 1 invalid line");
        assertThat(RunFollower.detail("Submit batches", "{\"poll\":{\"open_batches\":1,\"wait_seconds\":1}}"))
                .isEqualTo("    1 batch in progress; next check in 1 s");
        assertThat(RunFollower.detail("Check batches", "{\"poll\":{\"open_batches\":5,\"wait_seconds\":30}}"))
                .isEqualTo("    5 batches in progress; next check in 30 s");
        assertThat(RunFollower.detail("Check canary", "{\"canary\":{\"passed\":true,\"items\":50,\"pass_rate\":1,"
                + "\"cost_per_item_usd\":0.00002467,\"shards\":1}}"))
                .endsWith("; submitting the other 1 shard");
    }
}
