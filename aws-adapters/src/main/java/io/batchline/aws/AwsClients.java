package io.batchline.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the SDK clients the same way in Lambda, in the local stack and in tests: url-connection HTTP
 * client (small, fast cold start), bounded timeouts, the SDK's standard retry mode (bounded attempts,
 * jittered exponential backoff), and endpoint overrides from {@code AWS_ENDPOINT_URL_<SERVICE>} so the same
 * code talks to the offline stack.
 */
public final class AwsClients {
    private final Map<String, String> env;
    private final Region region;

    public AwsClients(Map<String, String> env) {
        this.env = env;
        this.region = Region.of(env.getOrDefault("AWS_REGION", env.getOrDefault("AWS_DEFAULT_REGION", "us-east-1")));
    }

    public S3Client s3() {
        var b = S3Client.builder().region(region).httpClient(http()).overrideConfiguration(s3Overrides())
                .credentialsProvider(credentials())
                // S3Proxy and most emulators need path-style addressing
                .forcePathStyle(Boolean.parseBoolean(env.getOrDefault("BATCHLINE_S3_PATH_STYLE", "false")))
                // HttpURLConnection's Expect: 100-continue handling intermittently fails uploads with "Error writing
                // request body to server" (seen against S3Proxy); our parts are at most 8 MiB, so skip the handshake
                .serviceConfiguration(c -> c.expectContinueEnabled(false))
                // the SDK's default trailing checksums (aws-chunked bodies) broke empty PutObjects against S3Proxy
                // intermittently; checksums only where the API requires them
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
        endpoint("S3").ifPresent(b::endpointOverride);
        return b.build();
    }

    public DynamoDbClient dynamoDb() {
        var b = DynamoDbClient.builder().region(region).httpClient(http()).overrideConfiguration(overrides())
                .credentialsProvider(credentials());
        endpoint("DYNAMODB").ifPresent(b::endpointOverride);
        return b.build();
    }

    public SfnClient sfn() {
        var b = SfnClient.builder().region(region).httpClient(http()).overrideConfiguration(overrides())
                .credentialsProvider(credentials());
        endpoint("SFN").ifPresent(b::endpointOverride);
        return b.build();
    }

    public SqsClient sqs() {
        var b = SqsClient.builder().region(region).httpClient(http()).overrideConfiguration(overrides())
                .credentialsProvider(credentials());
        endpoint("SQS").ifPresent(b::endpointOverride);
        return b.build();
    }

    /**
     * Invokes functions (an operator's cancel): the same credentials and region; a read timeout of 3 minutes, as
     * an invocation lasts as long as the function runs (and a cold start first).
     */
    public io.batchline.aws.lambda.LambdaInvoker lambda() {
        URI endpoint = endpoint("LAMBDA").orElse(URI.create("https://lambda." + region.id() + ".amazonaws.com"));
        return new io.batchline.aws.lambda.LambdaInvoker(UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10)).socketTimeout(Duration.ofMinutes(3)).build(),
                credentials(), region, endpoint);
    }

    /**
     * For the API key (one small call per container and refresh): shorter timeouts than the data clients, so a
     * stuck Secrets Manager fails the stage in seconds and the state machine retries it.
     */
    public SecretsManagerClient secretsManager() {
        var b = SecretsManagerClient.builder().region(region).httpClient(http()).credentialsProvider(credentials())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .addExecutionInterceptor(io.batchline.aws.metrics.AwsOperationCounter.INSTANCE)
                        .retryStrategy(RetryMode.STANDARD) // 3 attempts, jittered backoff
                        .apiCallAttemptTimeout(Duration.ofSeconds(5))
                        .apiCallTimeout(Duration.ofSeconds(20))
                        .build());
        endpoint("SECRETSMANAGER").ifPresent(b::endpointOverride);
        return b.build();
    }

    private java.util.Optional<URI> endpoint(String service) {
        String url = env.get("AWS_ENDPOINT_URL_" + service);
        if (url == null || url.isBlank()) url = env.get("AWS_ENDPOINT_URL");
        return url == null || url.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(URI.create(url));
    }

    private AwsCredentialsProvider credentials() {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id != null && secret != null && env.get("AWS_SESSION_TOKEN") == null) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    private static software.amazon.awssdk.http.SdkHttpClient http() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5))
                .socketTimeout(Duration.ofSeconds(60))
                .build();
    }

    /**
     * S3 with more patient retries: 6 attempts, jittered pauses doubling from 250 ms up to 4 s. Against the local
     * S3 emulator a write now and then failed "Error writing request body to server" on three attempts within 0.3 s
     * (cause not found; not reproduced in thousands of writes); S3 itself also asks clients to back off on 503s.
     */
    private static ClientOverrideConfiguration s3Overrides() {
        return overrides().toBuilder()
                .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(6)
                        .backoffStrategy(software.amazon.awssdk.retries.api.BackoffStrategy.exponentialDelay(
                                Duration.ofMillis(250), Duration.ofSeconds(4)))
                        .build())
                .build();
    }

    private static ClientOverrideConfiguration overrides() {
        return ClientOverrideConfiguration.builder()
                .addExecutionInterceptor(io.batchline.aws.metrics.AwsOperationCounter.INSTANCE) // the run's AWS cost
                .retryStrategy(RetryMode.STANDARD)
                .apiCallAttemptTimeout(Duration.ofSeconds(60))
                .apiCallTimeout(Duration.ofMinutes(3))
                .build();
    }
}
