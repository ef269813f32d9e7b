package io.batchline.validate;

/**
 * The reasons an answer is invalid (R4.1, R4.2), as they start on a rejected outcome line. The report counts
 * {@code rejected_invalid} by these prefixes, so they are part of the outcome contract: keep them stable.
 */
public final class InvalidOutput {
    private InvalidOutput() {}

    /** No JSON object could be extracted from the answer. */
    public static final String NOT_JSON = "invalid output: ";
    /** A JSON object was found but breaks the output schema. */
    public static final String SCHEMA = "output does not match the schema: ";
    /** Prefixed to one of the above when the repair round's answer was invalid too. */
    public static final String AFTER_REPAIR = "still invalid after the repair round: ";

    /** True for a reason that says the answer was not JSON or broke the schema (with or without a repair). */
    public static boolean isInvalidOutputReason(String reason) {
        if (reason == null) return false;
        String r = reason.startsWith(AFTER_REPAIR) ? reason.substring(AFTER_REPAIR.length()) : reason;
        return r.startsWith(NOT_JSON) || r.startsWith(SCHEMA);
    }
}
