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
        notifyCreated(S3EventNotifications.EventName.PUT, request.bucket(), request.key(), response.eTag());
        return response;
    }

    @Override
    public CompleteMultipartUploadResponse completeMultipartUpload(MultipartUpload upload,
                                                                   CompleteMultipartUploadRequest request) {
        CompleteMultipartUploadResponse response = delegate().completeMultipartUpload(upload, request);
        notifyCreated(S3EventNotifications.EventName.COMPLETE_MULTIPART_UPLOAD, upload.containerName(),
                upload.blobName(), response.eTag());
        return response;
    }

    @Override
    public CopyObjectResponse copyBlob(CopyObjectRequest request) {
        CopyObjectResponse response = delegate().copyBlob(request);
        String eTag = response.copyObjectResult() == null ? null : response.copyObjectResult().eTag();
        notifyCreated(S3EventNotifications.EventName.COPY, request.destinationBucket(), request.destinationKey(),
                eTag);
        return response;
    }

    /** An object-created event for the object now stored, when a rule asks for one (its size read back only then). */
    private void notifyCreated(S3EventNotifications.EventName event, String bucket, String key, String eTag) {
        if (!notifications.anyRuleFor(bucket, key)) return;
        // not every write call reports the stored length (chunked uploads, copies); the stored object does
        Long length = delegate().blobMetadata(HeadObjectRequest.builder().bucket(bucket).key(key).build())
                .contentLength();
        notifications.objectCreated(event, bucket, key, length == null ? 0L : length, eTag);
    }
}
