package io.batchline.store;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * A store that passes every call to another; a decorator overrides only what it changes (a store that fails a
 * write as a killed process would, one that counts calls).
 */
public abstract class ForwardingObjectStore implements ObjectStore {
    protected final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public InputStream open(String key) {
        return delegate.open(key);
    }

    @Override
    public InputStream open(String key, Version version) {
        return delegate.open(key, version);
    }

    @Override
    public OutputStream create(String key, String contentType) {
        return delegate.create(key, contentType);
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) {
        delegate.put(key, bytes, contentType);
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        return delegate.head(key);
    }

    @Override
    public List<String> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }
}
