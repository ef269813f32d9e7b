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

    /** A builder of a line with these id, input line number and outcome label; every other field absent. */
    public static Builder of(String id, long line, String outcome) {
        return new Builder(id, line, outcome);
    }

    /** A builder of a line with these id, input line number and outcome; every other field absent. */
    public static Builder of(String id, long line, OutcomeKind outcome) {
        return new Builder(id, line, outcome.label());
    }

    /**
     * The one way to build a line in code (Jackson reads through the canonical constructor). Object fields left
     * unset, or set to null, stay absent; the flags {@code repaired}, {@code truncated} and {@code cached} are set
     * only when true, absent when false.
     */
    public static final class Builder {
        private final String id;
        private final long line;
        private final String outcome;
        private String reason;
        private JsonNode output;
        private Double confidence;
        private Usage usage;
        private BigDecimal costUsd;
        private int attempts;
        private String batchId;
        private String customId;
        private Boolean repaired;
        private Boolean truncated;
        private String groundTruth;
        private JsonNode history;
        private String stratum;
        private Integer chunks;
        private Boolean cached;
        private JsonNode escalatedFrom;

        private Builder(String id, long line, String outcome) {
            this.id = id;
            this.line = line;
            this.outcome = outcome;
        }

        public Builder reason(String reason) {
            this.reason = reason;
            return this;
        }

        public Builder output(JsonNode output) {
            this.output = output;
            return this;
        }

        public Builder confidence(Double confidence) {
            this.confidence = confidence;
            return this;
        }

        public Builder usage(Usage usage) {
            this.usage = usage;
            return this;
        }

        public Builder costUsd(BigDecimal costUsd) {
            this.costUsd = costUsd;
            return this;
        }

        /** {@link Usage#ZERO} and a cost of 0: a line nothing was paid for. */
        public Builder free() {
            return usage(Usage.ZERO).costUsd(BigDecimal.ZERO);
        }

        public Builder attempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        public Builder batchId(String batchId) {
            this.batchId = batchId;
            return this;
        }

        public Builder customId(String customId) {
            this.customId = customId;
            return this;
        }

        /** Present (true) only when {@code repaired}; absent otherwise. */
        public Builder repaired(boolean repaired) {
            this.repaired = repaired ? Boolean.TRUE : null;
            return this;
        }

        /** Present (true) only when {@code truncated}; absent otherwise. */
        public Builder truncated(boolean truncated) {
            this.truncated = truncated ? Boolean.TRUE : null;
            return this;
        }

        public Builder groundTruth(String groundTruth) {
            this.groundTruth = groundTruth;
            return this;
        }

        public Builder history(JsonNode history) {
            this.history = history;
            return this;
        }

        public Builder stratum(String stratum) {
            this.stratum = stratum;
            return this;
        }

        public Builder chunks(Integer chunks) {
            this.chunks = chunks;
            return this;
        }

        /** Present (true) only when {@code cached}; absent otherwise. */
        public Builder cached(boolean cached) {
            this.cached = cached ? Boolean.TRUE : null;
            return this;
        }

        public Builder escalatedFrom(JsonNode escalatedFrom) {
            this.escalatedFrom = escalatedFrom;
            return this;
        }

        public OutcomeLine build() {
            return new OutcomeLine(id, line, outcome, reason, output, confidence, usage, costUsd, attempts, batchId,
                    customId, repaired, truncated, groundTruth, history, stratum, chunks, cached, escalatedFrom);
        }
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
        return of(id, line, OutcomeKind.FAILED).reason(reason).free().build();
    }
}
