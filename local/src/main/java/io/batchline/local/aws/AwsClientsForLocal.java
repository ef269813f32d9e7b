package io.batchline.local.aws;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Real AWS SDK v2 clients pointed at the local emulators: region us-east-1, dummy static keys,
 * url-connection-client, bounded timeouts. Callers own (and close) the clients they get.
 */
public final class AwsClientsForLocal {
    public static final Region REGION = Region.US_EAST_1;
    public static final String ACCOUNT_ID = "000000000000";

    /** Long enough for SQS long polling (max 20 s) and large S3 parts, short enough to surface a hang. */
    public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration API_CALL_TIMEOUT = Duration.ofMinutes(2);

    private AwsClientsForLocal() {}

    public static AwsCredentialsProvider credentials() {
        // the emulators run without authentication; the SDK still signs, so any static keys do
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }

    public static SdkHttpClient httpClient() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT)
                .build();
    }

    public static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder()
                .apiCallTimeout(API_CALL_TIMEOUT)
                .apiCallAttemptTimeout(SOCKET_TIMEOUT.plusSeconds(5))
                .build();
    }

    /** Path-style addressing: the emulator has no wildcard DNS for virtual-hosted buckets. */
    public static S3Client s3(URI endpoint) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(credentials())
                .httpClient(httpClient())
                .overrideConfiguration(overrides())
                .forcePathStyle(true)
                .build();
    }

    public static SqsClient sqs(URI endpoint) {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(credentials())
                .httpClient(httpClient())
                .overrideConfiguration(overrides())
                .build();
    }

    public static DynamoDbClient dynamo(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(credentials())
                .httpClient(httpClient())
                .overrideConfiguration(overrides())
                .build();
    }

    /** The endpoint (scheme://host:port) a queue URL such as http://127.0.0.1:9324/000000000000/q lives on. */
    public static URI endpointOf(URI url) {
        return URI.create(url.getScheme() + "://" + url.getAuthority());
    }
}
