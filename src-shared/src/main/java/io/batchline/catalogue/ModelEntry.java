package io.batchline.catalogue;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What the project knows about one Claude model: its id and aliases, lifecycle, limits, which request
 * parameters it accepts, and its dated prices. Read from the model catalogue ({@link ModelCatalogue}); every
 * fact carries the catalogue's {@code as_of} and the entry's {@code source}.
 *
 * @param status           as the provider states it: active, legacy, deprecated or retired
 * @param retires          the day requests start to fail; null when none is announced
 * @param successor        the id the provider recommends instead, for a deprecated or retired model
 * @param batchOutputBeta  a larger output limit for Message Batches behind a batch-level beta header; null = none
 * @param sampling         how the model treats temperature/top_p/top_k under API version 2023-06-01
 * @param samplingExclusive sampling parameters that may not be sent together (Haiku 4.5: temperature and top_p)
 * @param effort           the accepted {@code output_config.effort} levels and the default; null = no effort parameter
 * @param prefill          whether a trailing assistant turn (prefill) is accepted
 * @param forcedToolUse    whether {@code tool_choice} any/tool is accepted
 * @param prices           standard prices, oldest first; each applies from its {@code effective_from}
 */
public record ModelEntry(
        String id,
        String displayName,
        List<String> aliases,
        String status,
        LocalDate released,
        LocalDate retires,
        String successor,
        String source,
        long contextWindow,
        int maxOutputTokens,
        BatchOutputBeta batchOutputBeta,
        Sampling sampling,
        List<String> samplingExclusive,
        Thinking thinking,
        Effort effort,
        boolean structuredOutputs,
        boolean prefill,
        boolean forcedToolUse,
        String bedrockId,
        List<PriceEntry> prices) {

    /** How a model treats sampling parameters (temperature, top_p, top_k) under API version 2023-06-01. */
    public enum Sampling {
        /** any value in range */
        ALLOWED,
        /** only the default value (temperature 1, top_p 1); top_k never */
        NON_DEFAULT_REFUSED,
        /** none of them, not even at the default */
        REFUSED;

        static Sampling of(String text) {
            return switch (text) {
                case "allowed" -> ALLOWED;
                case "non_default_refused" -> NON_DEFAULT_REFUSED;
                case "refused" -> REFUSED;
                default -> throw new IllegalArgumentException(
                        "must be allowed, non_default_refused or refused, found '" + text + "'");
            };
        }

        public String text() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The sampling parameters a request may carry. */
    public static final List<String> SAMPLING_PARAMETERS = List.of("temperature", "top_p", "top_k");

    /** The value each sampling parameter has when a request leaves it out (top_k has none). */
    public static final Map<String, Double> SAMPLING_DEFAULTS = Map.of("temperature", 1.0, "top_p", 1.0);

    /** @param maxOutputTokens the limit with {@code header} in the batch's {@code anthropic-beta} */
    public record BatchOutputBeta(int maxOutputTokens, String header) {}

    /**
     * Thinking as this model takes it.
     *
     * @param defaultType what a request without {@code thinking} gets: {@code adaptive} (on) or {@code disabled}
     * @param types       the {@code thinking.type} values the model accepts ({@code enabled} takes budget_tokens)
     * @param off         the type that turns up-front thinking off, or null when it is always on
     * @param offEfforts  the effort levels at which {@code off} is accepted; null = at any
     * @param refusals    the provider's message for a type it refuses with a hint, by type
     */
    public record Thinking(String defaultType, List<String> types, String off, List<String> offEfforts,
                           Map<String, String> refusals) {

        public boolean onByDefault() {
            return !"disabled".equals(defaultType);
        }

        public boolean accepts(String type) {
            return types.contains(type);
        }

        /** Whether thinking can be turned off at this effort (null: the model's default effort). */
        public boolean canTurnOff(String effort) {
            if (off == null) return false;
            return offEfforts == null || effort == null || offEfforts.contains(effort);
        }
    }

    /** @param levels the accepted {@code output_config.effort} values, lowest first */
    public record Effort(List<String> levels, String defaultLevel) {
        public String lowest() {
            return levels.get(0);
        }
    }

    /**
     * Standard (non-batch) USD prices per million tokens from {@code effectiveFrom} (null: since the model's
     * release) until the next entry.
     */
    public record PriceEntry(
            LocalDate effectiveFrom,
            BigDecimal input,
            BigDecimal output,
            BigDecimal cacheWrite5m,
            BigDecimal cacheWrite1h,
            BigDecimal cacheRead,
            List<PromptTier> promptTiers,
            String source) {}

    /**
     * Rates for a request whose prompt (input + cache reads + cache writes) is above {@code abovePromptTokens}:
     * every token of that request, output included, is billed at these.
     */
    public record PromptTier(
            long abovePromptTokens,
            BigDecimal input,
            BigDecimal output,
            BigDecimal cacheWrite5m,
            BigDecimal cacheWrite1h,
            BigDecimal cacheRead) {}

    /** True when requests to this model fail on {@code day}: it is retired, or its retirement day has come. */
    public boolean retiredOn(LocalDate day) {
        return "retired".equals(status) || (retires != null && !day.isBefore(retires));
    }

    /** The output limit of a batch request, with the batch beta header when {@code withBeta} and the model has one. */
    public int maxOutputTokens(boolean withBeta) {
        return withBeta && batchOutputBeta != null ? batchOutputBeta.maxOutputTokens() : maxOutputTokens;
    }

    /** The price entry in force on {@code day}: the latest that took effect on or before it (else the first). */
    public PriceEntry priceOn(LocalDate day) {
        PriceEntry inForce = prices.get(0);
        for (PriceEntry p : prices) {
            if (p.effectiveFrom() == null || !p.effectiveFrom().isAfter(day)) inForce = p;
        }
        return inForce;
    }

    /** All the names a request may use for this model: the id, then its aliases. */
    public List<String> names() {
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        names.add(id);
        names.addAll(aliases);
        return names;
    }
}
