package io.batchline.job;

import java.util.List;

/**
 * A job spec that cannot be used. The message lists every problem found, each with the JSON path of
 * the offending value, e.g. {@code job spec invalid: $.confidence.accept_at: must be at most 1}.
 */
public class JobSpecException extends RuntimeException {
    private final List<String> problems;

    public JobSpecException(List<String> problems) {
        super("job spec invalid: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public JobSpecException(String problem, Throwable cause) {
        super("job spec invalid: " + problem, cause);
        this.problems = List.of(problem);
    }

    /** Each problem on its own, "$.path: what is wrong". */
    public List<String> problems() {
        return problems;
    }
}
