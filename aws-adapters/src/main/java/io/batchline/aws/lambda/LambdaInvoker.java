package io.batchline.aws.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.regions.Region;

/**
 * Invokes a function synchronously, as {@code aws lambda invoke} does: Lambda's Invoke API, signed with SigV4
 * (the SDK's signer and HTTP client; the SDK's Lambda client is not among the project's dependencies). At most
 * {@value #ATTEMPTS} attempts, with jittered pauses, on a connection failure, throttling (429) or a 5xx: the
 * functions invoked this way (cancel, mark-failed, sweep) are idempotent.
 */
public final class LambdaInvoker implements AutoCloseable {
    static final int ATTEMPTS = 3;
    private static final Set<Integer> RETRIED = Set.of(429, 500, 502, 503, 504);
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final Region region;
    private final URI endpoint;

    /** @param endpoint Lambda's endpoint: {@code https://lambda.<region>.amazonaws.com}, or an emulator's */
    public LambdaInvoker(SdkHttpClient http, AwsCredentialsProvider credentials, Region region, URI endpoint) {
        this.http = http;
        this.credentials = credentials;
        this.region = region;
        this.endpoint = endpoint;
    }

    /** What a function answered: its JSON, and whether it was a function error ({@code errorMessage} inside). */
    public record Answer(JsonNode body, boolean functionError, String raw) {
        public String errorMessage() {
            return body.path("errorMessage").asText(raw);
        }
    }

    /** @param function the function's name or ARN (an alias ARN invokes that alias) */
    public Answer invoke(String function, Object payload) {
        byte[] json = Json.bytes(payload);
        URI uri = endpoint.resolve("/2015-03-31/functions/" + URLEncoder.encode(function, StandardCharsets.UTF_8)
                + "/invocations");
        RuntimeException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) pause(attempt);
            try {
                HttpExecuteResponse response = http.prepareRequest(signed(uri, json)).call();
                int status = response.httpResponse().statusCode();
                String body = read(response);
                if (status == 200) {
                    JsonNode tree = body.isBlank() ? Json.MAPPER.createObjectNode()
                            : Json.tree(body.getBytes(StandardCharsets.UTF_8));
                    return new Answer(tree, response.httpResponse().firstMatchingHeader("X-Amz-Function-Error")
                            .isPresent(), body);
                }
                last = new IllegalStateException("invoking " + function + ": HTTP " + status + ": " + body);
                if (!RETRIED.contains(status)) throw last;
            } catch (IOException e) {
                last = new UncheckedIOException("invoking " + function + " at " + endpoint + ": " + e.getMessage(), e);
            }
        }
        throw last;
    }

    private HttpExecuteRequest signed(URI uri, byte[] json) {
        SdkHttpRequest request = SdkHttpRequest.builder().uri(uri).method(SdkHttpMethod.POST)
                .putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", Integer.toString(json.length)).build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials.resolveCredentials())
                .request(request).payload(ContentStreamProvider.fromByteArray(json))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "lambda")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
        return HttpExecuteRequest.builder().request(signed.request())
                .contentStreamProvider(signed.payload().orElse(null)).build();
    }

    private static String read(HttpExecuteResponse response) throws IOException {
        if (response.responseBody().isEmpty()) return "";
        try (InputStream in = response.responseBody().get()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void pause(int attempt) {
        long ceiling = Duration.ofMillis(500).toMillis() << (attempt - 2);
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling / 2, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while invoking a function", e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
