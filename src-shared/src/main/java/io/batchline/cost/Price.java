package io.batchline.cost;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;

/**
 * The EFFECTIVE batch prices of one model in USD per million tokens (standard price x batch discount on
 * every rate: the batch discount covers input and output, and cache multipliers stack on top of it), from the
 * model catalogue entry in force on the day a run started. Serialised as the {@code price} entry of
 * report.json, so the field names are a public contract.
 *
 * <p>{@code cache_write_per_mtok} is the rate of the job's prompt-cache TTL: the 5-minute write unless
 * {@code cache_ttl} says {@code 1h}; absent {@code cache_ttl} means the provider's default, 5m.
 * {@code prompt_tiers} (Haiku 5.5): a request whose prompt (input + cache reads + cache writes) is above a tier's
 * {@code above_prompt_tokens} has EVERY token, output included, billed at that tier's rates.
 */
@JsonPropertyOrder({"model", "as_of", "effective_from", "batch_discount", "input_per_mtok", "output_per_mtok",
        "cache_write_per_mtok", "cache_read_per_mtok", "cache_ttl", "prompt_tiers"})
public record Price(
        @JsonProperty("model") String model,
        @JsonProperty("as_of") String asOf,
        @JsonProperty("effective_from") @JsonInclude(JsonInclude.Include.NON_NULL) String effectiveFrom,
        @JsonProperty("batch_discount") BigDecimal batchDiscount,
        @JsonProperty("input_per_mtok") BigDecimal inputPerMtok,
        @JsonProperty("output_per_mtok") BigDecimal outputPerMtok,
        @JsonProperty("cache_write_per_mtok") BigDecimal cacheWritePerMtok,
        @JsonProperty("cache_read_per_mtok") BigDecimal cacheReadPerMtok,
        @JsonProperty("cache_ttl") @JsonInclude(JsonInclude.Include.NON_NULL) String cacheTtl,
        @JsonProperty("prompt_tiers") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Tier> promptTiers) {

    /** A flat price (no dated entry, no tiers): tests and tools. */
    public Price(String model, String asOf, BigDecimal batchDiscount, BigDecimal inputPerMtok,
                 BigDecimal outputPerMtok, BigDecimal cacheWritePerMtok, BigDecimal cacheReadPerMtok) {
        this(model, asOf, null, batchDiscount, inputPerMtok, outputPerMtok, cacheWritePerMtok, cacheReadPerMtok, null,
                List.of());
    }

    /** Effective batch rates of a request whose prompt is above {@code above_prompt_tokens}. */
    @JsonPropertyOrder({"above_prompt_tokens", "input_per_mtok", "output_per_mtok", "cache_write_per_mtok",
            "cache_read_per_mtok"})
    public record Tier(
            @JsonProperty("above_prompt_tokens") long abovePromptTokens,
            @JsonProperty("input_per_mtok") BigDecimal inputPerMtok,
            @JsonProperty("output_per_mtok") BigDecimal outputPerMtok,
            @JsonProperty("cache_write_per_mtok") BigDecimal cacheWritePerMtok,
            @JsonProperty("cache_read_per_mtok") BigDecimal cacheReadPerMtok) {

        /** How an outcome line and the report name this tier. */
        public String name() {
            return "above_" + abovePromptTokens;
        }
    }

    /** Costs are kept to 8 decimal places: a single cheap request costs well under a cent. */
    public static final int COST_SCALE = 8;

    private static final int MTOK_DECIMALS = 6;

    public Price {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(asOf, "as_of");
        Objects.requireNonNull(batchDiscount, "batch_discount");
        Objects.requireNonNull(inputPerMtok, "input_per_mtok");
        Objects.requireNonNull(outputPerMtok, "output_per_mtok");
        Objects.requireNonNull(cacheWritePerMtok, "cache_write_per_mtok");
        Objects.requireNonNull(cacheReadPerMtok, "cache_read_per_mtok");
        promptTiers = promptTiers == null ? List.of() : List.copyOf(promptTiers);
    }

    /** The tier a request with this usage is billed at; null = the base rates. */
    public Tier tierFor(Usage usage) {
        long prompt = usage.inputTokens() + usage.cacheCreationInputTokens() + usage.cacheReadInputTokens();
        Tier applied = null;
        for (Tier t : promptTiers) if (prompt > t.abovePromptTokens()) applied = t;
        return applied;
    }

    /** Exact cost of ONE request's tokens in {@code usage}, in USD, scale 8, HALF_UP, at its prompt tier. */
    public BigDecimal cost(Usage usage) {
        Objects.requireNonNull(usage, "usage");
        Tier tier = tierFor(usage);
        if (tier == null) {
            return cost(usage, inputPerMtok, outputPerMtok, cacheWritePerMtok, cacheReadPerMtok);
        }
        return cost(usage, tier.inputPerMtok(), tier.outputPerMtok(), tier.cacheWritePerMtok(), tier.cacheReadPerMtok());
    }

    private static BigDecimal cost(Usage usage, BigDecimal input, BigDecimal output, BigDecimal write, BigDecimal read) {
        BigDecimal microDollars = tokens(usage.inputTokens()).multiply(input)
                .add(tokens(usage.outputTokens()).multiply(output))
                .add(tokens(usage.cacheCreationInputTokens()).multiply(write))
                .add(tokens(usage.cacheReadInputTokens()).multiply(read));
        return perMillion(microDollars);
    }

    /**
     * The most a request (or a run, given totals) can cost, for the budget guard. Every input token
     * is priced at the dearer of the input and cache-write rates: in a batch any request may write the
     * cached prefix, and the estimate does not know which part of the input is that prefix. Output is priced
     * in full; thinking counts as output, so {@code outputTokens} is the sum of the max_tokens sent. When a
     * request's prompt may be as large as {@code largestPromptTokens}, the rates of the tier it would fall in
     * apply to all.
     */
    public BigDecimal worstCase(long inputTokens, long outputTokens, long largestPromptTokens) {
        BigDecimal in = inputPerMtok.max(cacheWritePerMtok);
        BigDecimal out = outputPerMtok;
        for (Tier t : promptTiers) {
            if (largestPromptTokens > t.abovePromptTokens()) {
                in = t.inputPerMtok().max(t.cacheWritePerMtok());
                out = t.outputPerMtok();
            }
        }
        return perMillion(tokens(inputTokens).multiply(in).add(tokens(outputTokens).multiply(out)));
    }

    /** {@link #worstCase(long, long, long)} for requests whose prompts stay below every tier. */
    public BigDecimal worstCase(long inputTokens, long outputTokens) {
        return worstCase(inputTokens, outputTokens, 0);
    }

    @JsonIgnore
    public boolean hasTiers() {
        return !promptTiers.isEmpty();
    }

    private static BigDecimal tokens(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("token count cannot be negative: " + count);
        }
        return BigDecimal.valueOf(count);
    }

    private static BigDecimal perMillion(BigDecimal amount) {
        return amount.movePointLeft(MTOK_DECIMALS).setScale(COST_SCALE, RoundingMode.HALF_UP);
    }
}
