package io.batchline.pipeline;

import io.batchline.plan.ItemCarryCodec;
import io.batchline.plan.ShardIndexLine;
import io.batchline.store.ObjectStore;
import java.util.function.Consumer;

/**
 * Reads the items that will not be sent (again) because their run was canceled or its canary failed, from retry
 * parts and shard indexes, for the stages that give each its failed line. A line that names no input line (not
 * JSON, no line number; an index line without custom_id or id) fails the stage permanently, saying where it is:
 * an outcome for a made-up line would leave the real one without any.
 */
final class UnsentItemReader {
    static final String UNREADABLE = "UnreadableItemLine";

    private UnsentItemReader() {}

    /** Line {@code lineNumber} (of the part's non-blank lines) of retry part {@code part}; params may be absent. */
    static ItemCarryCodec.RetryLine retried(String text, int attemptsIfAbsent, String part, long lineNumber) {
        try {
            return ItemCarryCodec.readRetryItem(text, attemptsIfAbsent, "retry part " + part + " line " + lineNumber);
        } catch (IllegalStateException e) {
            throw new PermanentStageException(UNREADABLE, e.getMessage(), e);
        }
    }

    /** Each line of a shard index, in the order written. */
    static void forEachPlanned(ObjectStore store, String indexKey, Consumer<ShardIndexLine> each) {
        try {
            ItemCarryCodec.forEachIndexLine(store, indexKey, each);
        } catch (IllegalStateException e) {
            throw new PermanentStageException(UNREADABLE, e.getMessage(), e);
        }
    }
}
