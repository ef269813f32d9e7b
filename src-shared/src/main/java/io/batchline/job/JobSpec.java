package io.batchline.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A job spec as written in {@code jobs/<job>.yaml}. Loaded and checked by {@link JobSpecLoader};
 * defaults are filled in there, so every field here is set after loading.
 */
public record JobSpec(
        @JsonProperty("name") String name,
        @JsonProperty("model") String model,
        @JsonProperty("system") String system,
        @JsonProperty("user_template") String userTemplate,
        @JsonProperty("max_tokens") int maxTokens,
        /** null = not sent (the model's default); only models and API versions that take it may set it */
        @JsonProperty("temperature") Double temperature,
        /** the input field that holds the item id; absent values get a stable hash of the line */
        @JsonProperty("id_field") String idField,
        @JsonProperty("output_schema") JsonNode outputSchema,
        @JsonProperty("confidence") Confidence confidence,
        @JsonProperty("shard") Shard shard,
        @JsonProperty("max_attempts") int maxAttempts,
        /** lines longer than this many bytes are failed as oversize, before any parsing */
        @JsonProperty("max_line_bytes") int maxLineBytes,
        /** the input field holding the true label, for accuracy; never sent to the model; null when absent */
        @JsonProperty("ground_truth_field") String groundTruthField,
        /** budget guard: the run stops before spending when its worst case exceeds this; null = no job budget */
        @JsonProperty("budget") Budget budget,
        /** run this many items first and stop if they miss the limits; null = no canary */
        @JsonProperty("canary") Canary canary,
        /** the random spot-check sample written to sample.jsonl; null = defaults (1%, at least 100) */
        @JsonProperty("sample") Sample sample,
        /** one targeted repair round for invalid outputs; null = on */
        @JsonProperty("repair") Boolean repair,
        /** pre-flight: send one request of each template shape through the synchronous API first; null = off */
        @JsonProperty("preflight") Boolean preflight,
        /** the prompt-cache TTL of the shared prefix, "5m" or "1h"; null = the provider's default (5m) */
        @JsonProperty("cache_ttl") String cacheTtl,
        /** few-shot examples, static or per input type, rendered into the cached shared prefix; null = none */
        @JsonProperty("few_shot") FewShot fewShot,
        /** token limit per item and what happens above it (truncate, or chunk and merge); null = no limit */
        @JsonProperty("long_inputs") LongInputs longInputs,
        /** other templates/models/max_tokens for a stratum of items (e.g. long ones); null = one stratum */
        @JsonProperty("strata") java.util.List<Stratum> strata,
        /** golden items: a labelled file whose items are added to every run to measure drift; null = none */
        @JsonProperty("golden") Golden golden,
        /** how many rendered requests count_tokens measures the token estimator on; null = defaults (20) */
        @JsonProperty("calibration") Calibration calibration,
        /** result cache: reuse answers of identical requests from earlier runs within a window; null = off */
        @JsonProperty("result_cache") ResultCache resultCache,
        /** auto | off | adaptive | enabled; null = auto (the cheapest setting the model allows) */
        @JsonProperty("thinking") String thinking,
        /** tokens kept for thinking on top of max_tokens when the model thinks; null = the default reserve */
        @JsonProperty("thinking_budget_tokens") Integer thinkingBudgetTokens,
        /** output_config.effort; null = the model's lowest level */
        @JsonProperty("effort") String effort,
        /** auto | on | off: the output schema as native structured outputs; null = auto */
        @JsonProperty("structured_output") String structuredOutput,
        /** a label for this prompt version (e.g. "v2-shorter-system"), recorded with each run; null = none */
        @JsonProperty("version") String version,
        /** one more round with another model for items that end in the listed tiers; null = none */
        @JsonProperty("escalation") Escalation escalation) {

    /**
     * The last attempt a run may plan: max_attempts, plus one for the repair round so that an item whose
     * answer was invalid in the last regular attempt still gets its one repair. That extra attempt only ever
     * holds repairs: the collector sends nothing else past max_attempts. A job with an escalation gets one
     * attempt more, for the escalation round (and the repair of an escalated answer). Derived, never written.
     */
    @JsonIgnore
    public int lastAttempt() {
        return maxAttempts + (repairs() ? 1 : 0) + (escalation != null ? 1 : 0);
    }

    /** Repair is on unless the job says {@code repair: false}. Derived, never written. */
    @JsonIgnore
    public boolean repairs() {
        return repair == null || repair;
    }

    /**
     * Escalation: items whose answer ends in one of {@code on} ({@code rejected} for low confidence, {@code review},
     * {@code invalid} after its repair) are sent once more to {@code model}, with this system prompt, max_tokens and
     * structured_output where set (else the job's), before they are routed; null {@code on} = [rejected].
     */
    public record Escalation(
            @JsonProperty("on") java.util.List<String> on,
            @JsonProperty("model") String model,
            @JsonProperty("system") String system,
            @JsonProperty("max_tokens") Integer maxTokens,
            @JsonProperty("structured_output") String structuredOutput) {
        public static final String REJECTED = "rejected";
        public static final String REVIEW = "review";
        public static final String INVALID = "invalid";

        /** Whether an answer that ended this way ({@link #REJECTED}, {@link #REVIEW} or {@link #INVALID}) escalates. */
        public boolean covers(String ending) {
            return (on == null ? java.util.List.of(REJECTED) : on).contains(ending);
        }
    }

    /** {@code window}: how old a reused answer may be, {@code <n>m}, {@code <n>h} or {@code <n>d} (e.g. 7d). */
    public record ResultCache(@JsonProperty("window") String window) {
        public java.time.Duration windowDuration() {
            long n = Long.parseLong(window.substring(0, window.length() - 1));
            return switch (window.charAt(window.length() - 1)) {
                case 'm' -> java.time.Duration.ofMinutes(n);
                case 'h' -> java.time.Duration.ofHours(n);
                case 'd' -> java.time.Duration.ofDays(n);
                default -> throw new IllegalArgumentException("result_cache.window: " + window);
            };
        }
    }

    /** @param sample requests counted (0 = off, default 20); @param seed of the sample (default: from the run id) */
    public record Calibration(@JsonProperty("sample") Integer sample, @JsonProperty("seed") Long seed) {}

    public record Budget(@JsonProperty("max_usd") java.math.BigDecimal maxUsd) {}

    /**
     * Golden items (measure drift): {@code file} is relative to the job spec (next to the YAML for {@code plan} and
     * {@code local run}; {@code jobs/<job>/<file>} in the bucket), frozen with the run at registration.
     * {@code label_field} names the label in each line; null = the job's ground_truth_field, else "label".
     */
    public record Golden(
            @JsonProperty("file") String file,
            @JsonProperty("label_field") String labelField) {
        public String labelFieldOr(String groundTruthField) {
            if (labelField != null) return labelField;
            return groundTruthField != null ? groundTruthField : "label";
        }
    }

    /** Canary: the first {@code items} valid items go first; the rest waits for their verdict. */
    public record Canary(
            @JsonProperty("items") int items,
            @JsonProperty("min_pass_rate") Double minPassRate,
            @JsonProperty("max_cost_per_item_usd") java.math.BigDecimal maxCostPerItemUsd) {}

    /**
     * The spot-check sample; {@code max_error_rate} is the quality gate applied to the graded sample's error-rate
     * interval (null = no gate).
     */
    public record Sample(
            @JsonProperty("rate") Double rate,
            @JsonProperty("min") Integer min,
            @JsonProperty("seed") Long seed,
            @JsonProperty("max_error_rate") Double maxErrorRate) {

        public Sample(Double rate, Integer min, Long seed) {
            this(rate, min, seed, null);
        }
    }

    public record Confidence(
            @JsonProperty("field") String field,
            @JsonProperty("accept_at") double acceptAt,
            @JsonProperty("review_at") double reviewAt) {}

    /** Smaller-than-provider shard limits; the provider's own (100,000 requests, 256 MB) always apply too. */
    public record Shard(
            @JsonProperty("max_requests") int maxRequests,
            @JsonProperty("max_bytes") long maxBytes) {}

    /** One worked example: {@code input} is an item (rendered with user_template) or literal text. */
    public record Example(
            @JsonProperty("input") JsonNode input,
            @JsonProperty("output") JsonNode output) {}

    /**
     * Few-shot examples: {@code examples} go to every item; {@code by_value} examples only to items
     * whose input field {@code by_field} has that value (the tricky types).
     */
    public record FewShot(
            @JsonProperty("examples") java.util.List<Example> examples,
            @JsonProperty("by_field") String byField,
            @JsonProperty("by_value") java.util.Map<String, java.util.List<Example>> byValue) {}

    /**
     * Long inputs: an item whose {@code field} is estimated above {@code max_input_tokens} is cut ({@code truncate}) or
     * split into overlapping chunks ({@code chunk}) whose answers are merged back into one outcome.
     */
    public record LongInputs(
            @JsonProperty("field") String field,
            @JsonProperty("max_input_tokens") int maxInputTokens,
            @JsonProperty("mode") String mode,
            @JsonProperty("marker") String marker,
            @JsonProperty("chunk_tokens") Integer chunkTokens,
            @JsonProperty("overlap_tokens") Integer overlapTokens,
            @JsonProperty("max_chunks") Integer maxChunks,
            @JsonProperty("merge") String merge,
            @JsonProperty("merge_fields") java.util.Map<String, String> mergeFields) {}

    /** A stratum: items matching {@code when} use this stratum's template, model and max_tokens (unset: the job's). */
    public record Stratum(
            @JsonProperty("name") String name,
            @JsonProperty("when") When when,
            @JsonProperty("model") String model,
            @JsonProperty("max_tokens") Integer maxTokens,
            @JsonProperty("user_template") String userTemplate) {}

    /** {@code min_tokens}: the estimated tokens of the item's user message rendered with the job's template. */
    public record When(@JsonProperty("min_tokens") long minTokens) {}
}
