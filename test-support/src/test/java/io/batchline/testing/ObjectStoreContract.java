package io.batchline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectChangedException;
import io.batchline.store.ObjectStore;
import io.batchline.store.ObjectStore.Version;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ObjectStore} promises; a subclass names the store under test. */
abstract class ObjectStoreContract {
    protected ObjectStore store;

    protected abstract ObjectStore newStore();

    @BeforeEach
    void fresh() {
        store = newStore();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void whatIsPutIsReadBackWithItsSize() {
        store.put("runs/r1/plan-a1.json", utf8("{\"a\":1}"), "application/json");
        assertThat(store.readString("runs/r1/plan-a1.json")).isEqualTo("{\"a\":1}");
        assertThat(store.head("runs/r1/plan-a1.json")).get().satisfies(h -> {
            assertThat(h.key()).isEqualTo("runs/r1/plan-a1.json");
            assertThat(h.size()).isEqualTo(7);
            assertThat(Version.ofEtag(h.etag()).bareEtag()).isNotEmpty();
        });
        assertThat(store.exists("runs/r1/plan-a1.json")).isTrue();
    }

    @Test
    void aMissingKeyIsNoSuchObjectOnOpenAndEmptyOnHead() {
        assertThatThrownBy(() -> store.open("nope")).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> store.read("nope")).isInstanceOf(NoSuchObjectException.class);
        assertThat(store.head("nope")).isEmpty();
        assertThat(store.exists("nope")).isFalse();
    }

    @Test
    void anObjectAppearsOnlyWhenItsStreamIsClosed() throws Exception {
        OutputStream out = store.create("a/b.jsonl", "application/x-ndjson");
        out.write(utf8("partial"));
        out.flush();
        assertThat(store.exists("a/b.jsonl")).isFalse();
        assertThat(store.list("")).isEmpty();
        out.close();
        assertThat(store.readString("a/b.jsonl")).isEqualTo("partial");
    }

    @Test
    void anAbandonedStreamLeavesNoObject() throws Exception {
        OutputStream out = store.create("x/abandoned.jsonl", "application/x-ndjson");
        out.write(new byte[100]);
        assertThat(store.exists("x/abandoned.jsonl")).isFalse();
        assertThat(store.list("x/")).isEmpty();
    }

    @Test
    void anOverwriteReplacesContentAndEtag() {
        store.put("k", utf8("one"), "text/plain");
        String first = store.head("k").orElseThrow().etag();
        store.put("k", utf8("two!"), "text/plain");
        assertThat(store.readString("k")).isEqualTo("two!");
        assertThat(store.head("k").orElseThrow().etag()).isNotEqualTo(first);
        assertThat(store.head("k").orElseThrow().size()).isEqualTo(4);
    }

    @Test
    void sameBytesSameEtag() {
        store.put("a", utf8("same"), "text/plain");
        store.put("b", utf8("same"), "text/plain");
        assertThat(store.head("a").orElseThrow().etag()).isEqualTo(store.head("b").orElseThrow().etag());
    }

    @Test
    void listingIsLexicographicAndKeepsToThePrefix() {
        for (String k : new String[] {"runs/r1/b", "runs/r1/a", "runs/r10/a", "runs/r1/sub/c", "runs/r2/a", "other"}) {
            store.put(k, utf8(k), "text/plain");
        }
        assertThat(store.list("runs/r1/")).containsExactly("runs/r1/a", "runs/r1/b", "runs/r1/sub/c");
        assertThat(store.list("runs/r1")).containsExactly("runs/r1/a", "runs/r1/b", "runs/r1/sub/c", "runs/r10/a");
        assertThat(store.list("runs/r3/")).isEmpty();
        assertThat(store.list("")).hasSize(6).isSorted();
    }

    @Test
    void deleteRemovesAndDeletingAMissingKeyIsFine() {
        store.put("d/x", utf8("x"), "text/plain");
        store.delete("d/x");
        store.delete("d/x");
        store.delete("never/was");
        assertThat(store.exists("d/x")).isFalse();
        assertThat(store.list("d/")).isEmpty();
    }

    @Test
    void openByVersionStreamsThatVersionOrRefuses() throws Exception {
        store.put("in.jsonl", utf8("v1"), "application/x-ndjson");
        String etag = store.head("in.jsonl").orElseThrow().etag();
        try (InputStream in = store.open("in.jsonl", Version.ofEtag(etag))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("v1");
        }
        // quotes are optional
        try (InputStream in = store.open("in.jsonl", Version.ofEtag(Version.ofEtag(etag).bareEtag()))) {
            assertThat(in.readAllBytes()).isEqualTo(utf8("v1"));
        }
        store.put("in.jsonl", utf8("v2"), "application/x-ndjson");
        String now = Version.ofEtag(store.head("in.jsonl").orElseThrow().etag()).bareEtag();
        assertThatThrownBy(() -> store.open("in.jsonl", Version.ofEtag(etag)))
                .isInstanceOfSatisfying(ObjectChangedException.class, e -> {
                    assertThat(e.expectedEtag()).isEqualTo(Version.ofEtag(etag).bareEtag());
                    assertThat(e.currentEtag()).isEqualTo(now);
                });
        store.delete("in.jsonl");
        assertThatThrownBy(() -> store.open("in.jsonl", Version.ofEtag(etag))).isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    void openByVersionWithoutAnEtagIsTheCallersError() {
        store.put("k", utf8("x"), "text/plain");
        assertThatThrownBy(() -> store.open("k", new Version(null, null))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.open("k", new Version("", null))).isInstanceOf(IllegalArgumentException.class);
    }
}
