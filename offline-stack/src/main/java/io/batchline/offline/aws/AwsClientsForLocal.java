package io.batchline.offline.aws;

import io.batchline.aws.AwsClients;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Real AWS SDK v2 clients pointed at one local emulator, built by the project's one client factory
 * ({@link AwsClients}: timeouts, retries, url-connection client) with the environment a function gets locally.
 * Callers own (and close) the clients they get.
 */
public final class AwsClientsForLocal {
    public static final Region REGION = Region.US_EAST_1;
    public static final String ACCOUNT_ID = "000000000000";

    private AwsClientsForLocal() {}

    /** Path-style addressing: the emulator has no wildcard DNS for virtual-hosted buckets. */
    public static S3Client s3(URI endpoint) {
        return clients("S3", endpoint).s3();
    }

    public static SqsClient sqs(URI endpoint) {
        return clients("SQS", endpoint).sqs();
    }

    public static DynamoDbClient dynamo(URI endpoint) {
        return clients("DYNAMODB", endpoint).dynamoDb();
    }

    private static AwsClients clients(String service, URI endpoint) {
        // the emulators run without authentication; the SDK still signs, so any static keys do
        return new AwsClients(Map.of("AWS_REGION", REGION.id(), "AWS_ACCESS_KEY_ID", "local",
                "AWS_SECRET_ACCESS_KEY", "local", "AWS_ENDPOINT_URL_" + service, endpoint.toString(),
                "BATCHLINE_S3_PATH_STYLE", "true"));
    }

    /** The endpoint (scheme://host:port) a queue URL such as http://127.0.0.1:9324/000000000000/q lives on. */
    public static URI endpointOf(URI url) {
        return URI.create(url.getScheme() + "://" + url.getAuthority());
    }
}
