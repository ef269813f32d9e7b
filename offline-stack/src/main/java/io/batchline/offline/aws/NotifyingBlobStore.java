package io.batchline.offline.aws;

import java.io.InputStream;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.CopyObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Decorates S3Proxy's own blob store at the three calls that create objects. S3Proxy unwraps
 * ForwardingBlobStore when it picks backend quirks, so the decoration does not change its behaviour.
 * Events are sent only when the delegate returned normally (a failed or rejected write sends none).
 */
final class NotifyingBlobStore extends ForwardingBlobStore {
    private final S3EventNotifications notifications;

    NotifyingBlobStore(BlobStore delegate, S3EventNotifications notifications) {
        super(delegate);
        this.notifications = notifications;
    }

    @Override
    public PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        PutObjectResponse response = delegate().putBlob(request, content);
        String bucket = request.bucket();
        String key = request.key();
        if (notifications.anyRuleFor(bucket, key)) {
            notifications.objectCreated(S3EventNotifications.EventName.PUT, bucket, key,
                    sizeOf(bucket, key), response.eTag());
        }
        return response;
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                   CompleteMultipartUploadRequest request) {
        CompleteMultipartUploadResponse response = delegate().completeMultipartUpload(upload, request);
        String bucket = upload.containerName();
        String key = upload.blobName();
        if (notifications.anyRuleFor(bucket, key)) {
            notifications.objectCreated(S3EventNotifications.EventName.COMPLETE_MULTIPART_UPLOAD, bucket, key,
                    sizeOf(bucket, key), response.eTag());
        }
        return response;
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        CopyObjectResponse response = delegate().copyBlob(request);
        String bucket = request.destinationBucket();
        String key = request.destinationKey();
        if (notifications.anyRuleFor(bucket, key)) {
            String eTag = response.copyObjectResult() == null ? null : response.copyObjectResult().eTag();
            notifications.objectCreated(S3EventNotifications.EventName.COPY, bucket, key,
                    sizeOf(bucket, key), eTag);
        }
        return response;
    }

    private long sizeOf(String bucket, String key) {
        // not every write call reports the stored length (chunked uploads, copies); the stored object does
        Long length = delegate().blobMetadata(HeadObjectRequest.builder().bucket(bucket).key(key).build())
                .contentLength();
        return length == null ? 0L : length;
    }
}
