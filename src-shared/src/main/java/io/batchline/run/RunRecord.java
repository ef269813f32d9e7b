package io.batchline.run;

import java.time.Instant;

/**
 * The run's row in DynamoDB ({@code RUN#id / META}). Item data never lives here.
 *
 * @param cancelRequestedAt when an operator asked to cancel the run; null when nobody did
 */
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
        String cause,
        Instant cancelRequestedAt) {

    public enum RunStatus { RUNNING, SUCCEEDED, FAILED, CANCELED }

    /** A record nobody asked to cancel. */
    public RunRecord(String runId, String job, String bucket, String inputKey, String etag, RunStatus status,
                     Instant startedAt, Instant finishedAt, String error, String cause) {
        this(runId, job, bucket, inputKey, etag, status, startedAt, finishedAt, error, cause, null);
    }

    public boolean cancelRequested() {
        return cancelRequestedAt != null;
    }
}
