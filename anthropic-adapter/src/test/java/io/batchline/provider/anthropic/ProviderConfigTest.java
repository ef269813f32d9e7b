package io.batchline.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.provider.ProviderException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProviderConfigTest {

    @Test
    void defaults() {
        ProviderConfig c = ProviderConfig.fromEnv(Map.of("ANTHROPIC_API_KEY", "sk-test-123"));
        assertThat(c.baseUrl()).isEqualTo(URI.create("https://api.anthropic.com"));
        assertThat(c.anthropicVersion()).isEqualTo("2023-06-01");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.requestTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.maxRetries()).isEqualTo(4);
        assertThat(c.baseBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.apiKey().get()).isEqualTo("sk-test-123");
        assertThat(c.toString()).doesNotContain("sk-test-123");
    }

    @Test
    void theApiVersionIsChosenByBatchlineAnthropicVersion() {
        assertThat(ProviderConfig.fromEnv(Map.of(ProviderConfig.VERSION_ENV, "2026-10-21")).anthropicVersion())
                .isEqualTo("2026-10-21");
        assertThat(ProviderConfig.fromEnv(Map.of(ProviderConfig.VERSION_ENV, " 2023-06-01 ")).anthropicVersion())
                .isEqualTo("2023-06-01");
        assertThat(ProviderConfig.fromEnv(Map.of(ProviderConfig.VERSION_ENV, "")).anthropicVersion())
                .isEqualTo("2023-06-01");
    }

    @Test
    void anUnknownApiVersionIsRefusedAtStartUpNamingTheSettingAndTheKnownOnes() {
        assertThatThrownBy(() -> ProviderConfig.fromEnv(Map.of(ProviderConfig.VERSION_ENV, "2024-01-01")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BATCHLINE_ANTHROPIC_VERSION='2024-01-01'")
                .hasMessageContaining("2023-06-01, 2026-10-21");
        ProviderConfig c = ProviderConfig.of(URI.create("http://localhost:1"), () -> "k");
        assertThatThrownBy(() -> c.withVersion("2025-01-01")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2025-01-01");
    }

    @Test
    void aPlainHttpBaseUrlIsRefusedUnlessItIsLocal() {
        for (String local : new String[] {"http://localhost:8080", "http://LOCALHOST", "http://127.0.0.1:1",
                "http://127.45.6.7:9", "http://[::1]:8080", "https://proxy.example.com"}) {
            assertThat(ProviderConfig.of(URI.create(local), () -> "k").baseUrl().getHost()).isNotNull();
        }
        for (String remote : new String[] {"http://api.anthropic.com", "http://10.0.0.5:8080", "http://localhost.evil.com",
                "http://127.0.0.1.nip.io", "ftp://api.anthropic.com"}) {
            assertThatThrownBy(() -> ProviderConfig.of(URI.create(remote), () -> "k"), remote)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(remote)
                    .hasMessageContaining("https://");
        }
        assertThatThrownBy(() -> ProviderConfig.fromEnv(Map.of("ANTHROPIC_BASE_URL", "http://my-proxy:8080")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ANTHROPIC_BASE_URL");
    }

    @Test
    void keyFromFileIsTrimmedReadLazilyAndCached(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("key");
        ProviderConfig c = ProviderConfig.fromEnv(Map.of("ANTHROPIC_API_KEY_FILE", f.toString(),
                "ANTHROPIC_BASE_URL", "http://localhost:9999/"));
        assertThat(c.baseUrl()).isEqualTo(URI.create("http://localhost:9999"));
        Files.writeString(f, "  sk-from-file\n"); // written after fromEnv: proves the read is lazy
        assertThat(c.apiKey().get()).isEqualTo("sk-from-file");
        Files.writeString(f, "sk-rotated");
        assertThat(c.apiKey().get()).isEqualTo("sk-from-file");
    }

    @Test
    void missingKeyFailsOnUseWithAClearError() {
        ProviderConfig c = ProviderConfig.fromEnv(Map.of());
        assertThatThrownBy(() -> c.apiKey().get()).isInstanceOf(ProviderException.class)
                .hasMessageContaining("ANTHROPIC_API_KEY")
                .satisfies(e -> assertThat(((ProviderException) e).kind())
                        .isEqualTo(ProviderException.Kind.AUTHENTICATION));
    }

    @Test
    void cachedSupplierCallsSourceOnce() {
        AtomicInteger calls = new AtomicInteger();
        var s = ProviderConfig.cached(() -> "k" + calls.incrementAndGet());
        assertThat(s.get()).isEqualTo("k1");
        assertThat(s.get()).isEqualTo("k1");
        assertThat(calls).hasValue(1);
        assertThat(s.toString()).doesNotContain("k1");
    }
}
