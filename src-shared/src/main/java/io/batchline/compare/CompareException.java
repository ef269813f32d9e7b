package io.batchline.compare;

import java.util.List;

/** Two runs that cannot be compared: every reason, named (an unknown or unfinished run, no common input line). */
public final class CompareException extends RuntimeException {
    private final List<String> problems;

    public CompareException(List<String> problems) {
        super(String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
