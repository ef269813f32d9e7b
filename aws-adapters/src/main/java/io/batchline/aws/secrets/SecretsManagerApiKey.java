package io.batchline.aws.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.provider.ApiKeyUnavailableException;
import io.batchline.provider.ProviderException;
import io.batchline.provider.RefreshingApiKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * The API key from AWS Secrets Manager ({@code ANTHROPIC_API_KEY_SECRET_ARN}), read on first use and kept for
 * the container's life, re-read after {@link #DEFAULT_REFRESH} so a rotated key is picked up. The secret holds
 * the raw key or JSON {@code {"api_key": "..."}}. The SDK client bounds each read (timeouts, standard retries).
 *
 * <p>A refresh that fails for a passing reason (throttling, timeout, 5xx) keeps the last good key and tries
 * again {@link #RETRY_AFTER_FAILED_REFRESH} later; a missing, denied or empty secret always fails, so a revoked
 * key stops being used. Neither the key nor the secret's text is ever logged or put in a message.
 */
public final class SecretsManagerApiKey implements RefreshingApiKey {
    private static final Logger LOG = Logger.getLogger(SecretsManagerApiKey.class.getName());
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(15);
    static final Duration RETRY_AFTER_FAILED_REFRESH = Duration.ofSeconds(30);
    static final String JSON_FIELD = "api_key";

    private final SecretsManagerClient client;
    private final String secretId;
    private final Duration refreshAfter;
    private final Clock clock;
    private volatile Held held;

    private record Held(String key, Instant refreshAt) {}

    public SecretsManagerApiKey(SecretsManagerClient client, String secretId, Duration refreshAfter, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.secretId = Objects.requireNonNull(secretId, "secretId");
        this.refreshAfter = Objects.requireNonNull(refreshAfter, "refreshAfter");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public SecretsManagerApiKey(SecretsManagerClient client, String secretId) {
        this(client, secretId, DEFAULT_REFRESH, Clock.systemUTC());
    }

    @Override
    public String get() {
        Held h = held;
        if (h != null && clock.instant().isBefore(h.refreshAt())) return h.key();
        synchronized (this) {
            h = held;
            Instant now = clock.instant();
            if (h != null && now.isBefore(h.refreshAt())) return h.key();
            try {
                String key = read();
                held = new Held(key, now.plus(refreshAfter));
                return key;
            } catch (ApiKeyUnavailableException e) {
                if (h == null || !e.retryable()) throw e;
                LOG.warning(() -> "refreshing the API key from " + secretId + " failed (" + e.getMessage()
                        + "); keeping the key read before, next try in " + RETRY_AFTER_FAILED_REFRESH.toSeconds() + " s");
                held = new Held(h.key(), now.plus(RETRY_AFTER_FAILED_REFRESH));
                return h.key();
            }
        }
    }

    private String read() {
        GetSecretValueResponse r;
        try {
            r = client.getSecretValue(b -> b.secretId(secretId));
        } catch (SdkServiceException e) {
            throw fromService(e);
        } catch (SdkClientException e) {
            // timeouts and connection failures, after the SDK's own retries
            throw new ApiKeyUnavailableException(ProviderException.Kind.CONNECTION,
                    "reading secret " + secretId + " from Secrets Manager failed: " + e.getClass().getSimpleName()
                            + " " + safe(e.getMessage()), e);
        }
        String text = r.secretString();
        if (text == null && r.secretBinary() != null) text = r.secretBinary().asString(StandardCharsets.UTF_8);
        return keyIn(text, secretId);
    }

    /** The key in a secret's text: the text itself, or the {@code api_key} of a JSON object. */
    static String keyIn(String text, String secretId) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new ApiKeyUnavailableException(ProviderException.Kind.AUTHENTICATION, "secret " + secretId
                    + " is empty: put the key in with aws secretsmanager put-secret-value", null);
        }
        if (t.startsWith("{")) {
            JsonNode n;
            try {
                n = Json.MAPPER.readTree(t);
            } catch (IOException e) {
                // no parser message and no cause: both could quote the secret's text
                throw new ApiKeyUnavailableException(ProviderException.Kind.AUTHENTICATION,
                        "secret " + secretId + " starts with '{' but is not valid JSON", null);
            }
            JsonNode key = n.path(JSON_FIELD);
            if (!key.isTextual() || key.asText().isBlank()) {
                throw new ApiKeyUnavailableException(ProviderException.Kind.AUTHENTICATION, "secret " + secretId
                        + " is a JSON object without a non-empty \"" + JSON_FIELD + "\" string", null);
            }
            return key.asText().strip();
        }
        return t;
    }

    private ApiKeyUnavailableException fromService(SdkServiceException e) {
        String code = e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException a
                && a.awsErrorDetails() != null ? a.awsErrorDetails().errorCode() : null;
        String what = "reading secret " + secretId + " from Secrets Manager: " + (code == null ? "" : code + " ")
                + "(HTTP " + e.statusCode() + ")";
        ProviderException.Kind kind;
        if ("AccessDeniedException".equals(code) || e.statusCode() == 403) {
            kind = ProviderException.Kind.PERMISSION;
            what += ": the function's role may not read it (secretsmanager:GetSecretValue, and kms:Decrypt for a"
                    + " customer key)";
        } else if (e.isThrottlingException() || e.statusCode() >= 500) {
            kind = ProviderException.Kind.CONNECTION; // passing: retried by the stage
        } else {
            kind = ProviderException.Kind.AUTHENTICATION; // not found, deleted, cannot decrypt, bad request
            if ("ResourceNotFoundException".equals(code)) what += ": no such secret, or it has no value yet";
        }
        return new ApiKeyUnavailableException(kind, what, e);
    }

    /** SDK messages carry request ids and reasons, not secret values; cut them short all the same. */
    private static String safe(String m) {
        if (m == null) return "";
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    @Override
    public String toString() {
        return "SecretsManagerApiKey[" + secretId + ", ***]";
    }
}
