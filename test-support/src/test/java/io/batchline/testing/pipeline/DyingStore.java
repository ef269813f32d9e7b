package io.batchline.testing.pipeline;

import io.batchline.store.ForwardingObjectStore;
import io.batchline.store.ObjectStore;
import java.io.OutputStream;
import java.util.function.Predicate;

/**
 * A store whose process "dies" (throws) when it starts creating an object {@code fatal} names: a stage killed part-way,
 * as a Lambda crash or timeout would leave it.
 */
final class DyingStore extends ForwardingObjectStore {
    private final Predicate<String> fatal;

    DyingStore(ObjectStore store, Predicate<String> fatal) {
        super(store);
        this.fatal = fatal;
    }

    @Override
    public OutputStream create(String key, String contentType) {
        if (fatal.test(key)) throw new IllegalStateException("killed creating " + key);
        return delegate.create(key, contentType);
    }
}
