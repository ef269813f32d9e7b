package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import org.junit.jupiter.api.Test;

class StageBucketAccessTest {
    @Test
    void patternsMatchAsIamMatchesKeysStarsCrossingSlashes() {
        StageBucketAccess collect = StageBucketAccess.of(StageNames.COLLECT);
        assertThat(collect.mayWrite(RunKeys.shardSegmentPart("r-1", 2, 3, 4, OutcomeKind.REVIEW))).isTrue();
        assertThat(collect.mayWrite(RunKeys.report("r-1"))).isFalse();
        assertThat(collect.mayRead(RunKeys.report("r-1"))).isTrue();
        assertThat(collect.mayRead(RunKeys.INBOX + "job/in.jsonl")).isFalse();
        assertThat(collect.mayDelete(RunKeys.chunkPart("r-1", 1, 0))).isTrue();

        StageBucketAccess register = StageBucketAccess.of(StageNames.REGISTER);
        assertThat(register.mayRead(RunKeys.jobSnapshot("r-1"))).isTrue(); // a HEAD of its own earlier write
        assertThat(register.mayRead(RunKeys.rerunRequest(RunKeys.INBOX + "job/in.jsonl"))).isTrue();
        assertThat(register.mayWrite(RunKeys.plan("r-1", 1))).isFalse();
        assertThat(register.mayDelete(RunKeys.jobSnapshot("r-1"))).isFalse();

        StageBucketAccess submit = StageBucketAccess.of(StageNames.SUBMIT);
        assertThat(submit.mayWrite(RunKeys.plan("r-1", 1))).isTrue(); // the calibration block
        assertThat(submit.mayWrite("runs/r-1/plan-b1.json")).isFalse();
        assertThat(StageBucketAccess.of(StageNames.INTAKE).mayRead(RunKeys.INBOX + "job/in.jsonl")).isFalse();
    }

    @Test
    void everyStageHasOneAndAnUnknownNameIsRefused() {
        for (String stage : StageNames.ALL) assertThat(StageBucketAccess.of(stage)).isNotNull();
        assertThatThrownBy(() -> StageBucketAccess.of("colect")).hasMessageContaining("no stage named colect");
    }
}
