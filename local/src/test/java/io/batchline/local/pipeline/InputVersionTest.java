package io.batchline.local.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.store.ForwardingObjectStore;
import io.batchline.store.ObjectChangedException;
import io.batchline.store.ObjectStore;
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
 * with InputChanged and the new version is formatted only by its own run.
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

    private static RunStart named(StageFixture f, String job, String key) {
        String etag = RunIds.stripQuotes(f.store.head(key).orElseThrow().etag());
        return new RunStart(RunIds.runId(job, StageFixture.BUCKET, key, etag), StageFixture.BUCKET, key, etag, job);
    }

    @Test
    void aRunWhoseInputWasOverwrittenFailsInputChangedAndTheNewVersionRunsUnderItsOwnRun() throws Exception {
        try (StageFixture f = new StageFixture(b -> b.seed(16))) {
            String job = "quality-test";
            String key = RunKeys.INBOX + job + "/tickets.jsonl";
            byte[] v1 = tickets(0, 12);
            byte[] v2 = tickets(100, 117);
            f.store.put(RunKeys.jobSpec(job), TicketTriage.job("calibration: {sample: 0}\n")
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");

            // GIVEN a run registered for v1 (its S3 event), then v2 written to the same key before v1's format
            f.store.put(key, v1, "application/x-ndjson");
            RunStart first = named(f, job, key);
            new RegisterStage(f.ctx).register(first);
            f.store.put(key, v2, "application/x-ndjson");
            RunStart second = named(f, job, key);
            assertThat(second.runId()).isNotEqualTo(first.runId());

            // WHEN v1's run formats
            // THEN it fails for good with InputChanged, naming both ETags, and nothing of v2 was planned under it
            assertThatThrownBy(() -> new FormatStage(f.ctx).format(new FormatRequest(first.runId(), StageFixture.BUCKET, 1, null)))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                        assertThat(e.code()).isEqualTo("InputChanged");
                        assertThat(e.getMessage()).contains(key).contains(first.etag()).contains(second.etag())
                                .contains("overwritten");
                    });
            assertThat(f.runs.shards(first.runId(), 1)).isEmpty();
            assertThat(f.store.list(RunKeys.run(first.runId()) + "requests/")).isEmpty();
            assertThat(f.store.exists(RunKeys.plan(first.runId(), 1))).isFalse();

            // AND v2's own run formats v2 exactly: every planned item is one of v2's lines, each once
            new RegisterStage(f.ctx).register(second);
            var formatted = new FormatStage(f.ctx).format(new FormatRequest(second.runId(), StageFixture.BUCKET, 1, null));
            assertThat(formatted.items()).isEqualTo(17);
            assertThat(plannedIds(f.store, second.runId())).containsExactlyInAnyOrderElementsOf(ids(v2));
        }
    }

    @Test
    void aFormatResumedFromItsCheckpointAfterAnOverwriteFailsInsteadOfReadingTheNewVersion() throws Exception {
        try (StageFixture f = new StageFixture(b -> b)) {
            String job = "quality-test";
            String key = RunKeys.INBOX + job + "/big.jsonl";
            int lines = io.batchline.plan.FormatCheckpoint.DEFAULT_EVERY + 2_000; // one checkpoint, then more
            f.store.put(RunKeys.jobSpec(job), TicketTriage.job("calibration: {sample: 0}\n")
                    .getBytes(StandardCharsets.UTF_8), "application/yaml");
            f.store.put(key, generated("A", lines), "application/x-ndjson");
            RunStart first = named(f, job, key);
            new RegisterStage(f.ctx).register(first);

            // GIVEN v1's format killed after its first checkpoint (its Lambda dies; Step Functions will retry it)
            String checkpoint = RunKeys.formatCheckpoint(first.runId(), 1);
            ObjectStore dying = new KilledAfter(f.store, checkpoint);
            var dyingCtx = new io.batchline.pipeline.PipelineContext(bucket -> dying, f.runs, f.provider,
                    io.batchline.cost.PriceTable.bundled(),
                    new io.batchline.pipeline.PipelineConfig(StageFixture.TABLE, null, 1, 5), java.time.Clock.systemUTC());
            dyingCtx.reportPages(new io.batchline.report.html.HtmlReportPages());
            assertThatThrownBy(() -> new FormatStage(dyingCtx).format(new FormatRequest(first.runId(), StageFixture.BUCKET, 1, null)))
                    .hasStackTraceContaining("killed");
            assertThat(f.store.exists(checkpoint)).isTrue();

            // AND the object overwritten with v2 (other ids) before the retry
            f.store.put(key, generated("B", lines), "application/x-ndjson");

            // WHEN the format is retried, THEN it does not resume on v2's bytes: it fails InputChanged
            assertThatThrownBy(() -> new FormatStage(f.ctx).format(new FormatRequest(first.runId(), StageFixture.BUCKET, 1, null)))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("InputChanged"));
            assertThat(f.store.exists(RunKeys.plan(first.runId(), 1))).isFalse();
            assertThat(f.runs.shards(first.runId(), 1)).isEmpty();
            assertThat(plannedIds(f.store, first.runId())).as("only v1's ids were ever planned under v1's run")
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

    /** A store whose process "dies" at the first write after {@code marker} exists (a format killed mid-way). */
    private static final class KilledAfter extends ForwardingObjectStore {
        private final String marker;

        KilledAfter(ObjectStore store, String marker) {
            super(store);
            this.marker = marker;
        }

        @Override
        public java.io.OutputStream create(String key, String contentType) {
            if (!key.equals(marker) && delegate.exists(marker)) throw new IllegalStateException("killed creating " + key);
            return delegate.create(key, contentType);
        }
    }

    @Test
    void theStoresOpenAVersionOnlyWhileTheKeyHoldsIt() throws Exception {
        try (StageFixture f = new StageFixture(b -> b)) {
            checkContract(f.store, "inbox/x/a.jsonl");
        }
        Path dir = Files.createTempDirectory("inputetag");
        checkContract(new io.batchline.store.FileObjectStore(dir), "inbox/x/a.jsonl");
    }

    /** Both stores: the named version's bytes while the key holds it, ObjectChangedException after an overwrite. */
    private static void checkContract(ObjectStore store, String key) throws Exception {
        store.put(key, "v1\n".getBytes(StandardCharsets.UTF_8), "text/plain");
        String etag1 = store.head(key).orElseThrow().etag();
        try (var in = store.open(key, ObjectStore.Version.ofEtag(etag1))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("v1\n");
        }
        try (var in = store.open(key, ObjectStore.Version.ofEtag(RunIds.stripQuotes(etag1)))) { // quotes optional
            assertThat(in.readAllBytes()).hasSize(3);
        }
        store.put(key, "v2 longer\n".getBytes(StandardCharsets.UTF_8), "text/plain");
        String etag2 = RunIds.stripQuotes(store.head(key).orElseThrow().etag());
        assertThatThrownBy(() -> store.open(key, ObjectStore.Version.ofEtag(etag1)).close())
                .as("%s: an overwritten object is not opened as its old version", store.getClass().getSimpleName())
                .isInstanceOfSatisfying(ObjectChangedException.class, e -> {
                    assertThat(e.expectedEtag()).isEqualTo(RunIds.stripQuotes(etag1));
                    assertThat(e.currentEtag()).isEqualTo(etag2);
                });
        store.delete(key);
        assertThatThrownBy(() -> store.open(key, ObjectStore.Version.ofEtag(etag2)).close())
                .isInstanceOf(io.batchline.store.NoSuchObjectException.class);
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
