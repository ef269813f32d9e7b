package io.batchline.outcome;

import java.util.Locale;

/** The four outcome files of a run; every input line ends in exactly one of them. */
public enum OutcomeKind {
    ACCEPTED, REVIEW, REJECTED, FAILED;

    /** The value of the {@code outcome} field of an outcome line. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String fileName() {
        return label() + ".jsonl";
    }

    public static OutcomeKind ofLabel(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
