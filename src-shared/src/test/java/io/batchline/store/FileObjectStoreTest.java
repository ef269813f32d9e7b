package io.batchline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileObjectStoreTest {

    @TempDir
    Path dir;

    @Test
    void writesReadsAndReportsSizeAndMd5Etag() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        byte[] content = "hello, world\n".getBytes(StandardCharsets.UTF_8);
        store.put("runs/r1/plan-a1.json", content, "application/json");

        assertThat(store.read("runs/r1/plan-a1.json")).isEqualTo(content);
        ObjectStore.ObjectInfo info = store.head("runs/r1/plan-a1.json").orElseThrow();
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(content));
        assertThat(info.size()).isEqualTo(content.length);
        assertThat(info.etag()).isEqualTo(md5);
        // a fresh store over the same folder computes the same ETag lazily
        assertThat(new FileObjectStore(dir).head("runs/r1/plan-a1.json").orElseThrow().etag()).isEqualTo(md5);
    }

    @Test
    void objectAppearsOnlyWhenTheStreamIsClosed() throws IOException {
        FileObjectStore store = new FileObjectStore(dir);
        OutputStream out = store.create("a/b.jsonl", "application/x-ndjson");
        out.write("partial".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertThat(store.exists("a/b.jsonl")).isFalse();
        assertThat(store.list("")).isEmpty();
        out.close();
        assertThat(store.readString("a/b.jsonl")).isEqualTo("partial");
    }

    @Test
    void anAbandonedStreamLeavesNoObject() throws IOException {
        FileObjectStore store = new FileObjectStore(dir);
        OutputStream out = store.create("x/abandoned.jsonl", "application/x-ndjson");
        out.write(new byte[100]);
        // never closed: the writer failed elsewhere
        assertThat(store.exists("x/abandoned.jsonl")).isFalse();
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void overwriteReplacesContentAndEtag() {
        FileObjectStore store = new FileObjectStore(dir);
        store.put("k.txt", "one".getBytes(StandardCharsets.UTF_8), "text/plain");
        String first = store.head("k.txt").orElseThrow().etag();
        store.put("k.txt", "two".getBytes(StandardCharsets.UTF_8), "text/plain");
        assertThat(store.readString("k.txt")).isEqualTo("two");
        assertThat(store.head("k.txt").orElseThrow().etag()).isNotEqualTo(first);
    }

    @Test
    void listIsSortedAndFilteredByPrefix() {
        FileObjectStore store = new FileObjectStore(dir);
        for (String key : new String[] {"runs/r1/requests/a1/shard-0001.jsonl", "runs/r1/requests/a1/shard-0000.jsonl",
                "runs/r1/plan-a1.json", "runs/r10/plan-a1.json", "inbox/job/x.jsonl"}) {
            store.put(key, new byte[] {1}, "application/octet-stream");
        }
        assertThat(store.list("runs/r1/")).containsExactly("runs/r1/plan-a1.json",
                "runs/r1/requests/a1/shard-0000.jsonl", "runs/r1/requests/a1/shard-0001.jsonl");
        assertThat(store.list("runs/r1")).containsExactly("runs/r1/plan-a1.json",
                "runs/r1/requests/a1/shard-0000.jsonl", "runs/r1/requests/a1/shard-0001.jsonl", "runs/r10/plan-a1.json");
        assertThat(store.list("runs/r1/requests/a1/shard-0001")).containsExactly("runs/r1/requests/a1/shard-0001.jsonl");
        assertThat(store.list("nothing/")).isEmpty();
        assertThat(store.list("")).hasSize(5);
    }

    @Test
    void missingObjects() {
        FileObjectStore store = new FileObjectStore(dir);
        assertThat(store.head("nope")).isEmpty();
        assertThatThrownBy(() -> store.open("nope")).isInstanceOf(NoSuchObjectException.class).hasMessageContaining("nope");
        store.put("dir/file", new byte[0], "text/plain");
        assertThatThrownBy(() -> store.open("dir")).isInstanceOf(NoSuchObjectException.class);
        assertThat(store.head("dir")).isEmpty();
    }

    @Test
    void deleteRemovesObjectAndEmptyFolders() {
        FileObjectStore store = new FileObjectStore(dir);
        store.put("a/b/c.txt", new byte[] {1}, "text/plain");
        store.delete("a/b/c.txt");
        store.delete("a/b/c.txt"); // deleting what is gone is fine, as in S3
        assertThat(store.exists("a/b/c.txt")).isFalse();
        assertThat(Files.exists(dir.resolve("a"))).isFalse();
    }

    @Test
    void keysCannotEscapeTheFolder() {
        FileObjectStore store = new FileObjectStore(dir);
        for (String bad : new String[] {"../x", "a/../../x", "/etc/passwd", "a//b", "a\\b", "", ".tmp/x"}) {
            assertThatThrownBy(() -> store.put(bad, new byte[0], "text/plain"))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theBulkStoreCreatesFilesOnItsHelperThreadAndPublishesThemOnClose() throws IOException {
        FileObjectStore store = FileObjectStore.withoutDigestOnWrite(dir);
        byte[] big = new byte[200_000]; // past the 64 KiB buffer: writes reach the created file before close
        java.util.Arrays.fill(big, (byte) 'x');
        try (OutputStream a = store.create("runs/r/a.jsonl", "application/x-ndjson");
             OutputStream b = store.create("runs/r/b.jsonl", "application/x-ndjson")) {
            a.write(big);
            b.write("small".getBytes(StandardCharsets.UTF_8));
            assertThat(store.list("runs/")).isEmpty();
        }
        assertThat(store.read("runs/r/a.jsonl")).isEqualTo(big);
        assertThat(store.readString("runs/r/b.jsonl")).isEqualTo("small");
        // no MD5 while writing, still the right ETag when asked
        assertThat(store.head("runs/r/b.jsonl").orElseThrow().etag())
                .isEqualTo(new FileObjectStore(dir).head("runs/r/b.jsonl").orElseThrow().etag());
        try (java.util.stream.Stream<Path> tmp = Files.list(dir.resolve(FileObjectStore.TMP_DIR))) {
            assertThat(tmp).isEmpty();
        }
    }

    @Test
    void aFileTheBulkStoreCannotCreateFailsTheWriteThatNeedsIt() throws IOException {
        FileObjectStore store = FileObjectStore.withoutDigestOnWrite(dir);
        Files.writeString(dir.resolve(FileObjectStore.TMP_DIR), "a file where the temp folder should be");
        OutputStream out = store.create("a/b.jsonl", "application/x-ndjson");
        assertThatThrownBy(() -> {
            out.write(new byte[100_000]);
            out.close();
        }).isInstanceOf(IOException.class).hasMessageContaining("a/b.jsonl");
        assertThat(Files.exists(dir.resolve("a/b.jsonl"))).isFalse();
    }
}
