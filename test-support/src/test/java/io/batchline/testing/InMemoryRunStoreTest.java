package io.batchline.testing;

import io.batchline.run.RunStore;

class InMemoryRunStoreTest extends RunStoreContract {
    @Override
    protected RunStore newStore() {
        return new InMemoryRunStore();
    }
}
