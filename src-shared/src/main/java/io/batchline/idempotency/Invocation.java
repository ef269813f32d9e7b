package io.batchline.idempotency;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Which attempt of which state an invocation is, from the Step Functions context object the ASL passes in the
 * task's Parameters ({@code $$.Execution.Id}, {@code $$.State.Name}, {@code $$.State.EnteredTime},
 * {@code $$.State.RetryCount}). A retry of the state gets a new retry count, so it is a new attempt; a second
 * delivery of the same attempt carries the same four values.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Invocation(
        @JsonProperty("execution") String execution,
        @JsonProperty("state") String state,
        @JsonProperty("entered_time") String enteredTime,
        @JsonProperty("retry_count") Integer retryCount) {

    /** All four parts present: only then does it name one attempt. */
    public boolean identifiesAttempt() {
        return execution != null && state != null && enteredTime != null && retryCount != null;
    }

    /** The attempt's part of an idempotency key; the execution is the run (records live under {@code RUN#<id>}). */
    public String attemptKey() {
        return state + "@" + enteredTime + "#r" + retryCount;
    }
}
