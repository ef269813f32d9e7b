package io.batchline.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.outcome.OutcomeLine;
import io.batchline.quality.ReviewQueue;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ReviewQueue} in memory: messages are sent in batches of {@value #BATCH} (as SqsReviewQueue does), each
 * body {@link ReviewQueue#message}; {@link #failSends(int)} makes the next flushes fail with
 * {@link ReviewQueueException}, sending nothing.
 */
public final class InMemoryReviewQueue implements ReviewQueue {
    public static final int BATCH = 10;
    private final String url;
    private final List<ObjectNode> messages = new ArrayList<>();
    private int failingSends;

    public InMemoryReviewQueue() {
        this("memory://review-queue");
    }

    public InMemoryReviewQueue(String url) {
        this.url = url;
    }

    @Override
    public String queueUrl() {
        return url;
    }

    /** Every message the queue took, in the order sent. */
    public synchronized List<ObjectNode> messages() {
        return List.copyOf(messages);
    }

    /** The next {@code n} flushes throw {@link ReviewQueueException}. */
    public synchronized void failSends(int n) {
        failingSends = n;
    }

    @Override
    public Sender sender(String runId, String job) {
        return new Sender() {
            private final List<ObjectNode> pending = new ArrayList<>();
            private long sent;

            @Override
            public void add(OutcomeLine line) {
                pending.add(ReviewQueue.message(runId, job, line));
                if (pending.size() == BATCH) flush();
            }

            @Override
            public void flush() {
                List<ObjectNode> toSend = new ArrayList<>(pending);
                pending.clear();
                if (toSend.isEmpty()) return;
                synchronized (InMemoryReviewQueue.this) {
                    if (failingSends > 0) {
                        failingSends--;
                        throw new ReviewQueueException("sending " + toSend.size() + " review messages to " + url
                                + ": scripted failure", null);
                    }
                    messages.addAll(toSend);
                }
                sent += toSend.size();
            }

            @Override
            public long sent() {
                return sent;
            }

            @Override
            public void close() {
                if (!pending.isEmpty()) flush();
            }
        };
    }
}
