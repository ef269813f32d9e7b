package io.batchline.infra;

import io.batchline.pipeline.StageNames;

/**
 * One Lambda function per stage of {@link StageNames} (the @Named handler of functions/), all from the same
 * artifact. The flags say which settings and which permissions a stage gets; the stack grants nothing a stage's
 * code does not use.
 */
public enum Stage {
    INTAKE(StageNames.INTAKE, 60, 512, false, true, false),
    REGISTER(StageNames.REGISTER, 120, 512, false, false, false),
    FORMAT(StageNames.FORMAT, 900, 1024, false, false, false),
    SUBMIT(StageNames.SUBMIT, 900, 1024, true, false, false),
    POLL(StageNames.POLL, 600, 1024, true, false, false),
    COLLECT(StageNames.COLLECT, 900, 1024, false, false, true),
    CANARY(StageNames.CANARY, 300, 1024, false, false, false),
    FINALIZE(StageNames.FINALIZE, 900, 1024, false, false, false),
    MARK_FAILED(StageNames.MARK_FAILED, 120, 512, false, false, false),
    SWEEP(StageNames.SWEEP, 300, 512, false, true, false),
    /** invoked by an operator to cancel a run; not a state of the state machine */
    CANCEL(StageNames.CANCEL, 120, 512, true, false, false),
    /**
     * target of the EventBridge rule on the state machine's ABORTED / TIMED_OUT / FAILED executions (records the
     * end a stopped or timed-out execution never recorded); not a state of the state machine
     */
    EXECUTION_ENDED(StageNames.EXECUTION_ENDED, 120, 512, false, false, false);

    /** The stage's name in {@link StageNames}: the handler name (QUARKUS_LAMBDA_HANDLER). */
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
        return StageNames.aslPlaceholder(handler).replace("FunctionArn", "");
    }
}
