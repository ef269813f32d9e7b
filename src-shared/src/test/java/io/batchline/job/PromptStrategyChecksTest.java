package io.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.batchline.catalogue.ModelCatalogue;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** few_shot, long_inputs and strata: typed when valid, every problem named by its path when not. */
class PromptStrategyChecksTest {
    static final String BASE = """
            name: checks-test
            model: claude-haiku-4-5-20251001
            max_tokens: 100
            user_template: "{{subject}}: {{body}}"
            ground_truth_field: label
            output_schema:
              type: object
              additionalProperties: false
              required: [team, confidence]
              properties:
                team: {enum: [billing, account]}
                tags: {type: array, items: {type: string}}
                confidence: {type: number}
            """;

    static JobSpec load(String extra) {
        return JobSpecLoader.load((BASE + extra).getBytes(StandardCharsets.UTF_8),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    static java.util.List<String> problems(String extra) {
        return catchThrowableOfType(() -> load(extra), JobSpecException.class).problems();
    }

    @Test
    void theThreeFieldsLoadTyped() {
        JobSpec job = load("""
                few_shot:
                  examples: [{input: {subject: a, body: b}, output: {team: billing, confidence: 1}}]
                long_inputs: {field: body, max_input_tokens: 500, mode: chunk, overlap_tokens: 50, merge: union,
                              merge_fields: {team: majority}}
                strata: [{name: long, when: {min_tokens: 300}, max_tokens: 200}]
                """);
        assertThat(job.fewShot().examples()).hasSize(1);
        assertThat(job.longInputs().mode()).isEqualTo("chunk");
        assertThat(job.longInputs().mergeFields()).containsEntry("team", "majority");
        assertThat(job.strata().get(0).when().minTokens()).isEqualTo(300);
    }

    @Test
    void examplesMustRenderAndMeetTheOutputSchemaAndNotKeyOnTheLabel() {
        assertThat(problems("""
                few_shot:
                  examples:
                    - {input: {subject: a}, output: {team: sales, confidence: 1}}
                  by_field: label
                  by_value: {billing: [{input: "x", output: {team: billing}}]}
                """)).containsExactlyInAnyOrder(
                "$.few_shot.examples[0].input: cannot be rendered with user_template: template field 'body' is missing",
                "$.few_shot.examples[0].output: does not match output_schema: /team: does not have a value in the "
                        + "enumeration [\"billing\", \"account\"] (enum)",
                "$.few_shot.by_value.billing[0].output: does not match output_schema: /: required property "
                        + "'confidence' not found (required)",
                "$.few_shot.by_field: 'label' is the ground_truth_field: choosing examples by the label would leak it"
                        + " to the model");
    }

    @Test
    void longInputsNamesATemplateFieldAndConsistentChunkSettings() {
        assertThat(problems("long_inputs: {field: text, max_input_tokens: 100, marker: '[cut]', chunk_tokens: 50}\n"))
                .containsExactly("$.long_inputs.field: 'text' is not a placeholder of user_template (its fields: body,"
                        + " subject)", "$.long_inputs.chunk_tokens: only used with mode: chunk");
        assertThat(problems("""
                long_inputs: {field: body, max_input_tokens: 100, mode: chunk, overlap_tokens: 100, marker: x,
                              merge_fields: {confidence: union, colour: union}}
                """)).containsExactly(
                "$.long_inputs.marker: only used with mode: truncate",
                "$.long_inputs.overlap_tokens: 100 must be below chunk_tokens (100) or the chunks would never advance",
                "$.long_inputs.merge_fields.confidence: the confidence field is always merged as the lowest of the chunks'",
                "$.long_inputs.merge_fields.colour: not a property of output_schema");
        assertThat(problems("long_inputs: {field: body, max_input_tokens: 100, mode: split}\n"))
                .singleElement().asString().startsWith("$.long_inputs.mode: ");
    }

    @Test
    void strataAreDistinctPinnedAndChangeSomething() {
        assertThat(problems("""
                strata:
                  - {name: long, when: {min_tokens: 10}, model: claude-haiku-4-5}
                  - {name: long, when: {min_tokens: 5}, user_template: "{{body"}
                  - {name: default, when: {min_tokens: 1}}
                """)).containsExactly(
                "$.strata[0].model: 'claude-haiku-4-5' is an alias that moves to newer versions (today"
                        + " claude-haiku-4-5-20251001); use the id claude-haiku-4-5-20251001, or set allow_unpinned_model: true",
                "$.strata[1].name: 'long' is used twice",
                "$.strata[1].user_template: unclosed placeholder at column 1",
                "$.strata[2].name: 'default' names the items of no stratum in report.json; choose another",
                "$.strata[2]: sets none of model, max_tokens, user_template, so it would change nothing");
    }
}
