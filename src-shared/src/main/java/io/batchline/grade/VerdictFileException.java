package io.batchline.grade;

import java.util.List;

/** A verdicts file that is refused as a whole: every problem named with its line in the file; nothing is stored. */
public final class VerdictFileException extends RuntimeException {
    private final List<String> problems;

    public VerdictFileException(String file, List<String> problems) {
        super("verdicts file " + file + " refused, nothing was stored:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
