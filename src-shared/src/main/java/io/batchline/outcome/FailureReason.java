package io.batchline.outcome;

/**
 * The reasons of failed lines that other parts of the pipeline recognise: the report's error classes, the rerun's
 * selection of what can be sent again. Written in one place so a line written by one stage is read the same by all.
 */
public final class FailureReason {
    /** The prefix of every reason of an item an operator's cancel stopped. */
    public static final String CANCELED = "canceled: ";
    /** An item whose shard was never sent because the run was canceled first. */
    public static final String CANCELED_NOT_SENT = CANCELED + "the run was canceled before this request was sent";
    /** An item the cancel stopped: canceled by the provider, or denied its retry or repair round. */
    public static final String CANCELED_UNFINISHED = CANCELED + "the run was canceled before this item got a usable answer";
    /** The prefix of the reason of an item a failed canary kept from being sent, followed by the canary's cause. */
    public static final String CANARY_FAILED = "canary_failed: ";

    private FailureReason() {
    }
}
