package io.batchline.cli.operate;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.run.RunStore;
import io.batchline.store.FileObjectStore;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunProgressTest {
    /** A run with no shard records: the snapshot's item count comes from the outcome parts alone. */
    private static final RunStore NO_SHARDS = (RunStore) Proxy.newProxyInstance(RunStore.class.getClassLoader(),
            new Class<?>[] {RunStore.class}, (proxy, method, args) -> {
                if (method.getName().equals("shards")) return List.of();
                throw new UnsupportedOperationException(method.getName());
            });

    @Test
    void countsFinishedPartsAndSkipsUploadsInFlightAndHalfWrittenOnes(@TempDir Path root) {
        // GIVEN one finished part, an upload in flight under the local S3's temporary name, and a half-written part
        FileObjectStore store = new FileObjectStore(root);
        String accepted = RunKeys.shardPart("r1", 1, 0, OutcomeKind.ACCEPTED);
        store.put(accepted, lines("{\"line\":1,\"cost_usd\":0.25}", "{\"line\":2,\"cost_usd\":0.5}"), "application/x-ndjson");
        store.put(accepted.replace("accepted.jsonl", "review.jsonl-5f0c2a"), lines("{\"line\":3}"), "application/octet-stream");
        String review = RunKeys.shardPart("r1", 1, 1, OutcomeKind.REVIEW);
        store.put(review, "{\"line\":4,\"cost".getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        RunProgress progress = new RunProgress(NO_SHARDS, store, "r1");

        // WHEN the progress is read
        RunProgress.Snapshot first = progress.snapshot();

        // THEN only the finished part counts, and the half-written one is counted once it is whole
        assertThat(first.itemsDone()).isEqualTo(2);
        assertThat(first.costUsd()).isEqualByComparingTo(new BigDecimal("0.75"));
        store.put(review, lines("{\"line\":4,\"cost_usd\":0.125}"), "application/x-ndjson");
        RunProgress.Snapshot later = progress.snapshot();
        assertThat(later.itemsDone()).isEqualTo(3);
        assertThat(later.costUsd()).isEqualByComparingTo(new BigDecimal("0.875"));
    }

    private static byte[] lines(String... lines) {
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
