package io.batchline.quality;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeLine;

/**
 * Where review items are sent besides review.jsonl, for people to check: one message per review item, whose body is
 * {@code {run_id, job, id, line, custom_id, output, confidence, reason}} ({@link #message}).
 */
public interface ReviewQueue {

    /** Where the messages go, as recorded in the run's marker of what was sent. */
    String queueUrl();

    /** A sender for one run's items. */
    default Sender sender(String runId) {
        return sender(runId, null);
    }

    /** The same for a run of {@code job}: the job goes into every message ({@code job} null: unknown, left out). */
    Sender sender(String runId, String job);

    /** Collects a run's review items and sends them in batches; not thread-safe. */
    interface Sender extends AutoCloseable {
        void add(OutcomeLine line);

        /** Sends what is pending; a message the queue does not take fails it with {@link ReviewQueueException}. */
        void flush();

        /** Messages the queue took so far. */
        long sent();

        /** Sends what is still pending. */
        @Override
        void close();
    }

    /** The message body for one review line. */
    static ObjectNode message(String runId, OutcomeLine line) {
        return message(runId, null, line);
    }

    /** The message body for one review line of a job's run ({@code job} null: unknown, left out). */
    static ObjectNode message(String runId, String job, OutcomeLine line) {
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("run_id", runId);
        if (job != null) m.put("job", job);
        m.put("id", line.id());
        m.put("line", line.line());
        m.put("custom_id", line.customId());
        m.set("output", line.output());
        if (line.confidence() == null) m.putNull("confidence");
        else m.put("confidence", line.confidence());
        m.put("reason", line.reason());
        return m;
    }

    /** The queue could not take the messages; the collect is retried (the marker is only written after success). */
    final class ReviewQueueException extends RuntimeException {
        public ReviewQueueException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
