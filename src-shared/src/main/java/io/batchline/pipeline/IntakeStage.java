package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.pipeline.SqsEvents.BatchItemFailure;
import io.batchline.pipeline.SqsEvents.SqsBatchResponse;
import io.batchline.pipeline.SqsEvents.SqsEvent;
import io.batchline.pipeline.SqsEvents.SqsMessage;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.run.RunIds;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Intake: S3 "object created" events (delivered at least once, through SQS) become one execution per object.
 * The execution is named after the run id, so a duplicated event meets Step Functions' own name idempotency.
 */
public final class IntakeStage {
    private static final Logger LOG = Logger.getLogger(IntakeStage.class.getName());
    private final ExecutionStarter executions;

    public IntakeStage(ExecutionStarter executions) {
        this.executions = executions;
    }

    public enum Decision { STARTED, DUPLICATE, IGNORED }

    public SqsBatchResponse accept(SqsEvent event) {
        List<BatchItemFailure> failures = new ArrayList<>();
        if (event == null || event.records() == null) return new SqsBatchResponse(failures);
        for (SqsMessage message : event.records()) {
            try {
                for (RunStart start : runsOf(message.body(), (bucket, key, reason) -> // counted, not only logged
                        IgnoredInbox.print("intake", bucket, key, reason, java.time.Instant.now(), System.out))) {
                    Decision d = start(start);
                    LOG.info(() -> "intake: " + d + " run " + start.runId() + " for s3://" + start.bucket() + "/"
                            + start.key());
                }
            } catch (RuntimeException e) {
                // only this message comes back (and reaches the DLQ after maxReceiveCount); the others are done
                LOG.log(Level.WARNING, "intake: message " + message.messageId() + " failed: " + e.getMessage(), e);
                failures.add(new BatchItemFailure(message.messageId()));
            }
        }
        return new SqsBatchResponse(failures);
    }

    public Decision start(RunStart start) {
        return executions.start(start.runId(), Json.string(start)) ? Decision.STARTED : Decision.DUPLICATE;
    }

    /** An object an event named that starts no run, and why. */
    @FunctionalInterface
    interface IgnoredSink {
        void ignored(String bucket, String key, String reason);
    }

    /** The runs an SQS message asks for: none for S3's test event or keys outside inbox/<job>/. */
    static List<RunStart> runsOf(String body) {
        return runsOf(body, (bucket, key, reason) -> {});
    }

    /** The same, telling {@code ignoredSink} about every created object that starts no run. */
    static List<RunStart> runsOf(String body, IgnoredSink ignoredSink) {
        JsonNode root = Json.tree(body.getBytes(StandardCharsets.UTF_8));
        List<RunStart> runs = new ArrayList<>();
        if ("s3:TestEvent".equals(root.path("Event").asText())) return runs;
        JsonNode records = root.path("Records");
        if (!records.isArray()) throw new IllegalArgumentException("not an S3 event notification: no Records array");
        for (JsonNode r : records) {
            if (!r.path("eventName").asText().startsWith("ObjectCreated:")) continue;
            String bucket = r.path("s3").path("bucket").path("name").asText();
            // S3 URL-encodes keys in notifications, with '+' for spaces
            String key = URLDecoder.decode(r.path("s3").path("object").path("key").asText(), StandardCharsets.UTF_8);
            String etag = r.path("s3").path("object").path("eTag").asText();
            Optional<String> job = RunIds.jobOfInboxKey(key);
            if (bucket.isEmpty() || key.isEmpty() || job.isEmpty()) {
                String reason = key.isEmpty() ? "no key" : bucket.isEmpty() ? "no bucket" : IgnoredInbox.reason(key);
                LOG.info(() -> "intake: ignored s3://" + bucket + "/" + key + " (" + reason + ")");
                ignoredSink.ignored(bucket, key, reason);
                continue;
            }
            runs.add(new RunStart(RunIds.runId(job.get(), bucket, key, etag), bucket, key,
                    RunIds.stripQuotes(etag), job.get()));
        }
        return runs;
    }
}
