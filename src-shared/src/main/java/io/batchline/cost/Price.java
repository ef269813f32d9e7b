package io.batchline.cost;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * The EFFECTIVE batch prices of one model in USD per million tokens (standard price x batch discount on
 * all four rates: the batch discount covers input and output, and cache multipliers stack on top of it).
 * Serialised as the {@code price} entry of report.json, so the field names are a public contract.
 *
 * <p>{@code cache_write_per_mtok} is the rate of the job's cache TTL (R2.6): the 5-minute write (1.25x input)
 * unless {@code cache_ttl} says {@code 1h} (2x input); absent {@code cache_ttl} means the provider's default, 5m.
 */
@JsonPropertyOrder({"model", "as_of", "batch_discount", "input_per_mtok", "output_per_mtok",
        "cache_write_per_mtok", "cache_read_per_mtok", "cache_ttl"})
public record Price(
        @JsonProperty("model") String model,
        @JsonProperty("as_of") String asOf,
        @JsonProperty("batch_discount") BigDecimal batchDiscount,
        @JsonProperty("input_per_mtok") BigDecimal inputPerMtok,
        @JsonProperty("output_per_mtok") BigDecimal outputPerMtok,
        @JsonProperty("cache_write_per_mtok") BigDecimal cacheWritePerMtok,
        @JsonProperty("cache_read_per_mtok") BigDecimal cacheReadPerMtok,
        @JsonProperty("cache_ttl") @JsonInclude(JsonInclude.Include.NON_NULL) String cacheTtl) {

    public Price(String model, String asOf, BigDecimal batchDiscount, BigDecimal inputPerMtok,
                 BigDecimal outputPerMtok, BigDecimal cacheWritePerMtok, BigDecimal cacheReadPerMtok) {
        this(model, asOf, batchDiscount, inputPerMtok, outputPerMtok, cacheWritePerMtok, cacheReadPerMtok, null);
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
    }

    /** Exact cost of the tokens in {@code usage}, in USD, scale 8, HALF_UP. */
    public BigDecimal cost(Usage usage) {
        Objects.requireNonNull(usage, "usage");
        BigDecimal microDollars = tokens(usage.inputTokens()).multiply(inputPerMtok)
                .add(tokens(usage.outputTokens()).multiply(outputPerMtok))
                .add(tokens(usage.cacheCreationInputTokens()).multiply(cacheWritePerMtok))
                .add(tokens(usage.cacheReadInputTokens()).multiply(cacheReadPerMtok));
        return perMillion(microDollars);
    }

    /**
     * The most a request (or a run, given totals) can cost, for the budget guard (R6.2). Every input token
     * is priced at the dearer of the input and cache-write rates: in a batch any request may write the
     * cached prefix, and the estimate does not know which part of the input is that prefix.
     */
    public BigDecimal worstCase(long inputTokens, long outputTokens) {
        BigDecimal inputRate = inputPerMtok.max(cacheWritePerMtok);
        return perMillion(tokens(inputTokens).multiply(inputRate).add(tokens(outputTokens).multiply(outputPerMtok)));
    }

    /** The same prices under another model id, for a dated model resolved to its family's entry. */
    Price forModel(String modelId) {
        return new Price(modelId, asOf, batchDiscount, inputPerMtok, outputPerMtok, cacheWritePerMtok,
                cacheReadPerMtok, cacheTtl);
    }

    /** The same prices with cache writes at {@code writePerMtok}, the rate of the named TTL. */
    Price withCacheTtl(String ttl, BigDecimal writePerMtok) {
        return new Price(model, asOf, batchDiscount, inputPerMtok, outputPerMtok, writePerMtok, cacheReadPerMtok, ttl);
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
