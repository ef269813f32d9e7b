package io.batchline.aws.s3;

import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectChangedException;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/** {@link ObjectStore} on one S3 bucket. Large writes stream out as multipart uploads of {@link #PART_SIZE}. */
public final class S3ObjectStore implements ObjectStore {
    /** Memory per open writer; S3's minimum part size is 5 MiB. */
    static final int PART_SIZE = 8 * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;
    /** "s3.write": where the offline stack's chaos suite kills a process before an object exists. */
    private final io.batchline.chaos.FaultPoints faults;

    public S3ObjectStore(S3Client s3, String bucket) {
        this(s3, bucket, io.batchline.chaos.FaultPoints.NONE);
    }

    public S3ObjectStore(S3Client s3, String bucket, io.batchline.chaos.FaultPoints faults) {
        this.s3 = s3;
        this.bucket = bucket;
        this.faults = faults;
    }

    public String bucket() {
        return bucket;
    }

    @Override
    public InputStream open(String key) {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            throw new NoSuchObjectException("s3://" + bucket + "/" + key);
        }
    }

    /**
     * GetObject with {@code If-Match} (and the version id when known): S3 answers 412 Precondition Failed when the
     * key holds another version, so the bytes streamed are the named version's or none. A multi-part object's ETag
     * ({@code <md5>-<parts>}) matches just the same: If-Match compares ETags, not digests.
     */
    @Override
    public InputStream open(String key, Version version) {
        String etag = version.bareEtag();
        if (etag.isEmpty() && version.versionId() == null) {
            throw new IllegalArgumentException("open " + key + " by version: no ETag or version id given");
        }
        try {
            return s3.getObject(b -> {
                b.bucket(bucket).key(key);
                if (!etag.isEmpty()) b.ifMatch("\"" + etag + "\"");
                if (version.versionId() != null) b.versionId(version.versionId());
            });
        } catch (NoSuchKeyException e) {
            throw new NoSuchObjectException("s3://" + bucket + "/" + key);
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                String now = head(key).map(h -> Version.ofEtag(h.etag()).bareEtag()).orElse(null);
                throw new ObjectChangedException("s3://" + bucket + "/" + key, etag, now);
            }
            if (e.statusCode() == 404) throw new NoSuchObjectException("s3://" + bucket + "/" + key
                    + (version.versionId() == null ? "" : " (version " + version.versionId() + ")"));
            throw e;
        }
    }

    @Override
    public OutputStream create(String key, String contentType) {
        return new MultipartOutput(key, contentType);
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        try {
            var h = s3.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new ObjectInfo(key, h.contentLength(), h.eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) return Optional.empty();
            throw e;
        }
    }

    @Override
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))) {
            for (S3Object o : page.contents()) keys.add(o.key());
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public void delete(String key) {
        s3.deleteObject(b -> b.bucket(bucket).key(key));
    }

    /**
     * A second line of retries, with longer jittered pauses, for connection-level failures the SDK's own quick
     * retries did not outlast (HttpURLConnection can hand out several stale pooled connections in a row).
     * Writes are whole-object or whole-part, so repeating one is safe.
     */
    static <T> T withRetries(java.util.function.Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
                if (attempt >= 3) throw e;
                try {
                    Thread.sleep(attempt * 250L + java.util.concurrent.ThreadLocalRandom.current().nextLong(500));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /**
     * Buffers one part; small objects become a single PutObject on close, large ones a multipart upload.
     * A process killed mid-write leaves an incomplete upload (cleaned by the bucket's lifecycle rule), never
     * a visible half object.
     */
    private final class MultipartOutput extends OutputStream {
        private final String key;
        private final String contentType;
        private byte[] buffer = new byte[64 * 1024];
        private int filled;
        private String uploadId;
        private final List<CompletedPart> parts = new ArrayList<>();
        private boolean closed;

        MultipartOutput(String key, String contentType) {
            this.key = key;
            this.contentType = contentType;
        }

        @Override
        public void write(int b) throws IOException {
            makeRoom();
            buffer[filled++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                makeRoom();
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        /** Grows the buffer up to one part (so the many small part files of a run cost little), then uploads. */
        private void makeRoom() throws IOException {
            if (closed) throw new IOException("stream closed: s3://" + bucket + "/" + key);
            if (filled < buffer.length) return;
            if (buffer.length < PART_SIZE) {
                buffer = java.util.Arrays.copyOf(buffer, Math.min(PART_SIZE, buffer.length * 2));
            } else {
                uploadPart();
            }
        }

        private void uploadPart() {
            try {
                if (uploadId == null) {
                    uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType))
                            .uploadId();
                }
                int partNumber = parts.size() + 1;
                byte[] body = java.util.Arrays.copyOf(buffer, filled);
                var resp = withRetries(() -> s3.uploadPart(b -> b.bucket(bucket).key(key)
                        .uploadId(uploadId).partNumber(partNumber), RequestBody.fromBytes(body)));
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(resp.eTag()).build());
                filled = 0;
            } catch (RuntimeException e) {
                abort();
                throw e;
            }
        }

        private void abort() {
            closed = true;
            if (uploadId != null) {
                try {
                    s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
                } catch (RuntimeException suppressed) {
                    // the lifecycle rule removes incomplete uploads; the original error is what matters
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) return;
            faults.point("s3.write"); // a process killed here leaves no object
            try {
                if (uploadId == null) {
                    byte[] body = java.util.Arrays.copyOf(buffer, filled);
                    withRetries(() -> s3.putObject(b -> b.bucket(bucket).key(key)
                            .contentType(contentType), RequestBody.fromBytes(body)));
                } else {
                    if (filled > 0) uploadPart();
                    s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
                }
                closed = true;
            } catch (RuntimeException e) {
                abort();
                throw new IOException("writing s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
            }
        }
    }
}
