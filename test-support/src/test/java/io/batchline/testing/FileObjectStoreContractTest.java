package io.batchline.testing;

import io.batchline.store.FileObjectStore;
import io.batchline.store.ObjectStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The folder store of {@code ./batchline plan} keeps the same contract as the in-memory one. */
class FileObjectStoreContractTest extends ObjectStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ObjectStore newStore() {
        return new FileObjectStore(dir);
    }
}
