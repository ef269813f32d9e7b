package io.batchline.testing;

import io.batchline.pipeline.StageBucketAccess;
import io.batchline.store.ForwardingObjectStore;
import io.batchline.store.ObjectStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;

/**
 * A bucket as one stage's function sees it in the deployed stack: every read (a HEAD included), write and delete
 * of a key outside the stage's {@link StageBucketAccess} is refused, as S3 refuses it with 403 AccessDenied, and
 * kept in {@code refused} so that a stage that catches the refusal is still found out.
 */
public final class GrantedObjectStore extends ForwardingObjectStore {
    private final String stage;
    private final StageBucketAccess access;
    private final List<String> refused;

    public GrantedObjectStore(ObjectStore delegate, String stage, List<String> refused) {
        super(delegate);
        this.stage = stage;
        this.access = StageBucketAccess.of(stage);
        this.refused = refused;
    }

    @Override
    public InputStream open(String key) {
        check("read", key, access.mayRead(key));
        return super.open(key);
    }

    @Override
    public InputStream open(String key, Version version) {
        check("read", key, access.mayRead(key));
        return super.open(key, version);
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        check("read", key, access.mayRead(key));
        return super.head(key);
    }

    @Override
    public OutputStream create(String key, String contentType) {
        check("write", key, access.mayWrite(key));
        return super.create(key, contentType);
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) {
        check("write", key, access.mayWrite(key));
        super.put(key, bytes, contentType);
    }

    @Override
    public List<String> list(String prefix) {
        check("list", prefix, !access.reads().isEmpty()); // s3:ListBucket comes with any read grant
        return super.list(prefix);
    }

    @Override
    public void delete(String key) {
        check("delete", key, access.mayDelete(key));
        super.delete(key);
    }

    private void check(String action, String key, boolean granted) {
        if (granted) return;
        String refusal = stage + " may not " + action + " " + key;
        refused.add(refusal);
        throw new IllegalStateException("AccessDenied: " + refusal + " (its grants: " + access + ")");
    }
}
