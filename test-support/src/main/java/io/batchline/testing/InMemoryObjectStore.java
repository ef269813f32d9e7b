package io.batchline.testing;

import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectChangedException;
import io.batchline.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ObjectStore} in memory, with the contract S3ObjectStore keeps on S3 (a versioned bucket):
 * <ul>
 *   <li>an object becomes visible only when its stream is closed; a stream never closed leaves no object;</li>
 *   <li>the ETag is the quoted MD5 of the bytes, as S3 gives an object put in one request;</li>
 *   <li>{@link #open(String)} of a missing key throws {@link NoSuchObjectException}; {@link #head} is empty;</li>
 *   <li>{@link #open(String, Version)} throws {@link ObjectChangedException} when the key holds another ETag,
 *       {@link NoSuchObjectException} when the key (or the version id) is gone, and
 *       {@link IllegalArgumentException} for a version with neither ETag nor version id; a version id (each write
 *       gets one, see {@link #versionId}) selects that version even after an overwrite or a delete;</li>
 *   <li>{@link #list} returns the keys under a prefix in lexicographic order; {@link #delete} of a missing key is
 *       a no-op.</li>
 * </ul>
 */
public final class InMemoryObjectStore implements ObjectStore {
    private final String bucket;
    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>();
    /** Every version ever written, by version id (a versioned bucket keeps them after overwrite and delete). */
    private final Map<String, Stored> versions = new ConcurrentHashMap<>();
    private final AtomicLong versionCounter = new AtomicLong();

    /** One stored version: its bytes, quoted ETag, content type and version id. */
    public record Stored(String key, byte[] bytes, String etag, String contentType, String versionId) {}

    public InMemoryObjectStore() {
        this("memory");
    }

    /** @param bucket the name exception messages use ({@code memory://<bucket>/<key>}) */
    public InMemoryObjectStore(String bucket) {
        this.bucket = bucket;
    }

    public String bucket() {
        return bucket;
    }

    private String where(String key) {
        return "memory://" + bucket + "/" + key;
    }

    @Override
    public InputStream open(String key) {
        Stored s = objects.get(key);
        if (s == null) throw new NoSuchObjectException(where(key));
        return new ByteArrayInputStream(s.bytes());
    }

    @Override
    public InputStream open(String key, Version version) {
        String etag = version.bareEtag();
        if (etag.isEmpty() && version.versionId() == null) {
            throw new IllegalArgumentException("open " + key + " by version: no ETag or version id given");
        }
        Stored s;
        if (version.versionId() != null) {
            s = versions.get(version.versionId());
            if (s == null || !s.key().equals(key)) {
                throw new NoSuchObjectException(where(key) + " (version " + version.versionId() + ")");
            }
        } else {
            s = objects.get(key);
            if (s == null) throw new NoSuchObjectException(where(key));
        }
        String now = Version.ofEtag(s.etag()).bareEtag();
        if (!etag.isEmpty() && !etag.equals(now)) {
            Stored current = objects.get(key);
            throw new ObjectChangedException(where(key), etag,
                    current == null ? null : Version.ofEtag(current.etag()).bareEtag());
        }
        return new ByteArrayInputStream(s.bytes());
    }

    @Override
    public OutputStream create(String key, String contentType) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("invalid object key '" + key + "'");
        return new ByteArrayOutputStream() {
            private boolean closed;

            @Override
            public void close() throws IOException {
                if (closed) return;
                closed = true;
                byte[] bytes = toByteArray();
                String versionId = "v" + versionCounter.incrementAndGet();
                Stored s = new Stored(key, bytes, "\"" + md5(bytes) + "\"", contentType, versionId);
                versions.put(versionId, s);
                objects.put(key, s);
            }
        };
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        Stored s = objects.get(key);
        return s == null ? Optional.empty() : Optional.of(new ObjectInfo(key, s.bytes().length, s.etag()));
    }

    @Override
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        for (String key : objects.tailMap(prefix, true).keySet()) {
            if (!key.startsWith(prefix)) break;
            keys.add(key);
        }
        return keys;
    }

    @Override
    public void delete(String key) {
        objects.remove(key);
    }

    /** The current version's id of {@code key} (what an S3 event names), or empty when absent. */
    public Optional<String> versionId(String key) {
        return Optional.ofNullable(objects.get(key)).map(Stored::versionId);
    }

    /** The content type {@code key} was written with, or empty when absent. */
    public Optional<String> contentType(String key) {
        return Optional.ofNullable(objects.get(key)).map(Stored::contentType);
    }

    /** Every key, in order. */
    public List<String> keys() {
        return new ArrayList<>(objects.keySet());
    }

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
