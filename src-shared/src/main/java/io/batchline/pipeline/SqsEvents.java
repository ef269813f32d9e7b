package io.batchline.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The SQS -> Lambda event and its partial-batch-failure answer. Own small types: the
 * aws-lambda-java-events classes do not deserialize reliably under Quarkus' Jackson.
 */
public final class SqsEvents {
    private SqsEvents() {}

    public record SqsEvent(@JsonProperty("Records") List<SqsMessage> records) {}

    public record SqsMessage(
            @JsonProperty("messageId") String messageId,
            @JsonProperty("receiptHandle") String receiptHandle,
            @JsonProperty("body") String body,
            @JsonProperty("eventSourceARN") String eventSourceArn) {}

    public record BatchItemFailure(@JsonProperty("itemIdentifier") String itemIdentifier) {}

    /** ReportBatchItemFailures: only the listed messages come back; the rest are deleted. */
    public record SqsBatchResponse(@JsonProperty("batchItemFailures") List<BatchItemFailure> batchItemFailures) {}
}
