package io.batchline.offline.teststack;

import io.batchline.aws.AwsClients;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Where one AWS service of the selected test stack answers, with the credentials and region to sign with.
 * Closing it stops what was started for it (an offline emulator); LocalStack's shared container stays up for the
 * rest of the test JVM. Clients come from the project's one factory ({@link AwsClients}), as in the functions.
 */
public record AwsEndpoint(String service, URI endpoint, String region, String accessKey, String secretKey,
                          AutoCloseable owner) implements AutoCloseable {

    /** The environment a function would get for this service: only the endpoint differs from AWS. */
    public Map<String, String> clientEnv() {
        return Map.of("AWS_REGION", region, "AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey,
                "AWS_ENDPOINT_URL_" + service.toUpperCase(Locale.ROOT), endpoint.toString(),
                // neither emulator nor LocalStack has wildcard DNS for virtual-hosted buckets
                "BATCHLINE_S3_PATH_STYLE", "true");
    }

    public AwsClients clients() {
        return new AwsClients(clientEnv());
    }

    public S3Client s3Client() {
        return clients().s3();
    }

    public DynamoDbClient dynamoClient() {
        return clients().dynamoDb();
    }

    public SqsClient sqsClient() {
        return clients().sqs();
    }

    public SfnClient sfnClient() {
        return clients().sfn();
    }

    @Override
    public void close() throws Exception {
        if (owner != null) owner.close();
    }
}
