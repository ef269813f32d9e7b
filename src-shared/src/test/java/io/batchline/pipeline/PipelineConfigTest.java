package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.catalogue.ModelCatalogue;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineConfigTest {

    @Test
    void anEmptyEnvironmentGivesTheDocumentedDefaults() {
        PipelineConfig c = PipelineConfig.fromEnv(Map.of());
        assertThat(c.providerOutageHorizon()).isEqualTo(Duration.ofHours(30));
        assertThat(c.collectCheckpointEvery()).isEqualTo(10_000);
        assertThat(c.collectGroupRequests()).isEqualTo(2_000);
        assertThat(c.formatCheckpointEvery()).isEqualTo(10_000);
        assertThat(c.models().get()).isSameAs(ModelCatalogue.bundled());
        assertThat(c.anthropicVersion()).isEqualTo("2023-06-01");
        assertThat(c.functionMemoryMb()).isEqualTo(1024);
        assertThat(c.chaosFile()).isNull();
        PipelineConfig forTests = new PipelineConfig("t", null, 30, 1800);
        assertThat(forTests.providerOutageHorizon()).isEqualTo(c.providerOutageHorizon());
        assertThat(forTests.collectCheckpointEvery()).isEqualTo(c.collectCheckpointEvery());
        assertThat(forTests.collectGroupRequests()).isEqualTo(c.collectGroupRequests());
        assertThat(forTests.formatCheckpointEvery()).isEqualTo(c.formatCheckpointEvery());
        assertThat(forTests.functionMemoryMb()).isEqualTo(c.functionMemoryMb());
    }

    @Test
    void eachSettingIsReadFromItsVariableAndKeptInBounds() {
        PipelineConfig c = PipelineConfig.fromEnv(Map.of(
                "BATCHLINE_PROVIDER_OUTAGE_HORIZON_SECONDS", "600",
                "BATCHLINE_COLLECT_CHECKPOINT_EVERY", "5",
                "BATCHLINE_COLLECT_GROUP_REQUESTS", "1",
                "BATCHLINE_FORMAT_CHECKPOINT_EVERY", "0",
                "BATCHLINE_ANTHROPIC_VERSION", " 2026-10-21 ",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048",
                "BATCHLINE_CHAOS_FILE", "/tmp/chaos.json"));
        assertThat(c.providerOutageHorizon()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.collectCheckpointEvery()).isEqualTo(5);
        assertThat(c.collectGroupRequests()).isEqualTo(1);
        assertThat(c.formatCheckpointEvery()).isZero();
        assertThat(c.anthropicVersion()).isEqualTo("2026-10-21");
        assertThat(c.functionMemoryMb()).isEqualTo(2048);
        assertThat(c.chaosFile()).isEqualTo("/tmp/chaos.json");

        PipelineConfig clamped = PipelineConfig.fromEnv(Map.of("BATCHLINE_PROVIDER_OUTAGE_HORIZON_SECONDS", "0",
                "BATCHLINE_COLLECT_CHECKPOINT_EVERY", "0", "BATCHLINE_COLLECT_GROUP_REQUESTS", "-3",
                "BATCHLINE_FORMAT_CHECKPOINT_EVERY", "-1", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "lots"));
        assertThat(clamped.providerOutageHorizon()).isEqualTo(Duration.ofSeconds(1));
        assertThat(clamped.collectCheckpointEvery()).isEqualTo(1);
        assertThat(clamped.collectGroupRequests()).isEqualTo(1);
        assertThat(clamped.formatCheckpointEvery()).isZero();
        assertThat(clamped.functionMemoryMb()).isEqualTo(1024);
    }

    @Test
    void aNamedModelsFileIsReadOnFirstUseNotWhenTheConfigIsParsed() {
        PipelineConfig c = PipelineConfig.fromEnv(Map.of(ModelCatalogue.MODELS_FILE_ENV, "/no/such/models.json"));
        assertThatThrownBy(() -> c.models().get()).hasMessageContaining(ModelCatalogue.MODELS_FILE_ENV);
        assertThatThrownBy(() -> PipelineConfig.fromEnv(Map.of("BATCHLINE_COLLECT_GROUP_REQUESTS", "many")))
                .hasMessageContaining("BATCHLINE_COLLECT_GROUP_REQUESTS must be a whole number");
    }
}
