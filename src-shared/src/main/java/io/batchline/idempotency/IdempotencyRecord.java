package io.batchline.idempotency;

/**
 * One idempotency record (as in Powertools for AWS Lambda): INPROGRESS while a call runs, COMPLETED with its
 * result afterwards. {@code expiresAt} (epoch seconds) is also the table's TTL attribute in AWS; the local
 * DynamoDB has no TTL, so expiry is always checked in code too.
 */
public record IdempotencyRecord(
        String runId,
        String key,
        Status status,
        long expiresAt,
        long inProgressExpiresAtMillis,
        String payloadHash,
        String result) {

    public enum Status { INPROGRESS, COMPLETED }

    public boolean expired(long nowEpochSeconds) {
        return expiresAt < nowEpochSeconds;
    }

    public boolean inProgressExpired(long nowMillis) {
        return status == Status.INPROGRESS && inProgressExpiresAtMillis < nowMillis;
    }
}
