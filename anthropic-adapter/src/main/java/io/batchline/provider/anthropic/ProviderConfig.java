package io.batchline.provider.anthropic;

import io.batchline.catalogue.ModelCatalogue;
import io.batchline.provider.ProviderException;
import io.batchline.provider.RefreshingApiKey;
import io.batchline.render.RequestShape;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How to reach the provider. The key is a {@link Supplier} so it can come from a file, the environment or a
 * secret store (in AWS: Secrets Manager), read lazily and cached; {@link #toString()} never shows it. The API
 * version is one the provider documents ({@link #SUPPORTED_VERSIONS}): any other is refused when the config is built.
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
    public static final String DEFAULT_VERSION = ModelCatalogue.API_VERSION_2023;
    /** The {@code anthropic-version} values the provider documents; 2026-10-21 refuses sampling parameters. */
    public static final List<String> SUPPORTED_VERSIONS =
            List.of(ModelCatalogue.API_VERSION_2023, ModelCatalogue.API_VERSION_2026);
    /** Picks the {@code anthropic-version} header (default {@value #DEFAULT_VERSION}). */
    public static final String VERSION_ENV = RequestShape.API_VERSION_ENV;
    /** Set in AWS: the key is read from this Secrets Manager secret (by the reader the wiring gives {@link #fromEnv(Map, Function)}). */
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
        if (!SUPPORTED_VERSIONS.contains(anthropicVersion)) {
            throw new IllegalArgumentException("anthropic-version '" + anthropicVersion + "' is not one the provider "
                    + "documents; use one of " + String.join(", ", SUPPORTED_VERSIONS));
        }
        requireSafeBaseUrl(baseUrl, "base URL");
        // a trailing slash would double up with our absolute paths
        String s = baseUrl.toString();
        if (s.endsWith("/")) baseUrl = URI.create(s.substring(0, s.length() - 1));
    }

    /**
     * The key travels in a header: over plain {@code http://} only to this machine (the simulator, a local proxy),
     * never across a network. Local = {@code localhost}, 127.0.0.0/8 or {@code ::1}, written as such
     * (no name is resolved).
     */
    static void requireSafeBaseUrl(URI baseUrl, String what) {
        String scheme = baseUrl.getScheme() == null ? "" : baseUrl.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("https")) return;
        if (scheme.equals("http") && isLocalHost(baseUrl.getHost())) return;
        throw new IllegalArgumentException(what + " '" + baseUrl + "' is refused: use https:// (the API key would"
                + " travel unencrypted; plain http:// is allowed only for localhost, 127.0.0.0/8 and ::1)");
    }

    private static boolean isLocalHost(String host) {
        if (host == null) return false;
        String h = host.toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")) return true;
        return h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
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
     * the provider still work without one. {@value #VERSION_ENV} picks the API version (default 2023-06-01);
     * an unknown one fails here, at start-up.
     *
     * <p>This process reads no secret store: with {@value #SECRET_ARN_ENV} set, the key fails on first use.
     *
     * @throws IllegalArgumentException when {@value #VERSION_ENV} names a version the provider does not document,
     *                                  or ANTHROPIC_BASE_URL is plain http:// to a host that is not this machine
     */
    public static ProviderConfig fromEnv(Map<String, String> env) {
        return fromEnv(env, secretArn -> () -> {
            throw new ProviderException(ProviderException.Kind.AUTHENTICATION, 0, "missing_api_key",
                    SECRET_ARN_ENV + " is set, but this process reads no secret store: set ANTHROPIC_API_KEY or"
                            + " ANTHROPIC_API_KEY_FILE", null, null, null);
        });
    }

    /**
     * The same, with {@code keyFromSecret} giving the key source of the secret {@value #SECRET_ARN_ENV} names (in
     * AWS: a Secrets Manager reader, built now so its client is made at cold start; the key is read on first use).
     */
    public static ProviderConfig fromEnv(Map<String, String> env, Function<String, Supplier<String>> keyFromSecret) {
        String version = env.get(VERSION_ENV);
        if (version != null && !version.isBlank() && !SUPPORTED_VERSIONS.contains(version.trim())) {
            throw new IllegalArgumentException(VERSION_ENV + "='" + version.trim() + "' is not an API version the "
                    + "provider documents; use one of " + String.join(", ", SUPPORTED_VERSIONS)
                    + " (unset: " + DEFAULT_VERSION + ")");
        }
        String base = env.get("ANTHROPIC_BASE_URL");
        URI baseUrl = base == null || base.isBlank() ? DEFAULT_BASE_URL : URI.create(base.trim());
        requireSafeBaseUrl(baseUrl, "ANTHROPIC_BASE_URL");
        String key = env.get("ANTHROPIC_API_KEY");
        String keyFile = env.get("ANTHROPIC_API_KEY_FILE");
        String secretArn = env.get(SECRET_ARN_ENV);
        Supplier<String> supplier;
        if (secretArn != null && !secretArn.isBlank()) {
            supplier = keyFromSecret.apply(secretArn.trim());
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
        ProviderConfig config = of(baseUrl, supplier);
        return version == null || version.isBlank() ? config : config.withVersion(version.trim());
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
        if (source instanceof CachedKey || source instanceof RefreshingApiKey) return source; // caches itself
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

    /** The same config sending {@code anthropic-version: apiVersion} (one of {@link #SUPPORTED_VERSIONS}). */
    public ProviderConfig withVersion(String apiVersion) {
        return new ProviderConfig(baseUrl, apiKey, apiVersion, connectTimeout, requestTimeout, maxRetries,
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
