package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import io.batchline.run.RunKeys;
import io.batchline.store.ForwardingObjectStore;
import io.batchline.store.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A planning pass killed anywhere and run again resumes after its last format checkpoint and leaves exactly
 * what an uninterrupted pass leaves: the same shards, indexes, failed and chunk parts and plan, byte for byte.
 * The input is the sample's 1,200 tickets (strata, 7 long tickets split into chunks, a 50-item canary) with bad
 * lines and duplicate ids mixed in, in shards of 9 requests, so kills land in every kind of place.
 */
class FormatCheckpointTest {
    private static final String RUN = "ticket-triage-0123456789ab";
    private static final int EVERY = 40;

    @TempDir
    Path dir;

    /** Kills at the n-th write to the store: between shards, mid-canary, inside a long item's chunks, at a checkpoint. */
    @ParameterizedTest(name = "killed at write {0}")
    @ValueSource(ints = {2, 9, 24, 57, 131, 200, 263})
    void aPassKilledAnywhereResumesToTheSameOutputsAsAnUninterruptedOne(int write) throws IOException {
        killAndResume(sampleJob(9), write);
    }

    /** The same for a job without strata or long inputs, whose flat lines skip the tree (the fast path). */
    @ParameterizedTest(name = "plain job, killed at write {0}")
    @ValueSource(ints = {9, 57, 200})
    void aPlainJobsPassResumesToo(int write) throws IOException {
        ObjectNode n = Json.MAPPER.valueToTree(sampleJob(9));
        n.putNull("strata");
        n.putNull("long_inputs");
        killAndResume(Json.convert(n, JobSpec.class), write);
    }

    private void killAndResume(JobSpec job, int write) throws IOException {
        byte[] input = input();
        FileObjectStore whole = new FileObjectStore(dir.resolve("whole"));
        FileObjectStore killed = new FileObjectStore(dir.resolve("killed"));
        new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, new ByteArrayInputStream(input), "in.jsonl", whole)
                .withCheckpointEvery(EVERY));

        // GIVEN a pass that dies at one of its writes (a Lambda killed there leaves the same objects behind)
        assertThatThrownBy(() -> new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, new ByteArrayInputStream(input),
                "in.jsonl", new DiesAtWrite(killed, write)).withCheckpointEvery(EVERY))).hasMessageContaining("the test's kill");
        JsonNode before = killed.exists(RunKeys.formatCheckpoint(RUN, 1))
                ? Json.tree(killed.read(RunKeys.formatCheckpoint(RUN, 1))) : null;

        // WHEN the stage runs again
        new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, new ByteArrayInputStream(input), "in.jsonl", killed)
                .withCheckpointEvery(EVERY));

        // THEN past the first shards it resumed at its last checkpoint
        if (write > 20) assertThat(before).as("a checkpoint before write %d", write).isNotNull();
        if (before != null) {
            JsonNode after = Json.tree(killed.read(RunKeys.formatCheckpoint(RUN, 1)));
            assertThat(after.get("resumed_from").asLong()).isEqualTo(before.get("line").asLong()).isGreaterThan(1);
        }
        // AND everything it published is byte-identical to the uninterrupted pass's
        assertThat(published(killed)).isEqualTo(published(whole));
    }

    /**
     * A gzip input cannot seek: the resumed pass reads it from the start and still skips the work done. The input
     * breaks off (the reader runs ahead of the writer, so where planning stood is not known: only the outcome is).
     */
    @ParameterizedTest(name = "gzip, killed after {0}% of the compressed input")
    @ValueSource(ints = {40, 85})
    void aGzipInputResumesToo(int percent) throws IOException {
        JobSpec job = sampleJob(9);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(input());
        }
        byte[] input = gz.toByteArray();
        FileObjectStore whole = new FileObjectStore(dir.resolve("whole"));
        FileObjectStore killed = new FileObjectStore(dir.resolve("killed"));
        new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, new ByteArrayInputStream(input), "in.jsonl.gz", whole)
                .withCheckpointEvery(EVERY));

        long cut = input.length * (long) percent / 100;
        assertThatThrownBy(() -> new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, new BreaksAfter(input, cut),
                "in.jsonl.gz", killed).withCheckpointEvery(EVERY))).isInstanceOf(UncheckedIOException.class);
        new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, new ByteArrayInputStream(input), "in.jsonl.gz", killed)
                .withCheckpointEvery(EVERY));

        assertThat(published(killed)).isEqualTo(published(whole));
    }

    /** Every object a consumer reads (shards, indexes, outcome and chunk parts, the plan), by key, as text. */
    private static Map<String, String> published(FileObjectStore store) {
        Map<String, String> objects = new TreeMap<>();
        for (String key : store.list(RunKeys.run(RUN))) {
            if (key.contains("/checkpoints/") || key.contains("/plan-segments/")) continue;
            objects.put(key, store.readString(key));
        }
        assertThat(objects).containsKey(RunKeys.planPart(RUN, 1, io.batchline.outcome.OutcomeKind.FAILED));
        return objects;
    }

    static JobSpec sampleJob(int maxRequests) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("../samples/ticket-triage/job.yaml"))) {
            ObjectNode n = Json.MAPPER.valueToTree(JobSpecLoader.load(in,
                    ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023));
            n.set("shard", Json.MAPPER.valueToTree(new JobSpec.Shard(maxRequests, 256L << 20)));
            n.putNull("golden");
            return Json.convert(n, JobSpec.class);
        }
    }

    /** The sample's tickets with a bad line, a duplicate id and a non-object line every 97 lines. */
    static byte[] input() throws IOException {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (String line : Files.readAllLines(Path.of("../samples/ticket-triage/tickets.jsonl"))) {
            sb.append(line).append('\n');
            if (++n % 97 == 0) sb.append("{\"id\": \"broken").append(n).append('\n');
            if (n % 97 == 13) sb.append(line).append('\n'); // the same id again
            if (n % 97 == 50) sb.append("[1, 2]\n\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A store whose n-th create or put fails, as a process killed in that write would. */
    private static final class DiesAtWrite extends ForwardingObjectStore {
        private int left;

        DiesAtWrite(FileObjectStore store, int n) {
            super(store);
            this.left = n;
        }

        private void write(String key) {
            if (--left == 0) throw new UncheckedIOException(new IOException("the test's kill, writing " + key));
        }

        @Override
        public java.io.OutputStream create(String key, String contentType) {
            write(key);
            return delegate.create(key, contentType);
        }

        @Override
        public void put(String key, byte[] bytes, String contentType) {
            write(key);
            delegate.put(key, bytes, contentType);
        }
    }

    /** An input that fails with an IOException after {@code limit} bytes. */
    private static final class BreaksAfter extends FilterInputStream {
        private long left;

        BreaksAfter(byte[] bytes, long limit) {
            super(new ByteArrayInputStream(bytes));
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left-- <= 0) throw new IOException("connection reset (the test's kill)");
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) throw new IOException("connection reset (the test's kill)");
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }
}
