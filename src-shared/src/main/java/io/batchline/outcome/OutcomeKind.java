package io.batchline.outcome;

import java.util.Locale;

/** The four outcome files of a run; every input line ends in exactly one of them. */
public enum OutcomeKind {
    ACCEPTED, REVIEW, REJECTED, FAILED;

    private static final OutcomeKind[] KINDS = values();
    /** Computed once: every outcome line asks for it (collect speed). */
    private final String label = name().toLowerCase(Locale.ROOT);

    /** The value of the {@code outcome} field of an outcome line. */
    public String label() {
        return label;
    }

    public String fileName() {
        return label() + ".jsonl";
    }

    public static OutcomeKind ofLabel(String label) {
        for (OutcomeKind kind : KINDS) if (kind.label.equals(label)) return kind;
        return valueOf(label.toUpperCase(Locale.ROOT)); // another case, or no kind: valueOf names it
    }
}
