package io.batchline.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Long inputs split into chunks: each merge rule, and how chunk outcomes become one outcome line. */
class ChunkMergeTest {

    static JobSpec job(String merge) {
        return JobSpecLoader.load(("""
                name: merge-test
                model: claude-haiku-4-5-20251001
                max_tokens: 300
                user_template: "{{body}}"
                output_schema:
                  type: object
                  required: [category, confidence]
                  properties:
                    category: {type: string, enum: [billing, technical, account]}
                    products: {type: array, items: {type: string}}
                    order_id: {type: [string, "null"]}
                    confidence: {type: number, minimum: 0, maximum: 1}
                long_inputs:
                  field: body
                  max_input_tokens: 100
                  mode: chunk
                """ + merge).getBytes(StandardCharsets.UTF_8),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    static JsonNode json(String s) {
        return Json.tree(s.getBytes(StandardCharsets.UTF_8));
    }

    static List<JsonNode> values(String... s) {
        return java.util.Arrays.stream(s).map(ChunkMergeTest::json).toList();
    }

    @Test
    void unionConcatenatesArraysInChunkOrderWithoutDuplicates() {
        JsonNode merged = ChunkMerge.merge(ChunkMerge.Rule.UNION,
                values("[\"Router\",\"cable\"]", "[\"router \",\"Modem\"]", "[]", "[\"cable\",\"switch\"]"));
        assertThat(merged.toString()).isEqualTo("[\"Router\",\"cable\",\"Modem\",\"switch\"]");
        // a non-array value falls back to the first non-null
        assertThat(ChunkMerge.merge(ChunkMerge.Rule.UNION, values("null", "\"x\"", "\"y\"")).asText()).isEqualTo("x");
    }

    @Test
    void firstNonNullTakesTheEarliestChunkThatHasAValue() {
        assertThat(ChunkMerge.merge(ChunkMerge.Rule.FIRST_NON_NULL, values("null", "\"A-2\"", "\"A-3\"")).asText())
                .isEqualTo("A-2");
        assertThat(ChunkMerge.merge(ChunkMerge.Rule.FIRST_NON_NULL, values("null", "null")).isNull()).isTrue();
    }

    @Test
    void majorityVotesAndBreaksTiesByTheEarliestChunk() {
        assertThat(ChunkMerge.merge(ChunkMerge.Rule.MAJORITY, values("\"a\"", "\"b\"", "\"b\"")).asText()).isEqualTo("b");
        assertThat(ChunkMerge.merge(ChunkMerge.Rule.MAJORITY, values("\"b\"", "\"a\"", "\"a\"", "\"b\"")).asText())
                .isEqualTo("b");
        assertThat(ChunkMerge.merge(ChunkMerge.Rule.MAJORITY, values("null", "\"c\"", "null")).asText()).isEqualTo("c");
    }

    @Test
    void perFieldRulesAndTheLowestConfidence() {
        ChunkMerge merge = new ChunkMerge(job("""
                  merge: majority
                  merge_fields: {products: union, order_id: first_non_null}
                """));
        JsonNode merged = merge.mergeOutputs(values(
                "{\"category\":\"technical\",\"products\":[\"router\"],\"order_id\":null,\"confidence\":0.95}",
                "{\"category\":\"billing\",\"products\":[\"modem\",\"Router\"],\"order_id\":\"A-7\",\"confidence\":0.91}",
                "{\"category\":\"technical\",\"products\":[],\"order_id\":\"A-8\",\"confidence\":0.97}"));
        assertThat(merged.toString()).isEqualTo(
                "{\"category\":\"technical\",\"products\":[\"router\",\"modem\"],\"order_id\":\"A-7\",\"confidence\":0.91}");
    }

    static ChunkOutcome chunk(int k, int n, String outcome, String reason, String output, double confidence,
                              int attempts, long inputTokens) {
        return new ChunkOutcome(12, k, n, OutcomeLine.of("T-1", 12, outcome).reason(reason)
                .output(output == null ? null : json(output)).confidence(output == null ? null : confidence)
                .usage(new Usage(inputTokens, 20, 0, 0))
                .costUsd(new BigDecimal("0.00010000").multiply(BigDecimal.valueOf(k + 1))).attempts(attempts)
                .batchId("batch-" + k).customId("a" + attempts + "-l12-c" + k).groundTruth("billing").build());
    }

    @Test
    void chunkOutcomesBecomeOneLineRoutedOnTheMergedAnswer() {
        ChunkMerge merge = new ChunkMerge(job(""));
        OutcomeLine line = merge.merge(List.of( // any order
                chunk(2, 3, "accepted", null, "{\"category\":\"technical\",\"confidence\":0.93}", 0.93, 1, 300),
                chunk(0, 3, "accepted", null, "{\"category\":\"technical\",\"confidence\":0.99}", 0.99, 1, 500),
                chunk(1, 3, "review", "low", "{\"category\":\"billing\",\"confidence\":0.8}", 0.8, 2, 400)));
        assertThat(line.line()).isEqualTo(12);
        assertThat(line.output().toString()).isEqualTo("{\"category\":\"technical\",\"confidence\":0.8}");
        assertThat(line.outcome()).isEqualTo("review"); // the lowest chunk confidence decides the tier
        assertThat(line.confidence()).isEqualTo(0.8);
        assertThat(line.usage()).isEqualTo(new Usage(1200, 60, 0, 0));
        assertThat(line.costUsd()).isEqualByComparingTo("0.0006");
        assertThat(line.attempts()).isEqualTo(2);
        assertThat(line.chunks()).isEqualTo(3);
        assertThat(line.groundTruth()).isEqualTo("billing");
        assertThat(line.customId()).isEqualTo("a1-l12-c0");
    }

    @Test
    void aFailedChunkFailsTheItemAndAnInvalidOneRejectsIt() {
        ChunkMerge merge = new ChunkMerge(job(""));
        OutcomeLine failed = merge.merge(List.of(
                chunk(0, 2, "accepted", null, "{\"category\":\"technical\",\"confidence\":0.99}", 0.99, 1, 10),
                chunk(1, 2, "failed", "provider error overloaded_error: busy (gave up after 3 attempts)", null, 0, 3, 0)));
        assertThat(failed.outcome()).isEqualTo("failed");
        assertThat(failed.reason()).isEqualTo("provider error overloaded_error: busy (gave up after 3 attempts) (chunk 2 of 2)");
        assertThat(failed.attempts()).isEqualTo(3);

        OutcomeLine rejected = merge.merge(List.of(
                chunk(0, 2, "rejected", "invalid output: no JSON object found", null, 0, 2, 10),
                chunk(1, 2, "accepted", null, "{\"category\":\"technical\",\"confidence\":0.99}", 0.99, 1, 10)));
        assertThat(rejected.outcome()).isEqualTo("rejected");
        assertThat(rejected.reason()).startsWith("invalid output: ").endsWith("(chunk 1 of 2)");

        OutcomeLine missing = merge.merge(List.of(
                chunk(0, 3, "accepted", null, "{\"category\":\"technical\",\"confidence\":0.99}", 0.99, 1, 10)));
        assertThat(missing.outcome()).isEqualTo("failed");
    }
}
