package io.batchline.run;

import java.time.Instant;

/** The run's row in DynamoDB ({@code RUN#id / META}). Item data never lives here. */
public record RunRecord(
        String runId,
        String job,
        String bucket,
        String inputKey,
        String etag,
        RunStatus status,
        Instant startedAt,
        Instant finishedAt,
        String error,
        String cause) {

    public enum RunStatus { RUNNING, SUCCEEDED, FAILED, CANCELED }
}
