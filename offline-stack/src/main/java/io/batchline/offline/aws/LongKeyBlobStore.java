package io.batchline.offline.aws;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectAclRequest;
import software.amazon.awssdk.services.s3.model.GetObjectAclResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListBucketsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Lets S3Proxy's file-system store take keys of any segment length, as S3 does: every key is stored under the
 * name {@link LongKeySegments} gives it (unchanged unless a segment is too long for a file name) and listed,
 * paged and grouped by its original name. Objects stream through untouched.
 *
 * <p>A listing passes straight to S3Proxy, as before, unless the records say a stored long name may sit in its
 * range; then this class lists the directory the prefix names in one go, restores the original keys, and filters,
 * groups, sorts (by UTF-8 bytes, as S3 does) and pages them itself. Continuation tokens are original keys either
 * way (S3Proxy's file-system store also pages by last key), so a paging client may cross from one path to the
 * other. S3Proxy already reads the whole directory for every page, so the long-key path costs about the same.
 *
 * <p>A ForwardingBlobStore, like {@link NotifyingBlobStore}: S3Proxy unwraps those to pick its backend quirks, so
 * it still treats the store as its file-system store.
 */
final class LongKeyBlobStore extends ForwardingBlobStore {
    private static final Comparator<String> S3_KEY_ORDER =
            Comparator.comparing(key -> key.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

    private final LongKeySegments segments;

    LongKeyBlobStore(BlobStore delegate, LongKeySegments segments) {
        super(delegate);
        this.segments = segments;
    }

    @Override
    public ListBucketsResponse list() {
        ListBucketsResponse all = delegate().list();
        return all.toBuilder()
                .buckets(all.buckets().stream()
                        .filter(b -> !LongKeySegments.DIRECTORY_NAME.equals(b.name()))
                        .toList())
                .build();
    }

    @Override
    public void deleteBucket(String container) {
        delegate().deleteBucket(container);
        forgetBucket(container);
    }

    @Override
    public void deleteContainer(String container) {
        delegate().deleteContainer(container);
        forgetBucket(container);
    }

    private void forgetBucket(String container) {
        try {
            segments.forgetBucket(container);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("removing the long-key records of bucket " + container, e);
        }
    }

    @Override
    public boolean blobExists(String container, String name) {
        return delegate().blobExists(container, LongKeySegments.storedKey(name));
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        String stored = segments.recordKeyForWrite(request.bucket(), request.key());
        return delegate().putBlob(stored.equals(request.key()) ? request : request.toBuilder().key(stored).build(),
                content);
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        String storedSource = LongKeySegments.storedKey(request.sourceKey());
        String storedDestination = segments.recordKeyForWrite(request.destinationBucket(), request.destinationKey());
        if (storedSource.equals(request.sourceKey()) && storedDestination.equals(request.destinationKey())) {
            return delegate().copyBlob(request);
        }
        return delegate().copyBlob(request.toBuilder()
                .sourceKey(storedSource)
                .destinationKey(storedDestination)
                .build());
    }

    @Override
    public HeadObjectResponse blobMetadata(HeadObjectRequest request) {
        String stored = LongKeySegments.storedKey(request.key());
        return delegate().blobMetadata(stored.equals(request.key()) ? request
                : request.toBuilder().key(stored).build());
    }

    @Override
    public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
        String stored = LongKeySegments.storedKey(request.key());
        return delegate().getBlob(stored.equals(request.key()) ? request : request.toBuilder().key(stored).build());
    }

    @Override
    public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
        String stored = LongKeySegments.storedKey(request.key());
        return delegate().removeBlob(stored.equals(request.key()) ? request
                : request.toBuilder().key(stored).build());
    }

    @Override
    public ObjectCannedACL getBlobAccess(String container, String name) {
        return delegate().getBlobAccess(container, LongKeySegments.storedKey(name));
    }

    @Override
    public ObjectCannedACL getBlobAccess(String container, String name, String versionId) {
        return delegate().getBlobAccess(container, LongKeySegments.storedKey(name), versionId);
    }

    @Override
    public GetObjectAclResponse getBlobAcl(GetObjectAclRequest request) {
        String stored = LongKeySegments.storedKey(request.key());
        return delegate().getBlobAcl(stored.equals(request.key()) ? request
                : request.toBuilder().key(stored).build());
    }

    @Override
    public void setBlobAccess(String container, String name, ObjectCannedACL access) {
        delegate().setBlobAccess(container, LongKeySegments.storedKey(name), access);
    }

    @Override
    public void setBlobAccess(String container, String name, ObjectCannedACL access, String versionId) {
        delegate().setBlobAccess(container, LongKeySegments.storedKey(name), access, versionId);
    }

    /** The file-system store does not keep versions; its listing is not offered with long keys either. */
    @Override
    public ListObjectVersionsResponse listVersions(ListObjectVersionsRequest request) {
        throw new UnsupportedOperationException("listing object versions is not supported by the on-disk S3");
    }

    @Override
    public MultipartUpload initiateMultipartUpload(CreateMultipartUploadRequest request) {
        String stored = segments.recordKeyForWrite(request.bucket(), request.key());
        if (stored.equals(request.key())) {
            return delegate().initiateMultipartUpload(request);
        }
        MultipartUpload upload = delegate().initiateMultipartUpload(request.toBuilder().key(stored).build());
        CreateMultipartUploadResponse response = upload.response();
        if (response != null && stored.equals(response.key())) {
            response = response.toBuilder().key(request.key()).build();
        }
        return new MultipartUpload(upload.id(), request, response);
    }

    @Override
    public void abortMultipartUpload(MultipartUpload upload) {
        delegate().abortMultipartUpload(stored(upload));
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                   CompleteMultipartUploadRequest request) {
        String stored = segments.recordKeyForWrite(upload.containerName(), upload.blobName());
        if (stored.equals(upload.blobName()) && (request.key() == null || stored.equals(request.key()))) {
            return delegate().completeMultipartUpload(upload, request);
        }
        CompleteMultipartUploadResponse response = delegate().completeMultipartUpload(stored(upload),
                request.key() == null ? request : request.toBuilder().key(LongKeySegments.storedKey(request.key()))
                        .build());
        return stored.equals(response.key()) ? response.toBuilder().key(upload.blobName()).build() : response;
    }

    @Override
    public UploadPartResponse uploadMultipartPart(MultipartUpload upload, UploadPartRequest request,
                                                  InputStream content) {
        String stored = LongKeySegments.storedKey(upload.blobName());
        if (stored.equals(upload.blobName())) {
            return delegate().uploadMultipartPart(upload, request, content);
        }
        return delegate().uploadMultipartPart(stored(upload),
                request.key() == null ? request : request.toBuilder().key(LongKeySegments.storedKey(request.key()))
                        .build(),
                content);
    }

    @Override
    public List<Part> listMultipartUpload(MultipartUpload upload) {
        return delegate().listMultipartUpload(stored(upload));
    }

    @Override
    public List<software.amazon.awssdk.services.s3.model.MultipartUpload> listMultipartUploads(String container) {
        List<software.amazon.awssdk.services.s3.model.MultipartUpload> uploads =
                delegate().listMultipartUploads(container);
        if (uploads.stream().noneMatch(u -> u.key() != null && u.key().contains(LongKeySegments.STORED_NAME_MARKER))) {
            return uploads;
        }
        return uploads.stream()
                .map(u -> u.key() == null ? u : u.toBuilder().key(segments.originalKey(u.key())).build())
                .sorted(Comparator.comparing(software.amazon.awssdk.services.s3.model.MultipartUpload::key,
                        Comparator.nullsFirst(S3_KEY_ORDER)))
                .toList();
    }

    private static MultipartUpload stored(MultipartUpload upload) {
        String stored = LongKeySegments.storedKey(upload.blobName());
        if (stored.equals(upload.blobName())) {
            return upload;
        }
        return new MultipartUpload(upload.id(), upload.request().toBuilder().key(stored).build(), upload.response());
    }

    /**
     * One page of the bucket. The prefix splits into the directory it names (up to its last slash) and a partial
     * name; S3Proxy answers directly when no stored long name can fall in the page, which the records tell from
     * that directory alone.
     */
    @Override
    public ListObjectsV2Response list(ListObjectsV2Request request) {
        String delimiter = request.delimiter();
        if (delimiter != null && !delimiter.isEmpty() && !"/".equals(delimiter)) {
            return delegate().list(request); // S3Proxy refuses other delimiters; let it say so
        }
        boolean grouped = "/".equals(delimiter);
        String prefix = request.prefix() == null ? "" : request.prefix();
        String directory = prefix.substring(0, prefix.lastIndexOf('/') + 1);
        String storedDirectory = LongKeySegments.storedKey(directory);
        boolean longNamesInRange = grouped
                ? segments.hasLongNamesDirectlyIn(request.bucket(), storedDirectory)
                : segments.hasLongNamesUnder(request.bucket(), storedDirectory);
        if (longNamesInRange) {
            return listRestoringLongNames(request, prefix, storedDirectory);
        }
        if (storedDirectory.equals(directory)) {
            return delegate().list(request);
        }
        return listUnderStoredDirectory(request, prefix, directory, storedDirectory);
    }

    /**
     * The prefix's directory holds long segments but nothing in range is stored under a long name of its own:
     * S3Proxy lists under the stored directory, and every name it returns starts with it, so the order and the
     * page are S3Proxy's own once the start marker is placed relative to that directory.
     */
    private ListObjectsV2Response listUnderStoredDirectory(ListObjectsV2Request request, String prefix,
                                                           String directory, String storedDirectory) {
        String marker = startMarker(request);
        String storedMarker = null;
        if (marker != null) {
            if (marker.startsWith(directory)) {
                storedMarker = storedDirectory + marker.substring(directory.length());
            } else if (marker.compareTo(directory) > 0) {
                return ListObjectsV2Response.builder().isTruncated(false).build(); // past everything in range
            }
        }
        ListObjectsV2Response page = delegate().list(request.toBuilder()
                .prefix(storedDirectory + prefix.substring(directory.length()))
                .continuationToken(null)
                .startAfter(storedMarker)
                .build());
        return page.toBuilder()
                .contents(page.contents().stream()
                        .map(o -> o.toBuilder().key(segments.originalKey(o.key())).build())
                        .toList())
                .commonPrefixes(page.commonPrefixes().stream()
                        .map(p -> p.toBuilder().prefix(segments.originalKey(p.prefix())).build())
                        .toList())
                .nextContinuationToken(page.nextContinuationToken() == null ? null
                        : segments.originalKey(page.nextContinuationToken()))
                .build();
    }

    /** Lists the stored directory whole, then filters, groups, sorts and pages by original key. */
    private ListObjectsV2Response listRestoringLongNames(ListObjectsV2Request request, String prefix,
                                                         String storedDirectory) {
        // by original name; a common prefix is an entry without an object
        TreeMap<String, S3Object> entries = new TreeMap<>(S3_KEY_ORDER);
        ListObjectsV2Request whole = ListObjectsV2Request.builder()
                .bucket(request.bucket())
                .prefix(storedDirectory.isEmpty() ? null : storedDirectory)
                .delimiter(request.delimiter())
                .build();
        while (true) {
            ListObjectsV2Response page = delegate().list(whole);
            for (S3Object object : page.contents()) {
                String key = segments.originalKey(object.key());
                if (key.startsWith(prefix)) {
                    entries.put(key, object.toBuilder().key(key).build());
                }
            }
            for (CommonPrefix commonPrefix : page.commonPrefixes()) {
                String original = segments.originalKey(commonPrefix.prefix());
                if (original.startsWith(prefix)) {
                    entries.putIfAbsent(original, null);
                }
            }
            if (page.nextContinuationToken() == null) {
                break;
            }
            whole = whole.toBuilder().continuationToken(page.nextContinuationToken()).build();
        }

        String marker = startMarker(request);
        var inRange = marker == null ? entries : entries.tailMap(marker, false);
        List<S3Object> contents = new ArrayList<>();
        List<CommonPrefix> commonPrefixes = new ArrayList<>();
        Integer maxKeys = request.maxKeys();
        String lastTaken = null;
        String nextToken = null;
        for (var entry : inRange.entrySet()) {
            if (maxKeys != null && contents.size() + commonPrefixes.size() == maxKeys) {
                nextToken = lastTaken; // null for max-keys 0, as S3Proxy answers it
                break;
            }
            if (entry.getValue() == null) {
                commonPrefixes.add(CommonPrefix.builder().prefix(entry.getKey()).build());
            } else {
                contents.add(entry.getValue());
            }
            lastTaken = entry.getKey();
        }
        return ListObjectsV2Response.builder()
                .contents(contents)
                .commonPrefixes(commonPrefixes)
                .nextContinuationToken(nextToken)
                .isTruncated(nextToken != null)
                .build();
    }

    /** Where a page starts: after the continuation token (an original key) or else after start-after. */
    private static String startMarker(ListObjectsV2Request request) {
        return request.continuationToken() != null ? request.continuationToken() : request.startAfter();
    }
}
