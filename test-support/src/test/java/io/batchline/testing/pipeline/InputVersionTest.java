package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The bytes a run names are the bytes it reads. A run is named after (bucket, key, ETag); its
 * format opens the input with that ETag, so an overwrite between the S3 event and the read fails the stale run
 * with InputChanged and the new version is formatted only by its own run. On the in-memory ports, whose object store
 * opens a version as S3 does; that S3 and the file store do so is checked by VersionedOpenTest on the offline stack.
 */
class InputVersionTest {
    private static final Path SAMPLE = Path.of("..").toAbsolutePath().normalize().resolve("samples/ticket-triage");

    /** Tickets [from, to) of the sample: two versions of one file with disjoint ids. */
    static byte[] tickets(int from, int to) throws Exception {
        List<String> lines = Files.readAllLines(SAMPLE.resolve("tickets.jsonl")).subList(from, to);
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static Set<String> ids(byte[] jsonl) {
        Set<String> ids = new TreeSet<>();
        JsonLines.forEachLine(new java.io.ByteArrayInputStream(jsonl),
                l -> ids.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)).path("id").asText()));
        return ids;
    }

    private static RunStart named(InMemoryPipeline p, String job, String key) {
        String etag = RunIds.stripQuotes(p.store().head(key).orElseThrow().etag());
        return new RunStart(RunIds.runId(job, InMemoryPipeline.BUCKET, key, etag), InMemoryPipeline.BUCKET, key, etag, job);
    }

    @Test
    void aRunWhoseInputWasOverwrittenFailsInputChangedAndTheNewVersionRunsUnderItsOwnRun() throws Exception {
        {
            InMemoryPipeline p = new InMemoryPipeline();
            String job = "quality-test";
            String key = RunKeys.INBOX + job + "/tickets.jsonl";
            byte[] v1 = tickets(0, 12);
            byte[] v2 = tickets(100, 117);
            p.store().put(RunKeys.jobSpec(job), TicketTriage.job("calibration: {sample: 0}\n")
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");

            // GIVEN a run registered for v1 (its S3 event), then v2 written to the same key before v1's format
            p.store().put(key, v1, "application/x-ndjson");
            RunStart first = named(p, job, key);
            new RegisterStage(p.ctxFor(StageNames.REGISTER)).register(first);
            p.store().put(key, v2, "application/x-ndjson");
            RunStart second = named(p, job, key);
            assertThat(second.runId()).isNotEqualTo(first.runId());

            // WHEN v1's run formats
            // THEN it fails for good with InputChanged, naming both ETags, and nothing of v2 was planned under it
            assertThatThrownBy(() -> new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(first.runId(), InMemoryPipeline.BUCKET, 1, null)))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                        assertThat(e.code()).isEqualTo("InputChanged");
                        assertThat(e.getMessage()).contains(key).contains(first.etag()).contains(second.etag())
                                .contains("overwritten");
                    });
            assertThat(p.runs.shards(first.runId(), 1)).isEmpty();
            assertThat(p.store().list(RunKeys.run(first.runId()) + "requests/")).isEmpty();
            assertThat(p.store().exists(RunKeys.plan(first.runId(), 1))).isFalse();

            // AND v2's own run formats v2 exactly: every planned item is one of v2's lines, each once
            new RegisterStage(p.ctxFor(StageNames.REGISTER)).register(second);
            var formatted = new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(second.runId(), InMemoryPipeline.BUCKET, 1, null));
            assertThat(formatted.items()).isEqualTo(17);
            assertThat(plannedIds(p.store(), second.runId())).containsExactlyInAnyOrderElementsOf(ids(v2));
        }
    }

    @Test
    void aFormatResumedFromItsCheckpointAfterAnOverwriteFailsInsteadOfReadingTheNewVersion() throws Exception {
        {
            InMemoryPipeline p = new InMemoryPipeline();
            String job = "quality-test";
            String key = RunKeys.INBOX + job + "/big.jsonl";
            int lines = io.batchline.plan.FormatCheckpoint.DEFAULT_EVERY + 2_000; // one checkpoint, then more
            p.store().put(RunKeys.jobSpec(job), TicketTriage.job("calibration: {sample: 0}\n")
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");
            p.store().put(key, generated("A", lines), "application/x-ndjson");
            RunStart first = named(p, job, key);
            new RegisterStage(p.ctxFor(StageNames.REGISTER)).register(first);

            // GIVEN v1's format killed after its first checkpoint (its Lambda dies; Step Functions will retry it)
            String checkpoint = RunKeys.formatCheckpoint(first.runId(), 1);
            ObjectStore dying = new DyingStore(p.store(), // at its first write after the checkpoint
                    k -> !k.equals(checkpoint) && p.store().exists(checkpoint));
            var dyingCtx = p.ctxOver(dying);
            assertThatThrownBy(() -> new FormatStage(dyingCtx).format(new FormatRequest(first.runId(), InMemoryPipeline.BUCKET, 1, null)))
                    .hasStackTraceContaining("killed");
            assertThat(p.store().exists(checkpoint)).isTrue();

            // AND the object overwritten with v2 (other ids) before the retry
            p.store().put(key, generated("B", lines), "application/x-ndjson");

            // WHEN the format is retried, THEN it does not resume on v2's bytes: it fails InputChanged
            assertThatThrownBy(() -> new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(first.runId(), InMemoryPipeline.BUCKET, 1, null)))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("InputChanged"));
            assertThat(p.store().exists(RunKeys.plan(first.runId(), 1))).isFalse();
            assertThat(p.runs.shards(first.runId(), 1)).isEmpty();
            assertThat(plannedIds(p.store(), first.runId())).as("only v1's ids were ever planned under v1's run")
                    .isNotEmpty().allMatch(id -> id.startsWith("A-"));
        }
    }

    /** {@code n} tickets with ids {@code <prefix>-00001...}. */
    private static byte[] generated(String prefix, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            sb.append("{\"id\":\"").append(prefix).append(String.format("-%05d", i))
                    .append("\",\"subject\":\"Invoice ").append(i).append("\",\"body\":\"Charged twice.\"}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The item ids in a run's attempt-1 shard indexes (what its batches would carry). */
    static List<String> plannedIds(ObjectStore store, String runId) {
        List<String> ids = new ArrayList<>();
        for (String key : store.list(RunKeys.run(runId) + "requests/a1/")) {
            if (!key.endsWith(".index.jsonl")) continue;
            JsonLines.forEachLine(store.open(key), l -> {
                JsonNode n = Json.tree(l.getBytes(StandardCharsets.UTF_8));
                ids.add(n.path("id").asText());
            });
        }
        return ids;
    }
}
