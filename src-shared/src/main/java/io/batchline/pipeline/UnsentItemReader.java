package io.batchline.pipeline;

import io.batchline.json.JsonLines;
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

    /** Each line of retry part {@code part}; params may be absent. */
    static void forEachRetried(ObjectStore store, String part, int attemptsIfAbsent,
                               Consumer<ItemCarryCodec.RetryLine> each) {
        long[] lineNumber = {0};
        JsonLines.forEachLine(store.open(part), text -> each.accept(retried(text, attemptsIfAbsent,
                "retry part " + part + " line " + ++lineNumber[0])));
    }

    private static ItemCarryCodec.RetryLine retried(String text, int attemptsIfAbsent, String where) {
        try {
            return ItemCarryCodec.readRetryItem(text, attemptsIfAbsent, where);
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
