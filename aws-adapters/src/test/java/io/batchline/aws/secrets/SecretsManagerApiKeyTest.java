package io.batchline.aws.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.batchline.aws.AwsClients;
import io.batchline.aws.AwsWiring;
import io.batchline.aws.secrets.SecretsManagerApiKey;
import io.batchline.json.Json;
import io.batchline.testing.TestClock;
import io.batchline.provider.ApiKeyUnavailableException;
import io.batchline.provider.ProviderException;
import io.batchline.provider.anthropic.ProviderConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The key source against a small local endpoint speaking Secrets Manager's real JSON protocol
 * ({@code X-Amz-Target: secretsmanager.GetSecretValue}, {@code application/x-amz-json-1.1}), through the real
 * SDK client: caching, bounded refresh, the error classes, and that the key never shows in messages.
 */
class SecretsManagerApiKeyTest {
    static final String ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:batchline-anthropic-AbCdEf";
    static final String KEY = "sk-ant-api03-very-secret-value";

    /** What the endpoint answers next: {status, errorType or null, secretString}. */
    private final AtomicReference<String[]> answer = new AtomicReference<>();
    private final List<JsonNode> calls = Collections.synchronizedList(new ArrayList<>());
    private HttpServer server;
    private SecretsManagerClient client;
    private TestClock clock;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            ObjectNode call = (ObjectNode) Json.MAPPER.readTree(body);
            call.put("_target", target);
            calls.add(call);
            String[] a = answer.get();
            ObjectNode out = Json.MAPPER.createObjectNode();
            int status = Integer.parseInt(a[0]);
            if (a[1] != null) {
                out.put("__type", a[1]);
                out.put("message", "simulated " + a[1]);
                ex.getResponseHeaders().set("x-amzn-ErrorType", a[1]);
            } else {
                out.put("ARN", ARN);
                out.put("Name", "batchline-anthropic");
                out.put("VersionId", "v1");
                out.put("SecretString", a[2]);
                out.putArray("VersionStages").add("AWSCURRENT");
                out.put("CreatedDate", 1.7e9);
            }
            byte[] bytes = Json.bytes(out);
            ex.getResponseHeaders().set("content-type", "application/x-amz-json-1.1");
            ex.getResponseHeaders().set("x-amzn-RequestId", "req-" + calls.size());
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(bytes);
            }
        });
        server.start();
        client = new AwsClients(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "test",
                "AWS_SECRET_ACCESS_KEY", "test",
                "AWS_ENDPOINT_URL_SECRETSMANAGER", "http://127.0.0.1:" + server.getAddress().getPort()))
                .secretsManager();
        clock = new TestClock(Instant.parse("2026-11-25T08:00:00Z"));
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    private SecretsManagerApiKey source() {
        return new SecretsManagerApiKey(client, ARN, Duration.ofMinutes(15), clock);
    }

    private void answerKey(String secretString) {
        answer.set(new String[] {"200", null, secretString});
    }

    private void answerError(int status, String type) {
        answer.set(new String[] {String.valueOf(status), type, null});
    }

    @Test
    void readsTheRawKeyOnceAndKeepsItUntilTheRefreshIsDue() {
        // GIVEN a secret holding the raw key
        answerKey(KEY + "\n");
        SecretsManagerApiKey key = source();

        // WHEN the key is asked for repeatedly within the refresh interval
        assertThat(key.get()).isEqualTo(KEY);
        clock.advance(Duration.ofMinutes(14));
        assertThat(key.get()).isEqualTo(KEY);

        // THEN Secrets Manager was called once, with the real protocol and the secret's ARN
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).path("_target").asText()).isEqualTo("secretsmanager.GetSecretValue");
        assertThat(calls.get(0).path("SecretId").asText()).isEqualTo(ARN);

        // AND a rotated key is picked up once the refresh is due
        answerKey("sk-ant-rotated");
        clock.advance(Duration.ofMinutes(2));
        assertThat(key.get()).isEqualTo("sk-ant-rotated");
        assertThat(calls).hasSize(2);
    }

    @Test
    void readsTheKeyFromAJsonSecret() {
        answerKey("{\"api_key\": \"" + KEY + "\", \"note\": \"rotated monthly\"}");
        assertThat(source().get()).isEqualTo(KEY);
    }

    @Test
    void aMissingSecretIsAPermanentErrorNamingTheSecret() {
        answerError(400, "ResourceNotFoundException");
        assertThatThrownBy(() -> source().get())
                .isInstanceOf(ApiKeyUnavailableException.class)
                .hasMessageContaining(ARN).hasMessageContaining("ResourceNotFoundException")
                .satisfies(e -> {
                    ProviderException p = (ProviderException) e;
                    assertThat(p.retryable()).isFalse();
                    assertThat(p.kind()).isEqualTo(ProviderException.Kind.AUTHENTICATION);
                });
    }

    @Test
    void aDeniedReadIsAPermissionError() {
        answerError(400, "AccessDeniedException");
        assertThatThrownBy(() -> source().get())
                .isInstanceOf(ApiKeyUnavailableException.class)
                .hasMessageContaining("may not read it")
                .satisfies(e -> assertThat(((ProviderException) e).kind()).isEqualTo(ProviderException.Kind.PERMISSION));
    }

    @Test
    void aServerErrorIsRetryableAndAFailedRefreshKeepsTheLastGoodKey() {
        SecretsManagerApiKey key = source();
        // GIVEN no key read yet: a 500 (after the SDK's own bounded retries) is a retryable failure
        answerError(500, "InternalServiceError");
        assertThatThrownBy(key::get).isInstanceOf(ApiKeyUnavailableException.class)
                .satisfies(e -> assertThat(((ProviderException) e).retryable()).isTrue());
        int afterFirst = calls.size();
        assertThat(afterFirst).as("the SDK retried, a bounded number of times").isBetween(2, 5);

        // WHEN a key was read, and a later refresh meets the same failure
        answerKey(KEY);
        assertThat(key.get()).isEqualTo(KEY);
        clock.advance(Duration.ofMinutes(16));
        answerError(500, "InternalServiceError");

        // THEN the last good key stays in use, and the next try waits a short while
        assertThat(key.get()).isEqualTo(KEY);
        int afterRefresh = calls.size();
        assertThat(key.get()).isEqualTo(KEY);
        assertThat(calls).hasSize(afterRefresh);
        clock.advance(SecretsManagerApiKey.RETRY_AFTER_FAILED_REFRESH.plusSeconds(1));
        answerKey("sk-ant-rotated");
        assertThat(key.get()).isEqualTo("sk-ant-rotated");
    }

    @Test
    void aRevokedSecretStopsTheCachedKeyAtTheNextRefresh() {
        answerKey(KEY);
        SecretsManagerApiKey key = source();
        assertThat(key.get()).isEqualTo(KEY);
        clock.advance(Duration.ofMinutes(16));
        answerError(400, "AccessDeniedException");
        assertThatThrownBy(key::get).isInstanceOf(ApiKeyUnavailableException.class);
    }

    @Test
    void theKeyNeverShowsInMessagesOrToString() {
        // a JSON secret that is broken right after the key: the parser would quote it
        answerKey("{\"api_key\": \"" + KEY + "\",,}");
        SecretsManagerApiKey key = source();
        assertThatThrownBy(key::get).isInstanceOf(ApiKeyUnavailableException.class)
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) assertThat(String.valueOf(t)).doesNotContain(KEY);
                });
        answerKey("{\"token\": \"" + KEY + "\"}");
        assertThatThrownBy(key::get).hasMessageContaining("\"api_key\"").hasMessageNotContaining(KEY);
        answerKey(KEY);
        assertThat(key.get()).isEqualTo(KEY);
        assertThat(key.toString()).doesNotContain(KEY).contains(ARN);
    }

    @Test
    void theEnvironmentSelectsSecretsManagerInAws() {
        answerKey(KEY);
        ProviderConfig config = AwsWiring.providerConfig(Map.of(
                ProviderConfig.SECRET_ARN_ENV, ARN,
                "AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",
                "AWS_ENDPOINT_URL_SECRETSMANAGER", "http://127.0.0.1:" + server.getAddress().getPort()));
        assertThat(calls).as("nothing read before first use").isEmpty();
        assertThat(config.apiKey().get()).isEqualTo(KEY);
        assertThat(config.toString()).doesNotContain(KEY);
        assertThat(calls).hasSize(1);
    }
}
