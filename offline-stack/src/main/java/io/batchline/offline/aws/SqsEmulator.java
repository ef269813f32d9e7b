package io.batchline.offline.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * SQS for the local stack: ElasticMQ in this JVM on 127.0.0.1 (account 000000000000, us-east-1).
 * Queues live in memory. Starting takes 2-3 s (an actor system), so start one per JVM where possible.
 */
public final class SqsEmulator implements AutoCloseable {
    private final SQSRestServer server;
    private final URI endpoint;
    private final SqsClient client;

    private SqsEmulator(SQSRestServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
        this.client = AwsClientsForLocal.sqs(endpoint);
    }

    /** @param port 0 for a free port */
    public static SqsEmulator start(int port) {
        SQSRestServer server = SQSRestServerBuilder.withPort(port)
                .withInterface("127.0.0.1")
                .withAWSRegion(AwsClientsForLocal.REGION.id())
                .withAWSAccountId(AwsClientsForLocal.ACCOUNT_ID)
                .start();
        // blocks until bound (ElasticMQ's own bounded wait); gives the real port when port was 0
        int bound = server.waitUntilStarted().localAddress().getPort();
        return new SqsEmulator(server, URI.create("http://127.0.0.1:" + bound));
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A client owned by the emulator (closed with it). */
    public SqsClient client() {
        return client;
    }

    /**
     * Creates the queue (and its dead-letter queue when dlqNameOrNull is set, with a RedrivePolicy of
     * maxReceiveCount). Idempotent for equal attributes, as in SQS.
     *
     * @return the queue URL
     */
    public String createQueue(String name, Duration visibilityTimeout, String dlqNameOrNull, int maxReceiveCount) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
        Map<QueueAttributeName, String> attributes = new java.util.EnumMap<>(QueueAttributeName.class);
        attributes.put(QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds()));
        if (dlqNameOrNull != null) {
            if (maxReceiveCount < 1) {
                throw new IllegalArgumentException("maxReceiveCount must be >= 1, was " + maxReceiveCount);
            }
            String dlqUrl = client.createQueue(b -> b.queueName(dlqNameOrNull)).queueUrl();
            String dlqArn = queueArn(dlqUrl);
            attributes.put(QueueAttributeName.REDRIVE_POLICY,
                    "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"" + maxReceiveCount + "\"}");
        }
        return client.createQueue(b -> b.queueName(name).attributes(attributes)).queueUrl();
    }

    /** The queue's ARN as SQS reports it (arn:aws:sqs:us-east-1:000000000000:name). */
    public String queueArn(String queueUrl) {
        return client.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
    }

    public String queueUrl(String name) {
        return client.getQueueUrl(b -> b.queueName(name)).queueUrl();
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.stopAndWait();
        }
    }
}
