package io.batchline.offline.aws;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * S3 for the local stack: S3Proxy in this JVM on 127.0.0.1, no authentication, in memory or (with a
 * state dir) on disk, plus S3 event notifications ({@link #addNotification}). Keys may be as long as S3 allows
 * (1,024 bytes) in both; on disk, over-long key segments are stored under hashed names ({@code LongKeySegments}).
 * Clients must use path-style addressing ({@link AwsClientsForLocal#s3}).
 */
public final class S3Emulator implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final S3Proxy proxy;
    private final URI endpoint;
    private final S3EventNotifications notifications;
    private final Map<URI, SqsClient> sqsClients = new ConcurrentHashMap<>();
    private final AtomicInteger configurationIds = new AtomicInteger();

    private S3Emulator(S3Proxy proxy, URI endpoint, S3EventNotifications notifications) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.notifications = notifications;
    }

    /**
     * @param port 0 for a free port
     * @param stateDirOrNull null keeps objects in memory; a directory keeps them across restarts
     *                       (one sub-directory per bucket)
     */
    public static S3Emulator start(int port, Path stateDirOrNull) throws Exception {
        BlobStore backend;
        if (stateDirOrNull == null) {
            backend = new TransientNio2BlobStore();
        } else {
            Path root = Files.createDirectories(stateDirOrNull).toAbsolutePath();
            // file names have a length limit that keys do not; the in-memory store has none
            backend = new LongKeyBlobStore(new FilesystemNio2BlobStore(root.toString()),
                    LongKeySegments.openIn(root));
        }
        S3EventNotifications notifications = new S3EventNotifications();
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(new NotifyingBlobStore(backend, notifications))
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.NONE, null, null)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within " + START_TIMEOUT
                        + " (state " + proxy.getState() + ")");
            }
            Thread.sleep(20);
        }
        return new S3Emulator(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()), notifications);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Every object created under prefix (and ending with suffix), in any bucket, sends one event to the queue. */
    public void addNotification(String prefix, String suffixOrNull, URI sqsQueueUrl) {
        addNotification(null, nextConfigurationId(), prefix, suffixOrNull, sqsQueueUrl);
    }

    /** As above, handing the event JSON to a consumer instead of a queue. */
    public void addNotification(String prefix, String suffixOrNull, Consumer<String> sink) {
        notifications.add(new S3EventNotifications.Rule(nextConfigurationId(), null, prefix, suffixOrNull, sink));
    }

    /** Full form: bucketOrNull limits the rule to one bucket; configurationId appears in the event. */
    public void addNotification(String bucketOrNull, String configurationId, String prefix, String suffixOrNull,
                                URI sqsQueueUrl) {
        Objects.requireNonNull(sqsQueueUrl, "sqsQueueUrl");
        SqsClient sqs = sqsClients.computeIfAbsent(AwsClientsForLocal.endpointOf(sqsQueueUrl),
                AwsClientsForLocal::sqs);
        String queueUrl = sqsQueueUrl.toString();
        notifications.add(new S3EventNotifications.Rule(configurationId, bucketOrNull, prefix, suffixOrNull,
                body -> sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body))));
    }

    /** Events that could not be delivered (logged at ERROR); 0 in a healthy stack. */
    public long notificationDeliveryFailures() {
        return notifications.deliveryFailures();
    }

    private String nextConfigurationId() {
        return "batchline-local-" + configurationIds.incrementAndGet();
    }

    @Override
    public void close() throws Exception {
        Exception failure = null;
        try {
            proxy.stop();
        } catch (Exception e) {
            failure = e;
        }
        for (SqsClient c : sqsClients.values()) {
            c.close();
        }
        sqsClients.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
