package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.PriceTable;
import io.batchline.cost.Usage;
import io.batchline.escalate.EscalationRound;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.plan.ItemCarry;
import io.batchline.plan.ShardIndexLine;
import io.batchline.provider.BatchResult;
import io.batchline.route.ConfidenceRouter;
import io.batchline.route.Routing;
import io.batchline.validate.Extraction;
import io.batchline.validate.InvalidOutput;
import io.batchline.validate.JsonExtractor;
import io.batchline.validate.OutputValidator;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;

/**
 * Collect's judge: what becomes of one item, from what it carries and its result (or the lack of one). The answer
 * is extracted, validated against output_schema and routed by confidence into an outcome line (accepted, review,
 * rejected or failed), or the item goes to the next attempt: sent again after a transient failure, as its repair
 * after an invalid answer, or to the escalation round. Pure: it reads nothing but its arguments and writes nothing.
 */
final class ResultJudge {
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

    /**
     * What became of one item: its outcome line (accepted, review, rejected or failed), or, when {@code retry} is
     * set, its request for the next attempt (sent again, repaired or escalated).
     */
    record Verdict(OutcomeLine line, Retry retry) {
        boolean sendsAgain() {
            return retry != null;
        }
    }

    private final JobSpec job;
    private final PriceTable prices;
    private final String batchId;
    private final JsonExtractor extractor = new JsonExtractor();
    private final OutputValidator validator;
    private final ConfidenceRouter router;
    /** the run was canceled: what would be sent again fails with reason canceled instead */
    private final boolean canceled;

    /** {@code batchId}: the batch the results came from, named in each outcome line and history entry */
    ResultJudge(JobSpec job, PriceTable prices, String batchId, boolean canceled) {
        this.job = job;
        this.prices = prices;
        this.batchId = batchId;
        this.canceled = canceled;
        this.validator = new OutputValidator(job.outputSchema());
        this.router = new ConfidenceRouter(job.confidence());
    }

    /** The model this item's request went to: the escalation's once escalated, else its stratum's or the job's. */
    private String model(ShardIndexLine item) {
        JsonNode history = item.carry().history();
        if (history != null && EscalationRound.escalatedFrom(history) != null) {
            return job.escalation().model();
        }
        return io.batchline.plan.Strata.model(job, item.carry().stratum());
    }

    /**
     * Whether an answer that ended this way ({@code rejected}, {@code review}, {@code invalid}) goes to the
     * escalation round: the job escalates that ending, the item was not escalated yet, the run was not
     * canceled and an attempt is left (golden and canary items escalate like any other).
     */
    private boolean escalates(ShardIndexLine item, String ending) {
        return job.escalation() != null && job.escalation().covers(ending) && !canceled
                && EscalationRound.escalatedFrom(item.carry().history()) == null
                && item.carry().attempts() < job.lastAttempt();
    }

    /** Sends the item to the escalation round, recording its answer so far in its history. */
    private Verdict escalate(ShardIndexLine item, String ending, String reason, JsonNode output, Double confidence,
                     Usage usage,
                     BigDecimal cost) {
        ObjectNode entry = attempt(item, EscalationRound.ESCALATED, null, reason);
        entry.put("tier", ending);
        if (output != null) entry.set("output", output);
        if (confidence != null) entry.put("confidence", confidence);
        roundCost(entry, model(item), usage, cost);
        return new Verdict(null, Retry.escalation(item, reason == null ? "escalated" : reason, history(item, entry)));
    }

    /** The item's verdict from its result. */
    Verdict verdict(ShardIndexLine item, BatchResult result) {
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
        String resultType = result.type().name().toLowerCase(Locale.ROOT);
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
    private ObjectNode attempt(ShardIndexLine item, String result, String errorType, String reason) {
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

    /** The verdict on an item the provider returned no result for: accounted for like a transient failure. */
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

    private static String transientReason(BatchResult result) {
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
        JsonNode from = EscalationRound.escalatedFrom(carry.history());
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

    /** The item's earlier attempts followed by this one: a new array, the index line's is left as read. */
    private static ArrayNode history(ShardIndexLine item, JsonNode thisAttempt) {
        ArrayNode history = Json.MAPPER.createArrayNode();
        if (item.carry().history() != null) history.addAll((ArrayNode) item.carry().history());
        if (thisAttempt != null) history.add(thisAttempt);
        return history;
    }
}
