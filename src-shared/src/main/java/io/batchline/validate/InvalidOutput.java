package io.batchline.validate;

/**
 * The reasons an answer is invalid (also after repair), as they start on a rejected outcome line. The report counts
 * {@code rejected_invalid} by these prefixes, so they are part of the outcome contract: keep them stable.
 */
public final class InvalidOutput {
    private InvalidOutput() {}

    /** No JSON object could be extracted from the answer. */
    public static final String NOT_JSON = "invalid output: ";
    /** A JSON object was found but breaks the output schema. */
    public static final String SCHEMA = "output does not match the schema: ";
    /** The model declined to answer ({@code stop_reason: refusal}). */
    public static final String REFUSAL = "refused by the model: ";
    /** The answer has no text block at all (a turn spent on thinking, for one). */
    public static final String NO_TEXT = "no text in the answer: ";
    /** The answer stopped at max_tokens and what came is not a valid answer (prefixed to one of the above). */
    public static final String CUT_AT_MAX_TOKENS = "cut at max_tokens: ";
    /** Prefixed to one of the above when the repair round's answer was invalid too. */
    public static final String AFTER_REPAIR = "still invalid after the repair round: ";

    /** True for a reason that says the answer was not JSON or broke the schema (with or without a repair). */
    public static boolean isInvalidOutputReason(String reason) {
        return cause(reason) != null;
    }

    /**
     * What made an answer invalid, as report.json's {@code invalid_output_causes} counts it: {@code refusal},
     * {@code max_tokens}, {@code no_text}, {@code not_json} or {@code schema}; null for any other reason.
     */
    public static String cause(String reason) {
        if (reason == null) return null;
        String r = reason.startsWith(AFTER_REPAIR) ? reason.substring(AFTER_REPAIR.length()) : reason;
        if (r.startsWith(REFUSAL)) return "refusal";
        if (r.startsWith(CUT_AT_MAX_TOKENS)) return "max_tokens";
        if (r.startsWith(NO_TEXT)) return "no_text";
        if (r.startsWith(NOT_JSON)) return "not_json";
        if (r.startsWith(SCHEMA)) return "schema";
        return null;
    }
}
