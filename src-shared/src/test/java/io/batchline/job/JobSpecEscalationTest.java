package io.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.catalogue.ModelCatalogue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The job's {@code escalation}: bound with its defaults, its model checked like the job's, every problem by path. */
class JobSpecEscalationTest {
    private static JobSpec load(String extra) {
        return SmallJobs.with(extra);
    }

    @Test
    void anEscalationIsBoundAndCoversRejectedByDefault() {
        JobSpec job = load("escalation: {model: claude-opus-4-6}\n");
        assertThat(job.escalation().model()).isEqualTo("claude-opus-4-6");
        assertThat(job.escalation().covers("rejected")).isTrue();
        assertThat(job.escalation().covers("review")).isFalse();
        assertThat(job.escalation().covers("invalid")).isFalse();
        JobSpec all = load("escalation: {on: [review, invalid], model: claude-opus-4-6, max_tokens: 400,"
                + " system: Think twice., structured_output: off}\n");
        assertThat(all.escalation().on()).containsExactly("review", "invalid");
        assertThat(all.escalation().covers("rejected")).isFalse();
        assertThat(all.escalation().maxTokens()).isEqualTo(400);
        assertThat(all.escalation().structuredOutput()).isEqualTo("off");
        assertThat(load("").escalation()).isNull();
    }

    @Test
    void unknownKeysTiersAndAMissingModelAreRefusedByPath() {
        assertThatThrownBy(() -> load("escalation: {model: claude-opus-4-6, modle: x}\n"))
                .isInstanceOf(JobSpecException.class).hasMessageContaining("$.escalation").hasMessageContaining("modle");
        assertThatThrownBy(() -> load("escalation: {on: [failed], model: claude-opus-4-6}\n"))
                .hasMessageContaining("$.escalation.on[0]");
        assertThatThrownBy(() -> load("escalation: {on: [rejected]}\n"))
                .hasMessageContaining("$.escalation").hasMessageContaining("model");
    }

    @Test
    void theEscalationModelIsCheckedAgainstTheCatalogueAndItsRequestRules() {
        assertThatThrownBy(() -> load("escalation: {model: claude-opus-9}\n"))
                .hasMessageContaining("$.escalation.model: ");
        // retired on the day the job is checked for a run (2026-11-30), as the job's own model would be
        assertThatThrownBy(() -> JobSpecLoader.load((SmallJobs.BASE + "escalation: {model: claude-sonnet-4-5-20250929}\n")
                .getBytes(StandardCharsets.UTF_8), java.time.LocalDate.of(2026, 12, 6),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023))
                .hasMessageContaining("$.escalation.model: ").hasMessageContaining("retired");
        // a moving alias needs allow_unpinned_model, as the job's model does
        assertThatThrownBy(() -> load("escalation: {model: claude-haiku-4-5}\n"))
                .hasMessageContaining("$.escalation.model: ");
        // the job's temperature is fine for Haiku 4.5 but Opus 5.5 refuses it: named under the escalation
        assertThatThrownBy(() -> load("temperature: 0.2\nescalation: {model: claude-opus-5-5}\n"))
                .hasMessageContaining("$.escalation.temperature: ");
        assertThatThrownBy(() -> load("escalation: {model: claude-opus-4-6, max_tokens: 900000}\n"))
                .hasMessageContaining("$.escalation.max_tokens: ");
    }

    @Test
    void chunkedLongInputsDoNotCombineWithAnEscalation() {
        assertThatThrownBy(() -> load("""
                long_inputs: {field: subject, max_input_tokens: 1000, mode: chunk}
                escalation: {model: claude-opus-4-6}
                """)).isInstanceOf(JobSpecException.class)
                .satisfies(e -> assertThat(((JobSpecException) e).getMessage())
                        .contains("$.escalation: cannot be combined with long_inputs mode chunk"));
    }

    @Test
    void theSamplesEscalationExampleLoads() throws Exception {
        JobSpec job = JobSpecLoader.load(java.nio.file.Files.readAllBytes(
                java.nio.file.Path.of("../samples/ticket-triage/job-escalate.yaml")),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        assertThat(job.model()).isEqualTo("claude-haiku-5-5");
        assertThat(job.escalation().model()).isEqualTo("claude-opus-4-6");
        assertThat(job.escalation().on()).containsExactly("rejected");
        assertThat(job.longInputs().mode()).isEqualTo("truncate");
        // the shipped job does not escalate
        assertThat(JobSpecLoader.load(java.nio.file.Files.readAllBytes(
                java.nio.file.Path.of("../samples/ticket-triage/job.yaml")),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).escalation()).isNull();
    }

    @Test
    void everyProblemIsNamedAtOnce() {
        assertThatThrownBy(() -> load("temperature: 0.2\nescalation: {on: [sometimes], model: claude-opus-9}\n"))
                .satisfies(e -> assertThat(List.of(e.getMessage().split("\n")).toString())
                        .contains("$.escalation.on[0]", "$.escalation.model"));
    }
}
