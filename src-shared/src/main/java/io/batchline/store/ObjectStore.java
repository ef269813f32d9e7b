package io.batchline.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Where inputs, request shards, raw results and outcomes live: S3 in AWS and in the local stack,
 * a folder for {@code ./batchline plan} and unit tests. Everything is streamed; nothing here loads a
 * whole object unless the caller asks for bytes.
 */
public interface ObjectStore {

    /** Streams an object; the caller closes it. Throws {@link NoSuchObjectException} when absent. */
    InputStream open(String key);

    /**
     * Streams an object only if it is still the version the caller names: the whole stream holds that version's
     * bytes, never another's. {@code version.versionId()}, when known (a versioned bucket), selects that version even
     * after an overwrite; otherwise the key must still hold an object with {@code version.etag()}. Throws
     * {@link ObjectChangedException} when it does not, {@link NoSuchObjectException} when the key (or version) is
     * gone. A null or blank ETag (and no version id) is a caller's error, not "any version".
     */
    InputStream open(String key, Version version);

    /**
     * Streams a new object. Bytes become visible under {@code key} only when the stream is closed; a process
     * killed mid-write leaves no object. Writers that must not publish a partial object on an exception
     * write it under a key nobody reads until a later marker (a plan, a checkpoint) names it.
     */
    OutputStream create(String key, String contentType);

    default void put(String key, byte[] bytes, String contentType) {
        try (OutputStream out = create(key, contentType)) {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + key, e);
        }
    }

    default byte[] read(String key) {
        try (InputStream in = open(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + key, e);
        }
    }

    default String readString(String key) {
        return new String(read(key), StandardCharsets.UTF_8);
    }

    /** Size and ETag, or empty when absent. */
    Optional<ObjectInfo> head(String key);

    default boolean exists(String key) {
        return head(key).isPresent();
    }

    /** Keys under a prefix, in lexicographic order. */
    List<String> list(String prefix);

    void delete(String key);

    record ObjectInfo(String key, long size, String etag) {}

    /**
     * One version of an object: its ETag (quotes optional) and, in a versioned bucket, its version id (else null).
     */
    record Version(String etag, String versionId) {
        public static Version ofEtag(String etag) {
            return new Version(etag, null);
        }

        /** The ETag without surrounding quotes; "" when there is none. */
        public String bareEtag() {
            if (etag == null) return "";
            return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"")
                    ? etag.substring(1, etag.length() - 1) : etag;
        }
    }
}
