package io.batchline.outcome;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cost.Usage;
import java.math.BigDecimal;

/**
 * One line of accepted/review/rejected/failed.jsonl: a public contract.
 * Fields may be added, never renamed. {@code reason} is present on every non-accepted line.
 */
@JsonPropertyOrder({"id", "line", "outcome", "reason", "output", "confidence", "usage", "cost_usd", "attempts",
        "batch_id", "custom_id", "repaired", "truncated", "ground_truth", "history", "stratum",
        "chunks", "cached", "escalated_from"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutcomeLine(
        @JsonProperty("id") String id,
        @JsonProperty("line") long line,
        @JsonProperty("outcome") String outcome,
        @JsonProperty("reason") String reason,
        @JsonProperty("output") JsonNode output,
        @JsonProperty("confidence") Double confidence,
        @JsonProperty("usage") Usage usage,
        @JsonProperty("cost_usd") BigDecimal costUsd,
        @JsonProperty("attempts") int attempts,
        @JsonProperty("batch_id") String batchId,
        @JsonProperty("custom_id") String customId,
        /** true when the answer only became valid in the repair round; absent otherwise */
        @JsonProperty("repaired") Boolean repaired,
        /** true when the input was cut at long_inputs.max_input_tokens before sending; absent otherwise */
        @JsonProperty("truncated") Boolean truncated,
        /** the input's ground-truth label (job's ground_truth_field), never sent to the model; absent otherwise */
        @JsonProperty("ground_truth") String groundTruth,
        /**
         * one entry per attempt the item was sent in ({@code attempt}, {@code custom_id}, {@code batch_id},
         * {@code result}, {@code error_type}, {@code reason}): on failed lines that reached a batch, and on
         * any line sent more than once; absent otherwise
         */
        @JsonProperty("history") JsonNode history,
        /** the item's stratum (job's strata) when it belongs to one; absent for the job's default settings */
        @JsonProperty("stratum") String stratum,
        /** how many chunks the item was split into and merged from (long_inputs mode chunk); absent otherwise */
        @JsonProperty("chunks") Integer chunks,
        /**
         * true when the answer was reused from an earlier run's identical request (job's result_cache): nothing was
         * sent, cost 0; absent otherwise
         */
        @JsonProperty("cached") Boolean cached,
        /**
         * the answer the item was escalated from (job's escalation): its {@code tier}, {@code output},
         * {@code confidence}, {@code reason}, {@code model} and {@code custom_id}; this line's usage and cost_usd
         * are then the sums of both rounds, each round's in its {@code history} entry; absent otherwise
         */
        @JsonProperty("escalated_from") JsonNode escalatedFrom) {

    /** A line that was not escalated. */
    public OutcomeLine(String id, long line, String outcome, String reason, JsonNode output, Double confidence,
                       Usage usage, BigDecimal costUsd, int attempts, String batchId, String customId,
                       Boolean repaired, Boolean truncated, String groundTruth, JsonNode history, String stratum,
                       Integer chunks, Boolean cached) {
        this(id, line, outcome, reason, output, confidence, usage, costUsd, attempts, batchId, customId, repaired,
                truncated, groundTruth, history, stratum, chunks, cached, null);
    }

    /** A line that was not answered from the result cache. */
    public OutcomeLine(String id, long line, String outcome, String reason, JsonNode output, Double confidence,
                       Usage usage, BigDecimal costUsd, int attempts, String batchId, String customId,
                       Boolean repaired, Boolean truncated, String groundTruth, JsonNode history, String stratum,
                       Integer chunks) {
        this(id, line, outcome, reason, output, confidence, usage, costUsd, attempts, batchId, customId, repaired,
                truncated, groundTruth, history, stratum, chunks, null);
    }

    /** A line of no stratum, not chunked. */
    public OutcomeLine(String id, long line, String outcome, String reason, JsonNode output, Double confidence,
                       Usage usage, BigDecimal costUsd, int attempts, String batchId, String customId,
                       Boolean repaired, Boolean truncated, String groundTruth, JsonNode history) {
        this(id, line, outcome, reason, output, confidence, usage, costUsd, attempts, batchId, customId, repaired,
                truncated, groundTruth, history, null, null);
    }

    /** A line without an attempt history. */
    public OutcomeLine(String id, long line, String outcome, String reason, JsonNode output, Double confidence,
                       Usage usage, BigDecimal costUsd, int attempts, String batchId, String customId,
                       Boolean repaired, Boolean truncated, String groundTruth) {
        this(id, line, outcome, reason, output, confidence, usage, costUsd, attempts, batchId, customId, repaired,
                truncated, groundTruth, null);
    }

    /** A line without the repair and truncation flags (the walking skeleton's shape). */
    public OutcomeLine(String id, long line, String outcome, String reason, JsonNode output, Double confidence,
                       Usage usage, BigDecimal costUsd, int attempts, String batchId, String customId) {
        this(id, line, outcome, reason, output, confidence, usage, costUsd, attempts, batchId, customId, null, null,
                null);
    }

    /** This line in a stratum and/or merged from chunks; null leaves a field absent. */
    public OutcomeLine withStratumAndChunks(String stratum, Integer chunks) {
        return new OutcomeLine(id, line, outcome, reason, output, confidence, usage, costUsd, attempts, batchId,
                customId, repaired, truncated, groundTruth, history, stratum, chunks, cached, escalatedFrom);
    }

    /** This line with its cost repriced (an item of a stratum with its own model). */
    public OutcomeLine withCost(BigDecimal cost) {
        return new OutcomeLine(id, line, outcome, reason, output, confidence, usage, cost, attempts, batchId,
                customId, repaired, truncated, groundTruth, history, stratum, chunks, cached, escalatedFrom);
    }

    /** This line as the answer of an escalation round (see {@code escalated_from}). */
    public OutcomeLine withEscalatedFrom(JsonNode from) {
        return new OutcomeLine(id, line, outcome, reason, output, confidence, usage, costUsd, attempts, batchId,
                customId, repaired, truncated, groundTruth, history, stratum, chunks, cached, from);
    }

    public OutcomeKind kind() {
        return OutcomeKind.ofLabel(outcome);
    }

    /** A line that never reached the provider (bad input, template error). */
    public static OutcomeLine failedBeforeSubmit(String id, long line, String reason) {
        return new OutcomeLine(id, line, OutcomeKind.FAILED.label(), reason, null, null, Usage.ZERO,
                BigDecimal.ZERO, 0, null, null);
    }
}
