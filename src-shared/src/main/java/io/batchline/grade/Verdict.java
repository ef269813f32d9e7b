package io.batchline.grade;

import java.util.Locale;

/** What a person decided about one item's answer. A skip is recorded but decides nothing. */
public enum Verdict {
    CORRECT, WRONG, SKIP;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code correct}, {@code wrong} or {@code skip} (any case); null when it is none of them. */
    public static Verdict ofLabel(String label) {
        if (label == null) return null;
        for (Verdict v : values()) if (v.label().equalsIgnoreCase(label.trim())) return v;
        return null;
    }
}
