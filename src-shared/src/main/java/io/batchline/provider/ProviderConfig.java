package io.batchline.provider;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How to reach the provider. The key is a {@link Supplier} so it can come from a file, the environment or
 * (later) Secrets Manager, read lazily and cached; {@link #toString()} never shows it.
 */
public record ProviderConfig(
        URI baseUrl,
        Supplier<String> apiKey,
        String anthropicVersion,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxRetries,
        Duration baseBackoff,
        Duration maxBackoff) {

    public static final URI DEFAULT_BASE_URL = URI.create("https://api.anthropic.com");
    public static final String DEFAULT_VERSION = "2023-06-01";
    /** Set in AWS: the key is read from this Secrets Manager secret (see {@link SecretsManagerApiKey}). */
    public static final String SECRET_ARN_ENV = "ANTHROPIC_API_KEY_SECRET_ARN";

    public ProviderConfig {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(anthropicVersion, "anthropicVersion");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(baseBackoff, "baseBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0");
        // a trailing slash would double up with our absolute paths
        String s = baseUrl.toString();
        if (s.endsWith("/")) baseUrl = URI.create(s.substring(0, s.length() - 1));
    }

    /** Defaults (version 2023-06-01, connect 10 s, request 60 s, 4 retries, backoff 1 s..30 s). */
    public static ProviderConfig of(URI baseUrl, Supplier<String> apiKey) {
        return new ProviderConfig(baseUrl, cached(apiKey), DEFAULT_VERSION, Duration.ofSeconds(10),
                Duration.ofSeconds(60), 4, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    /**
     * ANTHROPIC_BASE_URL (default https://api.anthropic.com); the key from the Secrets Manager secret named by
     * ANTHROPIC_API_KEY_SECRET_ARN when set (AWS), else ANTHROPIC_API_KEY or ANTHROPIC_API_KEY_FILE (the file's
     * contents, trimmed). A missing key fails on first use, not here, so commands that never call
     * the provider still work without one.
     */
    public static ProviderConfig fromEnv(Map<String, String> env) {
        String base = env.get("ANTHROPIC_BASE_URL");
        URI baseUrl = base == null || base.isBlank() ? DEFAULT_BASE_URL : URI.create(base.trim());
        String key = env.get("ANTHROPIC_API_KEY");
        String keyFile = env.get("ANTHROPIC_API_KEY_FILE");
        String secretArn = env.get(SECRET_ARN_ENV);
        Supplier<String> supplier;
        if (secretArn != null && !secretArn.isBlank()) {
            // in AWS: the client is built now (cold start, not first call); the key is read on first use
            supplier = new SecretsManagerApiKey(new io.batchline.aws.AwsClients(env).secretsManager(), secretArn.trim());
        } else if (key != null && !key.isBlank()) {
            String k = key.trim();
            supplier = () -> k;
        } else if (keyFile != null && !keyFile.isBlank()) {
            Path p = Path.of(keyFile.trim());
            supplier = () -> readKeyFile(p);
        } else {
            supplier = () -> {
                throw new ProviderException(ProviderException.Kind.AUTHENTICATION, 0, "missing_api_key",
                        "set ANTHROPIC_API_KEY or ANTHROPIC_API_KEY_FILE (in AWS: " + SECRET_ARN_ENV + ")", null, null, null);
            };
        }
        return of(baseUrl, supplier);
    }

    private static String readKeyFile(Path p) {
        try {
            String k = Files.readString(p, StandardCharsets.UTF_8).trim();
            if (k.isEmpty()) {
                throw new ProviderException(ProviderException.Kind.AUTHENTICATION, 0, "missing_api_key",
                        "ANTHROPIC_API_KEY_FILE " + p + " is empty", null, null, null);
            }
            return k;
        } catch (IOException e) {
            throw new ProviderException(ProviderException.Kind.AUTHENTICATION, 0, "missing_api_key",
                    "cannot read ANTHROPIC_API_KEY_FILE " + p + ": " + e.getClass().getSimpleName(), null, null, e);
        }
    }

    /** Reads the key once, on first use; a failed read is retried next time rather than cached. */
    public static Supplier<String> cached(Supplier<String> source) {
        if (source instanceof CachedKey || source instanceof SecretsManagerApiKey) return source; // caches itself
        return new CachedKey(source);
    }

    private static final class CachedKey implements Supplier<String> {
        private final Supplier<String> source;
        private volatile String value;

        CachedKey(Supplier<String> source) { this.source = source; }

        @Override
        public String get() {
            String v = value;
            if (v == null) {
                synchronized (this) {
                    if (value == null) value = source.get();
                    v = value;
                }
            }
            return v;
        }

        @Override
        public String toString() { return "ApiKey[***]"; }
    }

    public ProviderConfig withRetries(int maxRetries, Duration baseBackoff, Duration maxBackoff) {
        return new ProviderConfig(baseUrl, apiKey, anthropicVersion, connectTimeout, requestTimeout, maxRetries,
                baseBackoff, maxBackoff);
    }

    public ProviderConfig withTimeouts(Duration connectTimeout, Duration requestTimeout) {
        return new ProviderConfig(baseUrl, apiKey, anthropicVersion, connectTimeout, requestTimeout, maxRetries,
                baseBackoff, maxBackoff);
    }

    @Override
    public String toString() {
        return "ProviderConfig[baseUrl=" + baseUrl + ", apiKey=***, anthropicVersion=" + anthropicVersion
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout + ", maxRetries="
                + maxRetries + ", baseBackoff=" + baseBackoff + ", maxBackoff=" + maxBackoff + "]";
    }
}
