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
import io.batchline.outcome.OutcomeLine;
import io.batchline.pipeline.StagePayloads.CanaryChecked;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.plan.ItemCarry;
import io.batchline.plan.Plan;
import io.batchline.provider.BatchResult;
import io.batchline.provider.ResultReader;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import io.batchline.validate.Extraction;
import io.batchline.validate.JsonExtractor;
import io.batchline.validate.OutputValidator;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * "Check canary": after the canary's shards (attempt 1's first {@code plan.canary_shards}, see
 * {@link io.batchline.plan.Planner}) were collected, judges them from their saved raw results: validation pass
 * rate = answers that are JSON meeting output_schema / answers received (first answers, before any repair; the
 * same measure as the report's validation_pass_rate; a request that errored or expired is no evidence either
 * way, and no answer at all is a miss), and cost per item = the actual cost of every canary result / canary
 * requests. On a pass the rest of attempt 1 is
 * recorded, so "Submit batches" sends it; on a miss nothing more is sent and every item without an outcome (the
 * rest, and canary items waiting for a retry or repair) gets a failed line {@code canary_failed: <cause>}.
 * The verdict is written once to {@code runs/<id>/canary.json}; a repeat reuses it and redoes the same writes.
 */
public final class CanaryStage {
    public static final double DEFAULT_MIN_PASS_RATE = 0.9;

    private final PipelineContext ctx;

    public CanaryStage(PipelineContext ctx) {
        this.ctx = ctx;
    }

    public CanaryChecked check(RunRef ref) {
        String runId = ref.runId();
        ObjectStore store = ctx.store(ref.bucket());
        JobSpec job = ctx.jobOfRun(ref.bucket(), runId);
        if (job.canary() == null) {
            throw new PermanentStageException("NoCanary", "run " + runId + " has no canary in its job spec");
        }
        Plan plan = Json.read(store.read(RunKeys.plan(runId, 1)), Plan.class);
        JsonNode verdict = CanaryVerdictFile.read(store, runId).orElse(null);
        if (verdict == null) {
            verdict = judge(store, runId, job, plan);
            CanaryVerdictFile.write(store, runId, verdict);
        }
        boolean passed = verdict.path("passed").asBoolean();
        List<Plan.ShardPlan> rest = plan.shards().subList(plan.canaryShards(), plan.shards().size());
        if (passed) {
            // a conditional write: a repeat resets nothing
            for (Plan.ShardPlan s : rest) ctx.runs().planShard(s.planned(runId, 1));
        } else {
            failTheRest(store, runId, verdict, rest);
        }
        return new CanaryChecked(passed, passed ? rest.size() : 0, verdict.path("items").asLong(),
                verdict.path("pass_rate").decimalValue(), verdict.path("cost_per_item_usd").decimalValue(),
                verdict.path("cause").isNull() ? null : verdict.path("cause").asText(null));
    }

    /** The canary's shards: its planned ones and, when one was split on 413, its children (numbered past the plan). */
    private List<ShardRecord> canaryShards(String runId, Plan plan) {
        List<ShardRecord> shards = new ArrayList<>();
        for (ShardRecord s : ctx.runs().shards(runId, 1)) {
            boolean canary = s.shard() < plan.canaryShards() || s.shard() >= plan.shards().size();
            if (canary && s.status() != ShardRecord.ShardStatus.REPLACED) shards.add(s);
        }
        return shards;
    }

    private ObjectNode judge(ObjectStore store, String runId, JobSpec job, Plan plan) {
        Price price = ctx.pricesForRun(runId).priceFor(job.model(), job.cacheTtl());
        JsonExtractor extractor = new JsonExtractor();
        OutputValidator validator = new OutputValidator(job.outputSchema());
        long items = 0;
        long answered = 0;
        long valid = 0;
        BigDecimal cost = BigDecimal.ZERO.setScale(Price.COST_SCALE);
        ArrayNode shardNumbers = Json.MAPPER.createArrayNode();
        for (ShardRecord shard : canaryShards(runId, plan)) {
            if (shard.rawKey() == null) {
                throw new TransientStageException("canary shard " + shard.shard() + " of run " + runId
                        + " has no saved results yet");
            }
            shardNumbers.add(shard.shard());
            items += shard.requests();
            try (ResultReader results = new ResultReader(store.open(shard.rawKey()))) {
                while (results.hasNext()) {
                    BatchResult result = results.next();
                    cost = cost.add(price.cost(result.usage() == null ? Usage.ZERO : result.usage()));
                    if (!result.succeeded()) continue;
                    answered++;
                    Extraction extraction = extractor.extract(result.answer());
                    if (extraction.ok() && validator.validate(extraction.json()).isEmpty()) valid++;
                }
            } catch (IOException e) {
                throw new TransientStageException("reading canary results " + shard.rawKey() + ": " + e.getMessage(), e);
            }
        }
        // canary items set aside for the escalation round: its cost is estimated as their first-round usage at the
        // escalation model's price, and counts toward the cost per item (the round itself runs with the rest's)
        long escalating = 0;
        BigDecimal escalationEstimate = BigDecimal.ZERO.setScale(Price.COST_SCALE);
        if (job.escalation() != null) {
            Price escalationPrice = ctx.pricesForRun(runId).priceFor(job.escalation().model(), job.cacheTtl());
            for (JsonNode shard : shardNumbers) {
                String retryKey = RunKeys.retryPart(runId, 2, shard.asInt());
                if (!store.exists(retryKey)) continue;
                long[] n = {0};
                BigDecimal[] estimate = {BigDecimal.ZERO};
                UnsentItemReader.forEachRetried(store, retryKey, 1, retry -> {
                    JsonNode from = io.batchline.escalate.EscalationRound.escalatedFrom(retry.item().history());
                    if (from == null) return;
                    n[0]++;
                    estimate[0] = estimate[0].add(escalationPrice.cost(
                            Json.MAPPER.convertValue(from.get("usage"), Usage.class)));
                });
                escalating += n[0];
                escalationEstimate = escalationEstimate.add(estimate[0]);
            }
            cost = cost.add(escalationEstimate);
        }
        JobSpec.Canary limits = job.canary();
        double minPassRate = limits.minPassRate() == null ? DEFAULT_MIN_PASS_RATE : limits.minPassRate();
        BigDecimal passRate = answered == 0 ? BigDecimal.ZERO.setScale(4)
                : BigDecimal.valueOf(valid).divide(BigDecimal.valueOf(answered), 4, RoundingMode.HALF_UP);
        BigDecimal costPerItem = items == 0 ? BigDecimal.ZERO.setScale(Price.COST_SCALE)
                : cost.divide(BigDecimal.valueOf(items), Price.COST_SCALE, RoundingMode.HALF_UP);
        List<String> misses = new ArrayList<>();
        if (passRate.compareTo(BigDecimal.valueOf(minPassRate)) < 0) {
            misses.add(String.format(Locale.ROOT, "validation pass rate %s (%d of %d answers valid) is below"
                    + " min_pass_rate %s", passRate.toPlainString(), valid, answered, BigDecimal.valueOf(minPassRate)
                    .toPlainString()));
        }
        if (limits.maxCostPerItemUsd() != null && costPerItem.compareTo(limits.maxCostPerItemUsd()) > 0) {
            misses.add("cost per item $" + costPerItem.toPlainString() + " is above max_cost_per_item_usd $"
                    + limits.maxCostPerItemUsd().toPlainString());
        }
        long rest = 0;
        for (Plan.ShardPlan s : plan.shards().subList(plan.canaryShards(), plan.shards().size())) rest += s.requests();
        ObjectNode verdict = Json.MAPPER.createObjectNode();
        verdict.put("items", items);
        verdict.put("answered", answered);
        verdict.put("valid", valid);
        verdict.put("pass_rate", passRate);
        verdict.put("min_pass_rate", minPassRate);
        verdict.put("cost_usd", cost);
        if (job.escalation() != null) {
            verdict.put("escalating", escalating);
            verdict.put("escalation_estimate_usd", escalationEstimate);
        }
        verdict.put("cost_per_item_usd", costPerItem);
        verdict.put("max_cost_per_item_usd", limits.maxCostPerItemUsd());
        verdict.put("passed", misses.isEmpty());
        verdict.put("cause", misses.isEmpty() ? null : "canary of " + items + " items: " + String.join("; ", misses)
                + "; the other " + rest + " requests were not submitted");
        verdict.set("shards", shardNumbers);
        return verdict;
    }

    /**
     * One failed line for every item still without an outcome: the items of the shards never sent (golden items
     * excepted: they are never outcomes) and the canary items set aside for a retry or repair round. A chunk of a
     * long item gets its failed verdict in a chunk part instead, so finalize still merges the item into one
     * line; canary lines come before the rest's, so that part is sorted by line and chunk as the merge needs.
     */
    private void failTheRest(ObjectStore store, String runId, JsonNode verdict, List<Plan.ShardPlan> rest) {
        String reason = FailureReason.CANARY_FAILED + verdict.path("cause").asText();
        String key = RunKeys.canaryFailedPart(runId);
        String chunkKey = RunKeys.chunksPrefix(runId) + "canary.jsonl";
        try (OutputStream out = store.create(key, "application/x-ndjson");
             OutputStream chunks = store.create(chunkKey, "application/x-ndjson")) {
            Unsent unsent = new Unsent(out, chunks);
            for (JsonNode shard : verdict.path("shards")) {
                String retryKey = RunKeys.retryPart(runId, 2, shard.asInt());
                if (!store.exists(retryKey)) continue; // its collect set nothing aside
                UnsentItemReader.forEachRetried(store, retryKey, 1, retry -> unsent.fail(retry.item(),
                        retry.item().attempts(), reason + " (this canary item was set aside for another attempt after: "
                                + (retry.lastError() == null ? "" : retry.lastError()) + ")"));
            }
            for (Plan.ShardPlan shard : rest) {
                UnsentItemReader.forEachPlanned(store, shard.indexKey(), line -> unsent.fail(line.carry(), 0, reason));
            }
        } catch (IOException e) {
            throw new TransientStageException("writing " + key + ": " + e.getMessage(), e);
        }
    }

    /** Writes the failed line of one item that was not sent ({@code attempts} 0) or not sent again. */
    private record Unsent(OutputStream failed, OutputStream chunks) {
        void fail(ItemCarry item, int attempts, String reason) {
            if (item.golden()) return;
            OutcomeLine line = OutcomeLine.of(item.id(), item.line(), io.batchline.outcome.OutcomeKind.FAILED)
                    .reason(reason).free().attempts(attempts).build();
            if (item.chunk() != null) {
                JsonLines.write(chunks, new io.batchline.outcome.ChunkOutcome(item.line(), item.chunk(),
                        item.chunks() == null ? 0 : item.chunks(), line));
            } else {
                JsonLines.write(failed, line);
            }
        }
    }
}
