package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.job.JobSpec;
import io.batchline.store.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanRequestTest {
    @TempDir
    Path dir;

    private PlanRequest request(JobSpec job, int attempt) {
        return PlanRequest.of(job, PlannerTest.RUN, attempt, new ByteArrayInputStream(new byte[0]), "in.jsonl",
                new FileObjectStore(dir));
    }

    @Test
    void theOptionalPartsAreOffUntilAdded() throws IOException {
        PlanRequest plain = request(PlannerTest.sampleJob(), 1);
        assertThat(plain.golden()).isNull();
        assertThat(plain.cache()).isNull();
        assertThat(plain.checkpointEvery()).isZero();

        PlanRequest every = plain.withCheckpointEvery(50);
        assertThat(every.checkpointEvery()).isEqualTo(50);
        assertThat(plain.checkpointEvery()).as("the withers leave the request they start from").isZero();
        assertThat(every.runId()).isEqualTo(plain.runId());
        assertThat(every.input()).isSameAs(plain.input());
    }

    @Test
    void aRequestThatCannotBePlannedIsRefusedWhenMade() throws IOException {
        JobSpec job = PlannerTest.sampleJob();
        assertThatThrownBy(() -> request(job, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempt starts at 1, got 0");
        assertThatThrownBy(() -> request(job, 1).withCheckpointEvery(-1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PlanRequest.of(job, PlannerTest.RUN, 1, null, "in.jsonl", new FileObjectStore(dir)))
                .isInstanceOf(NullPointerException.class).hasMessage("input");
    }
}
