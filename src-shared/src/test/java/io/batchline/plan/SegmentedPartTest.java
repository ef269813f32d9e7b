package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.store.FileObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentedPartTest {
    @TempDir
    Path dir;

    private SegmentedPart part(FileObjectStore store) {
        return new SegmentedPart(store, "parts/failed.jsonl", n -> "segments/failed/" + n + ".jsonl", true, 16);
    }

    private static void line(SegmentedPart part, String text) {
        try {
            part.stream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aResumedPartReadsOnlyTheSegmentsItsCheckpointRecorded() {
        FileObjectStore store = new FileObjectStore(dir);
        // GIVEN a pass that spilled, checkpointed, then spilled more lines before it was killed
        SegmentedPart killed = part(store);
        for (int i = 1; i <= 5; i++) line(killed, "line " + i + " of the first pass");
        List<Integer> recorded = killed.checkpoint();
        for (int i = 6; i <= 9; i++) line(killed, "line " + i + " that a resume writes again");
        assertThat(store.list("segments/").size()).isGreaterThan(recorded.size());

        // WHEN a resumed pass starts from the checkpoint and writes the rest
        SegmentedPart resumed = part(store);
        resumed.restore(recorded);
        for (int i = 6; i <= 9; i++) line(resumed, "line " + i + " that a resume writes again");
        resumed.finish();

        // THEN the part holds every line once, in order
        StringBuilder expected = new StringBuilder();
        for (int i = 1; i <= 5; i++) expected.append("line ").append(i).append(" of the first pass\n");
        for (int i = 6; i <= 9; i++) expected.append("line ").append(i).append(" that a resume writes again\n");
        assertThat(store.readString("parts/failed.jsonl")).isEqualTo(expected.toString());
    }

    @Test
    void withoutLinesThePartIsWrittenEmptyOnlyWhenReadersExpectIt() {
        FileObjectStore store = new FileObjectStore(dir);
        part(store).finish();
        new SegmentedPart(store, "chunks/plan.jsonl", n -> "segments/chunks/" + n, false, 16).finish();

        assertThat(store.readString("parts/failed.jsonl")).isEmpty();
        assertThat(store.exists("chunks/plan.jsonl")).isFalse();
        assertThat(store.list("segments/")).isEmpty();
    }
}
