package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.outcome.OutcomeLineWriter;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.Collected;
import io.batchline.plan.ItemCarry;
import io.batchline.plan.ItemCarryCodec;
import io.batchline.plan.ShardIndexLine;
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
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
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

    /** Results between checkpoints, from {@code BATCHLINE_COLLECT_CHECKPOINT_EVERY} unless given. */
    private final int checkpointEvery;

    public CollectStage(PipelineContext ctx) {
        this(ctx, ctx.config().collectCheckpointEvery());
    }

    public CollectStage(PipelineContext ctx, int checkpointEvery) {
        this.ctx = ctx;
        this.checkpointEvery = Math.max(1, checkpointEvery);
    }

    /**
     * A request to send again in the next attempt: as it was (a transient failure), or, when {@code answer} is
     * set, as its repair: the model's invalid answer and what is wrong with it become a follow-up turn.
     */
    record Retry(ShardIndexLine item, String why, String answer, String errors, JsonNode history, boolean escalation) {
        Retry(ShardIndexLine item, String why, String answer, String errors, JsonNode history) {
            this(item, why, answer, errors, history, false);
        }

        static Retry transientFailure(ShardIndexLine item, String why, JsonNode history) {
            return new Retry(item, why, null, null, history);
        }

        /** The item's escalation round: its first request for the escalation's model. */
        static Retry escalation(ShardIndexLine item, String why, JsonNode history) {
            return new Retry(item, why, null, null, history, true);
        }

        boolean isRepair() {
            return errors != null;
        }
    }

    /** What became of one result: an outcome line, or a request for the next attempt. */
    private record Verdict(OutcomeLine line, Retry retry) {}

    /**
     * Collects the request's shards one after the other (a group), reading the job, the shard records
     * and the cancel state once for all of them; returns their counts added up, named by the first shard.
     */
    public Collected collect(CollectRequest request) {
        String runId = request.runId();
        ObjectStore store = ctx.store(request.bucket());
        JobSpec job = ctx.jobOfRun(request.bucket(), runId);
        List<ShardRecord> records = ctx.runs().shards(runId, request.attempt());
        boolean canceled = ctx.runs().cancelRequested(runId); // no further attempt after a cancel
        Collected total = null;
        for (int n : request.group()) {
            ShardRecord shard = records.stream().filter(s -> s.shard() == n).findFirst()
                    .orElseThrow(() -> new PermanentStageException("ShardMissing",
                            "run " + runId + " has no shard " + n + " in attempt " + request.attempt()));
            io.batchline.logging.LogContext.put("shard", Integer.toString(n));
            Collected c = collectShard(store, job, shard, canceled);
            total = total == null ? c : new Collected(total.shard(), total.accepted() + c.accepted(),
                    total.review() + c.review(), total.rejected() + c.rejected(), total.failed() + c.failed(),
                    total.retry() + c.retry());
        }
        return total;
    }

    private Collected collectShard(ObjectStore store, JobSpec job, ShardRecord shard, boolean canceled) {
        String runId = shard.runId();
        if (shard.status() == ShardRecord.ShardStatus.CANCELED) {
            return collectUnsent(store, shard);
        }
        if (shard.rawKey() == null) {
            throw new TransientStageException("shard " + shard.shard() + " of run " + runId + " has no saved results yet");
        }
        Map<String, ShardIndexLine> pending = ItemCarryCodec.readIndex(store, shard.indexKey());
        io.batchline.logging.LogContext.put("batch_id", shard.batchId());
        // resume after the last checkpoint of a killed collect, judging as it did
        CollectCheckpoint.State checkpoint = CollectCheckpoint.read(store, runId, shard.attempt(), shard.shard())
                .orElse(null);
        boolean judgedCanceled = checkpoint != null ? checkpoint.canceled() : canceled;
        int every = checkpoint != null ? checkpoint.every() : checkpointEvery;
        long skip = checkpoint != null ? checkpoint.resultsDone() : 0;
        int segments = checkpoint != null ? checkpoint.segments() : 0;
        int requests = pending.size();
        if (checkpoint == null && isSegment(0, every, requests)) {
            // a segmented collect is recorded before its first segment, so a shard without a checkpoint has no
            // segments to drop and a small one costs no listing; this drop is for older runs' leftovers
            CollectCheckpoint.dropSegments(store, runId, shard.attempt(), shard.shard());
            CollectCheckpoint.write(store, runId, shard.attempt(), shard.shard(),
                    new CollectCheckpoint.State(every, 0, 0, judgedCanceled), -1, -1);
        }
        if (checkpoint != null) {
            LOG.info(() -> "collect: shard " + shard.shard() + " resumes after result " + skip + " (checkpoint)");
        }
        Judge judge = new Judge(job, ctx.pricesForRun(runId), shard.batchId(), judgedCanceled);
        ChunkStaging staging = new ChunkStaging(job, ctx.pricesForRun(runId)); // long items' chunks, strata
        Map<OutcomeKind, Long> counts = new EnumMap<>(OutcomeKind.class);
        Map<String, Retry> retry = new LinkedHashMap<>(); // by custom_id
        OutcomeLineWriter lines = new OutcomeLineWriter();

        CollectCheckpoint.Sink replay = CollectCheckpoint.Sink.discarding();
        CollectCheckpoint.Sink sink = nextSink(store, shard, segments, every, requests);
        long read = 0;
        long readAfterResume = 0;
        CollectCheckpoint.State recorded = checkpoint;
        try {
            // golden items' lines go apart, never into the outcome parts (rewritten whole, replayed ones too)
            OutputStream golden = job.golden() == null ? OutputStream.nullOutputStream()
                    : CollectCheckpoint.wholePart(store, RunKeys.goldenPart(runId, shard.attempt(), shard.shard()));
            long unknown = 0;
            try (ResultReader results = new ResultReader(store.open(shard.rawKey()))) {
                while (results.hasNext()) {
                    BatchResult result = results.next();
                    boolean replaying = read < skip; // its line is in a recorded segment already
                    if (!replaying) {
                        io.batchline.chaos.Chaos.point("collect.line");
                        readAfterResume++;
                    }
                    read++;
                    ShardIndexLine item = pending.remove(result.customId());
                    if (item == null) {
                        unknown++; // not ours, or a duplicate line: never counted twice
                    } else {
                        Verdict verdict = judge.outcome(item, result);
                        if (verdict.retry() != null) {
                            retry.put(item.customId(), verdict.retry());
                        } else {
                            emit(replaying ? replay : sink, golden, item, verdict.line(), counts, staging, lines);
                        }
                    }
                    if (!replaying && read % every == 0 && isSegment(segments, every, requests)) {
                        sink.close(); // the segment is committed before the checkpoint names it
                        segments++;
                        recorded = new CollectCheckpoint.State(every, read, segments, judgedCanceled);
                        CollectCheckpoint.write(store, runId, shard.attempt(), shard.shard(), recorded, -1, -1);
                        sink = nextSink(store, shard, segments, every, requests);
                    }
                }
            }
            if (isSegment(segments, every, requests)) { // fewer results than requests: the rest goes last
                sink.close();
                sink = CollectCheckpoint.Sink.last(store, runId, shard.attempt(), shard.shard());
            }
            // a request the provider never answered is accounted for like a transient failure
            for (ShardIndexLine item : pending.values()) {
                Verdict verdict = judge.unanswered(item);
                if (verdict.retry() != null) {
                    retry.put(item.customId(), verdict.retry());
                } else {
                    emit(sink, golden, item, verdict.line(), counts, staging, lines);
                }
            }
            if (unknown > 0) {
                long n = unknown;
                LOG.warning(() -> "collect: " + n + " result lines of batch " + shard.batchId() + " matched no request");
            }
            sink.close();
            golden.close();
            staging.write(store, runId, shard.attempt(), shard.shard());
        } catch (IOException e) {
            throw new TransientStageException("writing outcome parts of shard " + shard.shard() + ": " + e.getMessage(), e);
        }
        if (checkpoint != null) { // says what the resume did (read by the chaos suite)
            CollectCheckpoint.write(store, runId, shard.attempt(), shard.shard(), recorded, skip, readAfterResume);
        }
        writeRetryPart(store, shard, retry, job);
        try {
            // without segments the review part is this collect's own, if it wrote one: no listing
            List<String> reviewParts = checkpoint == null && segments == 0
                    ? (sink.written(OutcomeKind.REVIEW) ? List.of(RunKeys.shardPart(runId, shard.attempt(),
                            shard.shard(), OutcomeKind.REVIEW)) : List.of())
                    : CollectCheckpoint.shardParts(store, runId, shard.attempt(), shard.shard(), OutcomeKind.REVIEW);
            ReviewPublisher.publish(ctx.reviewQueue(), store, runId, shard.attempt(), shard.shard(), reviewParts);
        } catch (ReviewQueue.ReviewQueueException e) {
            throw new TransientStageException(e.getMessage(), e);
        }
        io.batchline.cache.ResultCache.storeCollected(ctx.resultCache(), job, store, shard, ctx.clock()); // cache
        io.batchline.chaos.Chaos.point("collect.before_mark");
        ctx.runs().markCollected(runId, shard.attempt(), shard.shard());
        return new Collected(shard.shard(), counts.getOrDefault(OutcomeKind.ACCEPTED, 0L),
                counts.getOrDefault(OutcomeKind.REVIEW, 0L), counts.getOrDefault(OutcomeKind.REJECTED, 0L),
                counts.getOrDefault(OutcomeKind.FAILED, 0L), retry.size());
    }

    /**
     * The outcome lines from result {@code segments * every} on: the next segment while a full one still fits
     * before the shard's end, else the shard's last parts.
     */
    private static CollectCheckpoint.Sink nextSink(ObjectStore store, ShardRecord shard, int segments, int every,
                                                   int requests) {
        return isSegment(segments, every, requests)
                ? CollectCheckpoint.Sink.segment(store, shard.runId(), shard.attempt(), shard.shard(), segments + 1)
                : CollectCheckpoint.Sink.last(store, shard.runId(), shard.attempt(), shard.shard());
    }

    private static boolean isSegment(int segments, int every, int requests) {
        return (long) (segments + 1) * every < requests;
    }

    /** An item's final line: a golden item's to the golden part, any other to its outcome part. */
    private static void emit(CollectCheckpoint.Sink parts, OutputStream golden, ShardIndexLine item, OutcomeLine line,
                             Map<OutcomeKind, Long> counts, ChunkStaging staging, OutcomeLineWriter lines) {
        line = staging.inStratum(item, line);
        if (staging.stage(item, line)) return; // a chunk's verdict waits for its siblings
        if (item.carry().golden()) {
            lines.write(golden, line);
            return;
        }
        OutcomeKind kind = line.kind();
        lines.write(parts.get(kind), line);
        counts.merge(kind, 1L, Long::sum);
    }

    /**
     * The requests to send again, copied from this shard's request file with the item they stand for. Deleted
     * when empty (free, unlike a PUT of nothing), so a repeated collect never leaves an older retry part behind.
     */
    private void writeRetryPart(ObjectStore store, ShardRecord shard, Map<String, Retry> retry, JobSpec job) {
        String key = RunKeys.retryPart(shard.runId(), shard.attempt() + 1, shard.shard());
        try (OutputStream out = CollectCheckpoint.wholePart(store, key)) {
            if (!retry.isEmpty()) {
                JsonLines.forEachLineBytes(store.open(shard.requestsKey()), (bytes, offset, length) -> {
                    // most lines are not retried: skip them without decoding their ~2 KB (collect speed)
                    String leading = leadingCustomId(bytes, offset, length);
                    if (leading != null && !retry.containsKey(leading)) return;
                    JsonNode request = Json.tree(bytes, offset, length); // a blank line: a missing node
                    String customId = request.path("custom_id").asText();
                    Retry r = retry.get(customId);
                    if (r == null) return;
                    ItemCarry item = r.item().carry();
                    JsonNode params = request.get("params");
                    boolean repair = false;
                    if (r.escalation()) { // a new round: its answer may have its own repair
                        params = io.batchline.escalate.EscalationRound.params(params, job);
                    } else if (r.isRepair()) {
                        repair = true;
                        params = RepairPrompt.params(params, r.answer(), r.errors(), job.outputSchema());
                    } else {
                        repair = item.repair(); // a repair request that failed transiently stays one
                    }
                    // a chunk is retried alone, as the same chunk; every attempt so far travels with the item
                    ItemCarryCodec.writeRetryLine(out, new ItemCarryCodec.RetryLine(
                            item.withRepair(repair).withHistory(r.history()), r.why(), params));
                });
            }
        } catch (IOException e) {
            throw new TransientStageException("writing retry part " + key + ": " + e.getMessage(), e);
        }
    }

    private static final byte[] CUSTOM_ID_FIRST = "{\"custom_id\":\"".getBytes(StandardCharsets.US_ASCII);

    /**
     * The custom_id of a request line as the planner writes it ({@code {"custom_id":"a1-l7",...}}; custom_ids
     * are [A-Za-z0-9_-], never escaped), or null when the line is laid out otherwise and must be parsed.
     */
    static String leadingCustomId(byte[] line, int offset, int length) {
        int prefix = CUSTOM_ID_FIRST.length;
        if (length <= prefix || !java.util.Arrays.equals(line, offset, offset + prefix, CUSTOM_ID_FIRST, 0, prefix)) {
            return null;
        }
        for (int i = offset + prefix; i < offset + length; i++) {
            byte c = line[i];
            if (c == '"') return new String(line, offset + prefix, i - offset - prefix, StandardCharsets.US_ASCII);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) return null;
        }
        return null; // no closing quote
    }

    /** Decides each item's outcome from its result. Returns null where the item goes to the next attempt. */
    private final class Judge {
        private final JobSpec job;
        private final io.batchline.cost.PriceTable prices;
        private final String batchId;
        private final OutputValidator validator;
        private final ConfidenceRouter router;
        /** the run was canceled: what would be sent again fails with reason canceled instead */
        private final boolean canceled;

        Judge(JobSpec job, io.batchline.cost.PriceTable prices, String batchId, boolean canceled) {
            this.job = job;
            this.prices = prices;
            this.batchId = batchId;
            this.canceled = canceled;
            this.validator = new OutputValidator(job.outputSchema());
            this.router = new ConfidenceRouter(job.confidence());
        }

        /** The model this item's request went to: the escalation's once escalated, else its stratum's or the job's. */
        String model(ShardIndexLine item) {
            JsonNode history = item.carry().history();
            if (history != null && io.batchline.escalate.EscalationRound.escalatedFrom(history) != null) {
                return job.escalation().model();
            }
            return io.batchline.plan.Strata.model(job, item.carry().stratum());
        }

        /**
         * Whether an answer that ended this way ({@code rejected}, {@code review}, {@code invalid}) goes to the
         * escalation round: the job escalates that ending, the item was not escalated yet, the run was not
         * canceled and an attempt is left (golden and canary items escalate like any other).
         */
        boolean escalates(ShardIndexLine item, String ending) {
            return job.escalation() != null && job.escalation().covers(ending) && !canceled
                    && io.batchline.escalate.EscalationRound.escalatedFrom(item.carry().history()) == null
                    && item.carry().attempts() < job.lastAttempt();
        }

        /** Sends the item to the escalation round, recording its answer so far in its history. */
        Verdict escalate(ShardIndexLine item, String ending, String reason, JsonNode output, Double confidence,
                         Usage usage,
                         BigDecimal cost) {
            ObjectNode entry = attempt(item, io.batchline.escalate.EscalationRound.ESCALATED, null, reason);
            entry.put("tier", ending);
            if (output != null) entry.set("output", output);
            if (confidence != null) entry.put("confidence", confidence);
            roundCost(entry, model(item), usage, cost);
            return new Verdict(null, Retry.escalation(item, reason == null ? "escalated" : reason, history(item, entry)));
        }

        Verdict outcome(ShardIndexLine item, BatchResult result) {
            Usage usage = result.usage() == null ? Usage.ZERO : result.usage();
            BigDecimal cost = prices.priceFor(model(item), job.cacheTtl()).cost(usage);
            if (result.succeeded()) {
                String answer = result.answer();
                if ("refusal".equals(result.stopReason())) {
                    String why = "the model declined to answer" + (result.refusalCategory() == null ? ""
                            : " (category " + result.refusalCategory() + ")");
                    String reason = InvalidOutput.REFUSAL + why;
                    return invalid(item, reason, why, answer, null, usage, cost,
                            attempt(item, "invalid_output", null, reason));
                }
                // a max_tokens stop whose text is not a valid answer says so first: raise max_tokens, not the prompt
                String cut = "max_tokens".equals(result.stopReason()) ? InvalidOutput.CUT_AT_MAX_TOKENS : "";
                if (answer == null) {
                    String why = "the answer has no text block (stop_reason " + result.stopReason()
                            + (usage.thinkingTokens() > 0 ? ", " + usage.thinkingTokens() + " thinking tokens" : "") + ")";
                    String reason = cut + InvalidOutput.NO_TEXT + why;
                    return invalid(item, reason, why, null, null, usage, cost,
                            attempt(item, "invalid_output", null, reason));
                }
                Extraction extraction = extractor.extract(answer);
                if (!extraction.ok()) {
                    String reason = cut + InvalidOutput.NOT_JSON + extraction.failure();
                    return invalid(item, reason, extraction.failure(), answer, null, usage, cost,
                            attempt(item, "invalid_output", null, reason));
                }
                List<String> errors = validator.validate(extraction.json());
                if (!errors.isEmpty()) {
                    String list = String.join("; ", errors);
                    String reason = cut + InvalidOutput.SCHEMA + list;
                    return invalid(item, reason, list, answer, extraction.json(), usage, cost,
                            attempt(item, "invalid_output", null, reason));
                }
                Routing routing = router.route(extraction.json());
                if (routing.kind() != OutcomeKind.ACCEPTED && escalates(item, routing.kind().label())) {
                    return escalate(item, routing.kind().label(), routing.reason(), extraction.json(),
                            routing.confidence(), usage, cost);
                }
                // the entry is only read by a line that carries a history (never FAILED here): skip it otherwise
                return new Verdict(line(item, routing.kind(), routing.reason(), extraction.json(), routing.confidence(),
                        usage, cost, item.carry().history() != null ? attempt(item, "succeeded", null, null) : null),
                        null);
            }
            String resultType = result.type().name().toLowerCase(java.util.Locale.ROOT);
            if (result.permanentFailure()) {
                String reason = "provider rejected the request: " + result.errorType() + ": " + result.errorMessage();
                return new Verdict(line(item, OutcomeKind.FAILED, reason, null, null, usage, cost,
                        attempt(item, resultType, result.errorType(), reason)), null);
            }
            ObjectNode thisAttempt = attempt(item, resultType, result.errorType(), transientReason(result));
            return sendAgainOrFail(item, transientReason(result), usage, cost, thisAttempt);
        }

        /** A transient failure: the next attempt, or failed when attempts are used up or the run was canceled. */
        private Verdict sendAgainOrFail(ShardIndexLine item, String why, Usage usage, BigDecimal cost,
                                        ObjectNode thisAttempt) {
            if (canceled) {
                return new Verdict(line(item, OutcomeKind.FAILED, FailureReason.CANCELED_UNFINISHED, null, null, usage, cost,
                        thisAttempt), null);
            }
            if (item.carry().attempts() < job.maxAttempts()) {
                return new Verdict(null, Retry.transientFailure(item, why, history(item, thisAttempt)));
            }
            return new Verdict(line(item, OutcomeKind.FAILED,
                    why + " (gave up after " + item.carry().attempts() + " attempts)",
                    null, null, usage, cost, thisAttempt), null);
        }

        /** One entry of an item's history: what became of it in this attempt. */
        ObjectNode attempt(ShardIndexLine item, String result, String errorType, String reason) {
            ObjectNode entry = Json.MAPPER.createObjectNode();
            entry.put("attempt", item.carry().attempts());
            entry.put("custom_id", item.customId());
            entry.put("batch_id", batchId);
            entry.put("result", result);
            if (errorType != null) entry.put("error_type", errorType);
            if (reason != null) entry.put("reason", reason);
            return entry;
        }

        /**
         * An answer that is not JSON or breaks the schema: sent once more as its repair unless this was the
         * repair already, or repair is off; else rejected with the reason. The cost of the invalid answer is not
         * lost: the repaired line's cost covers only the repair call, and the first call's usage stays in the raw
         * results; see README "Repair round".
         */
        private Verdict invalid(ShardIndexLine item, String reason, String errors, String answer, JsonNode output,
                                Usage usage,
                                BigDecimal cost, ObjectNode thisAttempt) {
            if (item.carry().repair()) {
                if (escalates(item, JobSpec.Escalation.INVALID)) {
                    return escalate(item, JobSpec.Escalation.INVALID, InvalidOutput.AFTER_REPAIR + reason, output,
                            null, usage, cost);
                }
                return new Verdict(line(item, OutcomeKind.REJECTED, InvalidOutput.AFTER_REPAIR + reason, output, null,
                        usage, cost, thisAttempt), null);
            }
            if (job.repairs() && item.carry().attempts() < job.lastAttempt()) {
                if (canceled) { // its repair round will not happen
                    return new Verdict(line(item, OutcomeKind.FAILED, FailureReason.CANCELED_UNFINISHED, null, null, usage, cost,
                            thisAttempt), null);
                }
                return new Verdict(null, new Retry(item, reason, answer == null ? "" : answer, errors,
                        history(item, thisAttempt)));
            }
            if (escalates(item, JobSpec.Escalation.INVALID)) {
                return escalate(item, JobSpec.Escalation.INVALID, reason, output, null, usage, cost);
            }
            return new Verdict(line(item, OutcomeKind.REJECTED, reason, output, null, usage, cost, thisAttempt), null);
        }

        Verdict unanswered(ShardIndexLine item) {
            String why = "no result returned for " + item.customId();
            ObjectNode thisAttempt = attempt(item, "missing", null, why);
            if (canceled || item.carry().attempts() < job.maxAttempts()) {
                return sendAgainOrFail(item, why, Usage.ZERO, BigDecimal.ZERO, thisAttempt);
            }
            return new Verdict(line(item, OutcomeKind.FAILED, "no result returned by the provider (gave up after "
                    + item.carry().attempts() + " attempts)", null, null, Usage.ZERO, BigDecimal.ZERO, thisAttempt),
                    null);
        }

        String transientReason(BatchResult result) {
            return switch (result.type()) {
                case ERRORED -> "provider error " + result.errorType() + ": " + result.errorMessage();
                case EXPIRED -> "expired: the batch ended before this request was processed";
                case CANCELED -> "canceled by the provider";
                case SUCCEEDED -> "succeeded";
            };
        }

        /** The history goes on a failed line and on any line sent more than once. */
        private OutcomeLine line(ShardIndexLine item, OutcomeKind kind, String reason, JsonNode output,
                                 Double confidence, Usage usage, BigDecimal cost, ObjectNode thisAttempt) {
            ItemCarry carry = item.carry();
            boolean valid = kind != OutcomeKind.FAILED && !InvalidOutput.isInvalidOutputReason(reason);
            JsonNode from = io.batchline.escalate.EscalationRound.escalatedFrom(carry.history());
            ObjectNode escalatedFrom = null;
            if (from != null) { // one line for both rounds: usage and cost summed, each round's in its entry
                if (thisAttempt == null) thisAttempt = attempt(item, "succeeded", null, null);
                roundCost(thisAttempt, model(item), usage, cost);
                usage = Json.MAPPER.convertValue(from.get("usage"), Usage.class).plus(usage);
                cost = from.get("cost_usd").decimalValue().add(cost);
                escalatedFrom = Json.MAPPER.createObjectNode();
                escalatedFrom.put("tier", from.path("tier").asText());
                if (from.has("output")) escalatedFrom.set("output", from.get("output"));
                if (from.has("confidence")) escalatedFrom.set("confidence", from.get("confidence"));
                if (from.has("reason")) escalatedFrom.set("reason", from.get("reason"));
                escalatedFrom.set("model", from.get("model"));
                escalatedFrom.set("custom_id", from.get("custom_id"));
            }
            JsonNode history = kind == OutcomeKind.FAILED || carry.history() != null
                    ? history(item, thisAttempt) : null;
            return OutcomeLine.of(carry.id(), carry.line(), kind).reason(kind == OutcomeKind.ACCEPTED ? null : reason)
                    .output(output).confidence(confidence).usage(usage).costUsd(cost).attempts(carry.attempts())
                    .batchId(batchId).customId(item.customId()).repaired(carry.repair() && valid)
                    .truncated(carry.truncated()).groundTruth(carry.label()).history(history)
                    .escalatedFrom(escalatedFrom).build();
        }

        /** A round's model, usage and cost on its history entry: what an escalated line's sums are made of. */
        private void roundCost(ObjectNode entry, String model, Usage usage, BigDecimal cost) {
            entry.put("model", model);
            entry.set("usage", Json.MAPPER.valueToTree(usage));
            entry.put("cost_usd", cost);
        }
    }

    /** The item's earlier attempts followed by this one: a new array, the index line's is left as read. */
    static ArrayNode history(ShardIndexLine item, JsonNode thisAttempt) {
        ArrayNode history = Json.MAPPER.createArrayNode();
        if (item.carry().history() != null) history.addAll((ArrayNode) item.carry().history());
        if (thisAttempt != null) history.add(thisAttempt);
        return history;
    }

    /**
     * A shard that was never sent because its run was canceled first: each of its items fails with reason
     * canceled. The attempt it was planned for did not happen, so its attempts and history stay as before.
     */
    private Collected collectUnsent(ObjectStore store, ShardRecord shard) {
        long failed = 0;
        Map<OutcomeKind, OutputStream> parts = new EnumMap<>(OutcomeKind.class);
        try {
            for (OutcomeKind kind : OutcomeKind.values()) {
                parts.put(kind, store.create(RunKeys.shardPart(shard.runId(), shard.attempt(), shard.shard(), kind),
                        "application/x-ndjson"));
            }
            ChunkStaging staging = new ChunkStaging(null, null);
            for (ShardIndexLine item : ItemCarryCodec.readIndex(store, shard.indexKey()).values()) {
                ItemCarry carry = item.carry();
                if (carry.golden()) continue; // golden items never become outcome lines
                OutcomeLine line = OutcomeLine.of(carry.id(), carry.line(), OutcomeKind.FAILED)
                        .reason(FailureReason.CANCELED_NOT_SENT).free().attempts(carry.attempts() - 1)
                        .truncated(carry.truncated()).groundTruth(carry.label()).history(carry.history())
                        .stratum(carry.stratum()).build();
                if (staging.stage(item, line)) continue; // a chunk: merged with its siblings at finalize
                JsonLines.write(parts.get(OutcomeKind.FAILED), line);
                failed++;
            }
            for (OutputStream out : parts.values()) out.close();
            staging.write(store, shard.runId(), shard.attempt(), shard.shard());
        } catch (IOException e) {
            throw new TransientStageException("writing outcome parts of canceled shard " + shard.shard() + ": "
                    + e.getMessage(), e);
        }
        // written (empty) so that a retry part from before the cancel is not left behind for this shard
        writeRetryPart(store, shard, Map.of(), null);
        return new Collected(shard.shard(), 0, 0, 0, failed, 0);
    }
}
