package io.batchline.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCatalogueTest {

    private final ModelCatalogue catalogue = ModelCatalogue.bundled();
    private final LocalDate today = LocalDate.parse("2026-12-06");

    @Test
    void theLineupOfDecember2026IsInTheCatalogueWithASourceEach() {
        List<String> lineup = List.of("claude-fable-5-2", "claude-fable-5-1", "claude-opus-5-5", "claude-opus-5",
                "claude-opus-4-8", "claude-opus-4-7", "claude-opus-4-6", "claude-opus-4-5-20251101", "claude-sonnet-5-5",
                "claude-sonnet-5", "claude-sonnet-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-5-5",
                "claude-haiku-4-5-20251001");
        for (String id : lineup) {
            ModelEntry m = catalogue.find(id).orElseThrow(() -> new AssertionError(id + " missing"));
            assertThat(m.source()).as(id).isNotBlank();
            assertThat(m.prices()).as(id).isNotEmpty();
        }
        assertThat(catalogue.asOf()).isEqualTo("2026-12-05");
    }

    @Test
    void dateless4point6IdsArePinnedVersionsAndOldAliasesMove() {
        assertThat(catalogue.problemWith("claude-opus-4-6", today, false)).isEmpty();
        assertThat(catalogue.problemWith("claude-haiku-5-5", today, false)).isEmpty();
        assertThat(catalogue.problemWith("claude-haiku-4-5-20251001", today, false)).isEmpty();
        assertThat(catalogue.problemWith("claude-haiku-4-5", today, false)).get().asString()
                .contains("alias").contains("claude-haiku-4-5-20251001").contains("allow_unpinned_model");
        assertThat(catalogue.problemWith("claude-haiku-4-5", today, true)).isEmpty();
        assertThat(catalogue.find("claude-haiku-4-5").orElseThrow().id()).isEqualTo("claude-haiku-4-5-20251001");
    }

    @Test
    void aRetiredModelNamesItsDateAndSuccessor() {
        // Sonnet 4.5's retirement was scheduled for 2026-11-30: served the day before, refused from that day on
        assertThat(catalogue.problemWith("claude-sonnet-4-5-20250929", LocalDate.parse("2026-11-29"), false)).isEmpty();
        assertThat(catalogue.problemWith("claude-sonnet-4-5-20250929", today, false)).get().asString()
                .contains("retired on 2026-11-30").contains("claude-sonnet-4-6");
        assertThat(catalogue.servedIds(today)).doesNotContain("claude-sonnet-4-5-20250929").contains("claude-opus-4-6");
    }

    @Test
    void anUnknownModelListsTheServedIdsAndHowToAddOne() {
        assertThat(catalogue.problemWith("claude-opus-9", today, false)).get().asString()
                .contains("claude-opus-5-5").contains("claude-haiku-5-5").contains("BATCHLINE_MODELS_FILE")
                .doesNotContain("claude-sonnet-4-5-20250929");
    }

    @Test
    void requestRulesPerModel() {
        ModelEntry sonnet55 = catalogue.find("claude-sonnet-5-5").orElseThrow();
        assertThat(sonnet55.sampling()).isEqualTo(ModelEntry.Sampling.NON_DEFAULT_REFUSED);
        assertThat(sonnet55.thinking().off()).isEqualTo("between_tools");
        assertThat(sonnet55.thinking().canTurnOff("low")).isTrue();
        assertThat(sonnet55.thinking().canTurnOff("max")).isFalse();
        assertThat(sonnet55.maxOutputTokens(true)).isEqualTo(300_000);
        assertThat(sonnet55.maxOutputTokens(false)).isEqualTo(128_000);
        ModelEntry opus55 = catalogue.find("claude-opus-5-5").orElseThrow();
        assertThat(opus55.thinking().canTurnOff("low")).isFalse();
        assertThat(opus55.effort().lowest()).isEqualTo("low");
        ModelEntry opus46 = catalogue.find("claude-opus-4-6").orElseThrow();
        assertThat(opus46.sampling()).isEqualTo(ModelEntry.Sampling.ALLOWED);
        assertThat(opus46.prefill()).isFalse();
        assertThat(opus46.thinking().onByDefault()).isFalse();
        assertThat(opus46.bedrockId()).isEqualTo("anthropic.claude-opus-4-6-v1");
        assertThat(catalogue.find("claude-haiku-4-5").orElseThrow().effort()).isNull();
        assertThat(catalogue.versionRefusesSampling("2026-10-21")).isTrue();
        assertThat(catalogue.versionRefusesSampling("2023-06-01")).isFalse();
    }
}
