package io.batchline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectStore;
import io.batchline.store.ObjectStore.Version;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class InMemoryObjectStoreTest extends ObjectStoreContract {
    @Override
    protected ObjectStore newStore() {
        return new InMemoryObjectStore("contract");
    }

    @Test
    void theEtagIsTheQuotedMd5AsS3GivesIt() {
        store.put("k", "hello, world\n".getBytes(StandardCharsets.UTF_8), "text/plain");
        assertThat(store.head("k").orElseThrow().etag()).isEqualTo("\"22c3683b094136c3398391ae71b20f04\"");
    }

    @Test
    void aVersionIdSelectsItsVersionAfterAnOverwriteAndADelete() throws Exception {
        InMemoryObjectStore s = (InMemoryObjectStore) store;
        s.put("in", "v1".getBytes(StandardCharsets.UTF_8), "text/plain");
        String v1 = s.versionId("in").orElseThrow();
        s.put("in", "v2".getBytes(StandardCharsets.UTF_8), "text/plain");
        s.delete("in");
        assertThat(s.open("in", new Version(null, v1)).readAllBytes()).isEqualTo("v1".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> s.open("in", new Version(null, "v999"))).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> s.open("other", new Version(null, v1))).isInstanceOf(NoSuchObjectException.class);
    }
}
