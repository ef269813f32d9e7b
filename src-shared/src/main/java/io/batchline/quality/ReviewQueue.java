package io.batchline.quality;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The SQS review queue (R4.3): one message per review item, sent in batches of 10 (the SQS maximum). The body is
 * {@code {run_id, job, id, line, custom_id, output, confidence, reason}}; attributes {@code run_id}, {@code job}
 * (issue 16: a consumer takes its own job's items) and {@code item_key} ("run id/custom_id") let a consumer filter
 * and de-duplicate. On a FIFO queue the item key is
 * also the deduplication id, so a resend within five minutes is dropped by SQS itself.
 */
public final class ReviewQueue {
    private static final Logger LOG = Logger.getLogger(ReviewQueue.class.getName());
    /** SQS's limit per SendMessageBatch call. */
    public static final int BATCH = 10;
    /** Entries SQS reports as failed are sent again this many times before the stage fails (transiently). */
    static final int MAX_SENDS = 3;

    private final SqsClient sqs;
    private final String queueUrl;
    private final boolean fifo;

    public ReviewQueue(SqsClient sqs, String queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.fifo = queueUrl.endsWith(".fifo");
    }

    /** The queue named by BATCHLINE_REVIEW_QUEUE_URL, or null when it is not set (review items stay in review.jsonl). */
    public static ReviewQueue fromEnv(Map<String, String> env, java.util.function.Supplier<SqsClient> sqs) {
        String url = env.get("BATCHLINE_REVIEW_QUEUE_URL");
        if (url == null || url.isBlank()) {
            LOG.warning("BATCHLINE_REVIEW_QUEUE_URL is not set: review items go to review.jsonl only");
            return null;
        }
        return new ReviewQueue(sqs.get(), url.strip());
    }

    public String queueUrl() {
        return queueUrl;
    }

    /** The message body for one review line. */
    public static ObjectNode message(String runId, OutcomeLine line) {
        return message(runId, null, line);
    }

    /** The message body for one review line of a job's run ({@code job} null: unknown, left out). */
    public static ObjectNode message(String runId, String job, OutcomeLine line) {
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

    /** A batch being filled; {@link #flush} sends what it holds. Not thread-safe. */
    public Sender sender(String runId) {
        return new Sender(runId, null);
    }

    /** The same for a run of {@code job}: the job goes into every message's body and {@code job} attribute. */
    public Sender sender(String runId, String job) {
        return new Sender(runId, job);
    }

    public final class Sender implements AutoCloseable {
        private final String runId;
        private final String job;
        private final List<SendMessageBatchRequestEntry> pending = new ArrayList<>(BATCH);
        private long sent;

        private Sender(String runId, String job) {
            this.runId = runId;
            this.job = job;
        }

        public void add(OutcomeLine line) {
            // a line answered from the result cache was in no batch: its input line names it (issue 6)
            String key = runId + "/" + (line.customId() != null ? line.customId() : "cached-l" + line.line());
            var entry = SendMessageBatchRequestEntry.builder()
                    .id("m" + pending.size())
                    .messageBody(Json.string(message(runId, job, line)))
                    .messageAttributes(job == null
                            ? Map.of("run_id", text(runId), "item_key", text(key))
                            : Map.of("run_id", text(runId), "job", text(job), "item_key", text(key)));
            if (fifo) entry.messageGroupId(runId).messageDeduplicationId(dedupId(key));
            pending.add(entry.build());
            if (pending.size() == BATCH) flush();
        }

        public long sent() {
            return sent;
        }

        /** Sends the pending entries; SQS's per-entry failures are sent again, then reported as an exception. */
        public void flush() {
            List<SendMessageBatchRequestEntry> toSend = new ArrayList<>(pending);
            pending.clear();
            for (int send = 1; !toSend.isEmpty(); send++) {
                SendMessageBatchResponse response;
                try {
                    final List<SendMessageBatchRequestEntry> entries = toSend;
                    response = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
                } catch (SdkException e) {
                    throw new ReviewQueueException("sending " + toSend.size() + " review messages to " + queueUrl
                            + ": " + e.getMessage(), e);
                }
                sent += response.successful().size();
                if (response.failed().isEmpty()) return;
                List<String> failedIds = response.failed().stream().map(BatchResultErrorEntry::id).toList();
                BatchResultErrorEntry first = response.failed().get(0);
                if (send >= MAX_SENDS || response.failed().stream().anyMatch(BatchResultErrorEntry::senderFault)) {
                    throw new ReviewQueueException(response.failed().size() + " review messages were refused by "
                            + queueUrl + " (first: " + first.code() + ": " + first.message() + ")", null);
                }
                toSend = toSend.stream().filter(e -> failedIds.contains(e.id())).toList();
            }
        }

        @Override
        public void close() {
            if (!pending.isEmpty()) flush();
        }
    }

    private static MessageAttributeValue text(String value) {
        return MessageAttributeValue.builder().dataType("String").stringValue(value).build();
    }

    /** FIFO deduplication ids are at most 128 characters. */
    private static String dedupId(String key) {
        return key.length() <= 128 ? key : key.substring(key.length() - 128);
    }

    /** The queue could not take the messages; the collect is retried (the marker is only written after success). */
    public static final class ReviewQueueException extends RuntimeException {
        public ReviewQueueException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
