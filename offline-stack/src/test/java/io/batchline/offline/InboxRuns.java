package io.batchline.offline;

import io.batchline.run.RunIds;
import io.batchline.store.ObjectStore;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/** What the end-to-end tests do as a user of the stack: drop a file in the inbox, wait for its run to end. */
final class InboxRuns {
    private InboxRuns() {}

    /**
     * Puts a job spec as jobs/<job>.yaml with the bundled sample's golden file next to it
     * (jobs/<job>/golden.jsonl), as `local run` uploads them.
     */
    static void putJob(ObjectStore bucket, java.nio.file.Path home, String job, byte[] yaml) throws java.io.IOException {
        bucket.put(io.batchline.run.RunKeys.goldenSource(job, "golden.jsonl"),
                java.nio.file.Files.readAllBytes(home.resolve("samples/ticket-triage/golden.jsonl")), "application/x-ndjson");
        bucket.put(io.batchline.run.RunKeys.jobSpec(job), yaml, "application/yaml");
    }

    /** Puts the object as a user would and returns the run id the intake will give it. */
    static String drop(OfflineStack stack, ObjectStore bucket, String key, byte[] bytes) {
        bucket.put(key, bytes, "application/x-ndjson");
        String job = RunIds.jobOfInboxKey(key).orElseThrow();
        return RunIds.runId(job, stack.endpoints().bucket(), key, bucket.head(key).orElseThrow().etag());
    }

    /** The lines of one outcome file of a finished run, parsed. */
    static java.util.List<com.fasterxml.jackson.databind.JsonNode> outcomeLines(ObjectStore bucket, String runId,
                                                                               io.batchline.outcome.OutcomeKind kind) {
        java.util.List<com.fasterxml.jackson.databind.JsonNode> lines = new java.util.ArrayList<>();
        io.batchline.json.JsonLines.forEachLine(bucket.open(io.batchline.run.RunKeys.outcome(runId, kind)),
                l -> lines.add(io.batchline.json.Json.tree(l.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        return lines;
    }

    /**
     * Waits until every shard of the run's first attempt has its batch at the provider (in progress there: the
     * moment to cancel it) and returns them; fails if the run ends first.
     */
    static java.util.List<io.batchline.run.ShardRecord> awaitBatchesInFlight(OfflineStack stack, SfnClient sfn,
            io.batchline.run.RunStore runs, String runId, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            java.util.List<io.batchline.run.ShardRecord> shards = runs.run(runId).isPresent() ? runs.shards(runId, 1)
                    : java.util.List.of();
            if (!shards.isEmpty() && shards.stream().allMatch(s -> s.status()
                    == io.batchline.run.ShardRecord.ShardStatus.SUBMITTED)) {
                return shards;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("the batches of run " + runId + " were not all submitted within " + timeout
                        + "; logs in " + stack.endpoints().logDir());
            }
            try {
                DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(
                        stack.endpoints().executionArn(runId)));
                if (d.status() != ExecutionStatus.RUNNING) {
                    throw new AssertionError("run " + runId + " ended before its batches were in flight: "
                            + d.status() + " " + d.error() + " " + d.cause());
                }
            } catch (ExecutionDoesNotExistException notYet) {
                // the S3 event is still on its way to the intake
            }
            Thread.sleep(300);
        }
    }

    static DescribeExecutionResponse awaitEnd(OfflineStack stack, SfnClient sfn, String runId, Duration timeout)
            throws InterruptedException {
        String arn = stack.endpoints().executionArn(runId);
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(arn));
                if (d.status() != ExecutionStatus.RUNNING) return d;
            } catch (ExecutionDoesNotExistException notYet) {
                // the S3 event is still on its way through SQS to the intake
            }
            Thread.sleep(500);
        }
        throw new AssertionError("run " + runId + " did not end within " + timeout + "; logs in "
                + stack.endpoints().logDir());
    }
}
