package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.Collected;
import io.batchline.plan.Planner;
import io.batchline.provider.BatchResult;
import io.batchline.quality.ReviewPublisher;
import io.batchline.quality.ReviewQueue;
import io.batchline.provider.ResultReader;
import io.batchline.route.ConfidenceRouter;
import io.batchline.route.Routing;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import io.batchline.validate.Extraction;
import io.batchline.validate.InvalidOutput;
import io.batchline.validate.RepairPrompt;
import io.batchline.validate.JsonExtractor;
import io.batchline.validate.OutputValidator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * "Collect shard": streams one ended batch's saved results, joins them to items by custom_id, validates and
 * routes each answer, and writes this shard's outcome parts whole (a repeated collect rewrites the same parts,
 * so nothing is counted twice). Requests that failed for a passing reason go to the next attempt's retry part;
 * every request of the shard ends in exactly one of the two.
 */
public final class CollectStage {
    private static final Logger LOG = Logger.getLogger(CollectStage.class.getName());
    private final PipelineContext ctx;
    private final JsonExtractor extractor = new JsonExtractor();

    public CollectStage(PipelineContext ctx) {
        this.ctx = ctx;
    }

    /** One index line: which input item a custom_id stands for, and what it carries (see ShardIndexLine). */
    record Item(String customId, String id, long line, int attempts, boolean repair, boolean truncated,
                String label, boolean golden) {}

    /**
     * A request to send again in the next attempt: as it was (a transient failure), or, when {@code answer} is
     * set, as its repair (R4.2): the model's invalid answer and what is wrong with it become a follow-up turn.
     */
    record Retry(Item item, String why, String answer, String errors) {
        static Retry transientFailure(Item item, String why) {
            return new Retry(item, why, null, null);
        }

        boolean isRepair() {
            return errors != null;
        }
    }

    /** What became of one result: an outcome line, or a request for the next attempt. */
    private record Verdict(OutcomeLine line, Retry retry) {}

    public Collected collect(CollectRequest request) {
        String runId = request.runId();
        ObjectStore store = ctx.store(request.bucket());
        JobSpec job = ctx.jobOfRun(request.bucket(), runId);
        ShardRecord shard = ctx.runs().shards(runId, request.attempt()).stream()
                .filter(s -> s.shard() == request.shard()).findFirst()
                .orElseThrow(() -> new PermanentStageException("ShardMissing",
                        "run " + runId + " has no shard " + request.shard() + " in attempt " + request.attempt()));
        if (shard.rawKey() == null) {
            throw new TransientStageException("shard " + shard.shard() + " of run " + runId + " has no saved results yet");
        }
        Map<String, Item> pending = readIndex(store, shard.indexKey());
        io.batchline.logging.LogContext.put("batch_id", shard.batchId());
        Judge judge = new Judge(job, ctx.prices().priceFor(job.model()), shard.batchId());
        Map<OutcomeKind, Long> counts = new EnumMap<>(OutcomeKind.class);
        Map<String, Retry> retry = new LinkedHashMap<>(); // by custom_id

        Map<OutcomeKind, OutputStream> parts = new EnumMap<>(OutcomeKind.class);
        try {
            for (OutcomeKind kind : OutcomeKind.values()) {
                parts.put(kind, store.create(RunKeys.shardPart(runId, shard.attempt(), shard.shard(), kind),
                        "application/x-ndjson"));
            }
            long unknown = 0;
            try (ResultReader results = new ResultReader(store.open(shard.rawKey()))) {
                while (results.hasNext()) {
                    BatchResult result = results.next();
                    io.batchline.chaos.Chaos.point("collect.line");
                    Item item = pending.remove(result.customId());
                    if (item == null) {
                        unknown++; // not ours, or a duplicate line: never counted twice
                        continue;
                    }
                    Verdict verdict = judge.outcome(item, result);
                    if (verdict.retry() != null) {
                        retry.put(item.customId(), verdict.retry());
                    } else {
                        OutcomeLine line = verdict.line();
                        JsonLines.write(parts.get(line.kind()), line);
                        counts.merge(line.kind(), 1L, Long::sum);
                    }
                }
            }
            // a request the provider never answered is accounted for like a transient failure
            for (Item item : pending.values()) {
                OutcomeLine line = judge.unanswered(item);
                if (line == null) {
                    retry.put(item.customId(), Retry.transientFailure(item, "no result returned for " + item.customId()));
                } else {
                    JsonLines.write(parts.get(line.kind()), line);
                    counts.merge(line.kind(), 1L, Long::sum);
                }
            }
            if (unknown > 0) {
                long n = unknown;
                LOG.warning(() -> "collect: " + n + " result lines of batch " + shard.batchId() + " matched no request");
            }
            for (OutputStream out : parts.values()) out.close();
        } catch (IOException e) {
            throw new TransientStageException("writing outcome parts of shard " + shard.shard() + ": " + e.getMessage(), e);
        }
        writeRetryPart(store, shard, retry, job);
        try {
            ReviewPublisher.publish(ctx.reviewQueue(), store, runId, shard.attempt(), shard.shard());
        } catch (ReviewQueue.ReviewQueueException e) {
            throw new TransientStageException(e.getMessage(), e);
        }
        io.batchline.chaos.Chaos.point("collect.before_mark");
        ctx.runs().markCollected(runId, shard.attempt(), shard.shard());
        return new Collected(shard.shard(), counts.getOrDefault(OutcomeKind.ACCEPTED, 0L),
                counts.getOrDefault(OutcomeKind.REVIEW, 0L), counts.getOrDefault(OutcomeKind.REJECTED, 0L),
                counts.getOrDefault(OutcomeKind.FAILED, 0L), retry.size());
    }

    /** Bounded by the shard size, not the input size. */
    static Map<String, Item> readIndex(ObjectStore store, String indexKey) {
        Map<String, Item> index = new HashMap<>();
        JsonLines.forEachLine(store.open(indexKey), line -> {
            JsonNode n = Json.tree(line.getBytes(StandardCharsets.UTF_8));
            Item item = new Item(n.get("custom_id").asText(), n.get("id").asText(), n.get("line").asLong(),
                    n.path("attempts").asInt(1), n.path("repair").asBoolean(false), n.path("truncated").asBoolean(false),
                    n.path("label").isValueNode() && !n.path("label").isNull() ? n.get("label").asText() : null,
                    n.path("golden").asBoolean(false));
            index.put(item.customId(), item);
        });
        return index;
    }

    /**
     * The requests to send again, copied from this shard's request file with the item they stand for. Written
     * even when empty, so a repeated collect never leaves an older retry part behind.
     */
    private void writeRetryPart(ObjectStore store, ShardRecord shard, Map<String, Retry> retry, JobSpec job) {
        String key = RunKeys.retryPart(shard.runId(), shard.attempt() + 1, shard.shard());
        try (OutputStream out = store.create(key, "application/x-ndjson")) {
            if (!retry.isEmpty()) {
                JsonLines.forEachLine(store.open(shard.requestsKey()), line -> {
                    JsonNode request = Json.tree(line.getBytes(StandardCharsets.UTF_8));
                    String customId = request.path("custom_id").asText();
                    Retry r = retry.get(customId);
                    if (r == null) return;
                    ObjectNode carried = Json.MAPPER.createObjectNode();
                    carried.put("id", r.item().id());
                    carried.put("line", r.item().line());
                    carried.put("attempts", r.item().attempts());
                    carried.put("last_error", r.why());
                    JsonNode params = request.get("params");
                    if (r.isRepair()) {
                        carried.put("repair", true);
                        params = RepairPrompt.params(params, r.answer(), r.errors(), job.outputSchema());
                    } else if (r.item().repair()) {
                        carried.put("repair", true); // a repair request that failed transiently stays one
                    }
                    if (r.item().truncated()) carried.put("truncated", true);
                    if (r.item().label() != null) carried.put("label", r.item().label());
                    if (r.item().golden()) carried.put("golden", true);
                    carried.set("params", params);
                    JsonLines.write(out, carried);
                });
            }
        } catch (IOException e) {
            throw new TransientStageException("writing retry part " + key + ": " + e.getMessage(), e);
        }
    }

    /** Decides each item's outcome from its result. Returns null where the item goes to the next attempt. */
    private final class Judge {
        private final JobSpec job;
        private final Price price;
        private final String batchId;
        private final OutputValidator validator;
        private final ConfidenceRouter router;

        Judge(JobSpec job, Price price, String batchId) {
            this.job = job;
            this.price = price;
            this.batchId = batchId;
            this.validator = new OutputValidator(job.outputSchema());
            this.router = new ConfidenceRouter(job.confidence());
        }

        Verdict outcome(Item item, BatchResult result) {
            Usage usage = result.usage() == null ? Usage.ZERO : result.usage();
            BigDecimal cost = price.cost(usage);
            if (result.succeeded()) {
                String answer = result.answer();
                Extraction extraction = extractor.extract(answer);
                if (!extraction.ok()) {
                    return invalid(item, InvalidOutput.NOT_JSON + extraction.failure(), extraction.failure(), answer,
                            null, usage, cost);
                }
                List<String> errors = validator.validate(extraction.json());
                if (!errors.isEmpty()) {
                    String list = String.join("; ", errors);
                    return invalid(item, InvalidOutput.SCHEMA + list, list, answer, extraction.json(), usage, cost);
                }
                Routing routing = router.route(extraction.json());
                return new Verdict(line(item, routing.kind(), routing.reason(), extraction.json(), routing.confidence(),
                        usage, cost), null);
            }
            if (result.permanentFailure()) {
                return new Verdict(line(item, OutcomeKind.FAILED, "provider rejected the request: " + result.errorType()
                        + ": " + result.errorMessage(), null, null, usage, cost), null);
            }
            if (item.attempts() < job.maxAttempts()) {
                return new Verdict(null, Retry.transientFailure(item, transientReason(result)));
            }
            return new Verdict(line(item, OutcomeKind.FAILED, transientReason(result) + " (gave up after "
                    + item.attempts() + " attempts)", null, null, usage, cost), null);
        }

        /**
         * An answer that is not JSON or breaks the schema: sent once more as its repair (R4.2) unless this was the
         * repair already, or repair is off; else rejected with the reason. The cost of the invalid answer is not
         * lost: the repaired line's cost covers only the repair call, and the first call's usage stays in the raw
         * results; see README "Repair round".
         */
        private Verdict invalid(Item item, String reason, String errors, String answer, JsonNode output, Usage usage,
                                BigDecimal cost) {
            if (item.repair()) {
                return new Verdict(line(item, OutcomeKind.REJECTED, InvalidOutput.AFTER_REPAIR + reason, output, null,
                        usage, cost), null);
            }
            if (Planner.repairs(job) && item.attempts() < Planner.lastAttempt(job)) {
                return new Verdict(null, new Retry(item, reason, answer == null ? "" : answer, errors));
            }
            return new Verdict(line(item, OutcomeKind.REJECTED, reason, output, null, usage, cost), null);
        }

        OutcomeLine unanswered(Item item) {
            if (item.attempts() < job.maxAttempts()) return null;
            return line(item, OutcomeKind.FAILED, "no result returned by the provider (gave up after "
                    + item.attempts() + " attempts)", null, null, Usage.ZERO, BigDecimal.ZERO);
        }

        String transientReason(BatchResult result) {
            return switch (result.type()) {
                case ERRORED -> "provider error " + result.errorType() + ": " + result.errorMessage();
                case EXPIRED -> "expired: the batch ended before this request was processed";
                case CANCELED -> "canceled by the provider";
                case SUCCEEDED -> "succeeded";
            };
        }

        private OutcomeLine line(Item item, OutcomeKind kind, String reason, JsonNode output, Double confidence,
                                 Usage usage, BigDecimal cost) {
            boolean valid = kind != OutcomeKind.FAILED && !InvalidOutput.isInvalidOutputReason(reason);
            return new OutcomeLine(item.id(), item.line(), kind.label(), kind == OutcomeKind.ACCEPTED ? null : reason,
                    output, confidence, usage, cost, item.attempts(), batchId, item.customId(),
                    item.repair() && valid ? Boolean.TRUE : null, item.truncated() ? Boolean.TRUE : null, item.label());
        }
    }
}
