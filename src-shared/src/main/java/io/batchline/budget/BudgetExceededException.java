package io.batchline.budget;

import io.batchline.pipeline.PermanentStageException;

/**
 * The worst case of what a run is about to submit does not fit its job budget or the account's monthly budget
 * Permanent: the state machine catches it into "Mark run failed" before any batch exists, and the
 * console and the CLI show {@code BudgetExceeded} with the numbers.
 */
public class BudgetExceededException extends PermanentStageException {
    public static final String CODE = "BudgetExceeded";

    public BudgetExceededException(String message) {
        super(CODE, message);
    }
}
