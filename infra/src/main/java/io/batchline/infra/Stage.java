package io.batchline.infra;

/**
 * One Lambda function per handler of functions/ (its @Named stage), all from the same artifact. The flags say
 * which settings and which permissions a stage gets; the stack grants nothing a stage's code does not use.
 */
public enum Stage {
    INTAKE("intake", 60, 512, false, true, false),
    REGISTER("register", 120, 512, false, false, false),
    FORMAT("format", 900, 1024, false, false, false),
    SUBMIT("submit", 900, 1024, true, false, false),
    POLL("poll", 600, 1024, true, false, false),
    COLLECT("collect", 900, 1024, false, false, true),
    CANARY("canary", 300, 1024, false, false, false),
    FINALIZE("finalize", 900, 1024, false, false, false),
    MARK_FAILED("mark-failed", 120, 512, false, false, false),
    SWEEP("sweep", 300, 512, false, true, false),
    /** invoked by an operator to cancel a run (R3.4); not a state of the state machine */
    CANCEL("cancel", 120, 512, true, false, false),
    /**
     * issue 16: target of the EventBridge rule on the state machine's ABORTED / TIMED_OUT / FAILED executions
     * (records the end a stopped or timed-out execution never recorded); not a state of the state machine
     */
    EXECUTION_ENDED("execution-ended", 120, 512, false, false, false);

    /** The handler name (QUARKUS_LAMBDA_HANDLER). */
    public final String handler;
    public final int timeoutSeconds;
    public final int memoryMb;
    /** Reads the Anthropic API key: only these may read the secret. */
    public final boolean callsProvider;
    /** Starts executions: gets BATCHLINE_STATE_MACHINE_ARN and states:StartExecution. */
    public final boolean startsRuns;
    /** Sends review items: gets BATCHLINE_REVIEW_QUEUE_URL and sqs:SendMessage on that queue. */
    public final boolean sendsReviews;

    Stage(String handler, int timeoutSeconds, int memoryMb, boolean callsProvider, boolean startsRuns,
          boolean sendsReviews) {
        this.handler = handler;
        this.timeoutSeconds = timeoutSeconds;
        this.memoryMb = memoryMb;
        this.callsProvider = callsProvider;
        this.startsRuns = startsRuns;
        this.sendsReviews = sendsReviews;
    }

    /** CamelCase for construct ids and ASL placeholders: mark-failed -> MarkFailed. */
    public String camel() {
        return AslDefinition.placeholderOf(handler).replace("FunctionArn", "");
    }
}
