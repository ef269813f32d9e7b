package io.batchline.aws.sqs;

import io.batchline.json.Json;
import io.batchline.outcome.OutcomeLine;
import io.batchline.quality.ReviewQueue;
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
 * The review queue on SQS: one message per review item ({@link ReviewQueue#message}), sent in batches of 10 (the
 * SQS maximum). Attributes {@code run_id}, {@code job} (a consumer takes its own job's items) and {@code item_key}
 * ("run id/custom_id") let a consumer filter and de-duplicate. On a FIFO queue the item key is also the
 * deduplication id, so a resend within five minutes is dropped by SQS itself.
 */
public final class SqsReviewQueue implements ReviewQueue {
    private static final Logger LOG = Logger.getLogger(SqsReviewQueue.class.getName());
    /** SQS's limit per SendMessageBatch call. */
    public static final int BATCH = 10;
    /** Entries SQS reports as failed are sent again this many times before the stage fails (transiently). */
    static final int MAX_SENDS = 3;

    private final SqsClient sqs;
    private final String queueUrl;
    private final boolean fifo;

    public SqsReviewQueue(SqsClient sqs, String queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        this.fifo = queueUrl.endsWith(".fifo");
    }

    /** The queue named by BATCHLINE_REVIEW_QUEUE_URL, or null when it is not set (review items stay in review.jsonl). */
    public static SqsReviewQueue fromEnv(Map<String, String> env, java.util.function.Supplier<SqsClient> sqs) {
        String url = env.get("BATCHLINE_REVIEW_QUEUE_URL");
        if (url == null || url.isBlank()) {
            LOG.warning("BATCHLINE_REVIEW_QUEUE_URL is not set: review items go to review.jsonl only");
            return null;
        }
        return new SqsReviewQueue(sqs.get(), url.strip());
    }

    @Override
    public String queueUrl() {
        return queueUrl;
    }

    /** A batch of up to {@value #BATCH} messages being filled; {@link SqsSender#flush} sends it. Not thread-safe. */
    @Override
    public Sender sender(String runId, String job) {
        return new SqsSender(runId, job);
    }

    private final class SqsSender implements Sender {
        private final String runId;
        private final String job;
        private final List<SendMessageBatchRequestEntry> pending = new ArrayList<>(BATCH);
        private long sent;

        private SqsSender(String runId, String job) {
            this.runId = runId;
            this.job = job;
        }

        @Override
        public void add(OutcomeLine line) {
            // a line answered from the result cache was in no batch: its input line names it
            String key = runId + "/" + (line.customId() != null ? line.customId() : "cached-l" + line.line());
            var entry = SendMessageBatchRequestEntry.builder()
                    .id("m" + pending.size())
                    .messageBody(Json.string(ReviewQueue.message(runId, job, line)))
                    .messageAttributes(job == null
                            ? Map.of("run_id", text(runId), "item_key", text(key))
                            : Map.of("run_id", text(runId), "job", text(job), "item_key", text(key)));
            if (fifo) entry.messageGroupId(runId).messageDeduplicationId(dedupId(key));
            pending.add(entry.build());
            if (pending.size() == BATCH) flush();
        }

        @Override
        public long sent() {
            return sent;
        }

        /** Sends the pending entries; SQS's per-entry failures are sent again, then reported as an exception. */
        @Override
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
}
