package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.plan.Calibration;
import io.batchline.plan.ItemCarryCodec;
import io.batchline.plan.Planner;
import io.batchline.plan.RequestCheck;
import io.batchline.plan.ShardIndexLine;
import io.batchline.provider.ProviderException;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Pre-flight (one request of each template shape checked) and calibration of the token estimator, run once
 * at the start of "Submit batches", before any create call of the attempt:
 * <ol>
 *   <li>every planned shard is read back and each request checked as the provider would ({@link RequestCheck}),
 *       its custom_id unique in the shard and joined to its item through the shard index exactly as the
 *       collector joins results ({@link ItemCarryCodec#readIndex}); the shard within the provider's batch limits.
 *       The planner already failed bad items one by one, so a problem here means the written shard is not
 *       what was planned: the run stops ({@code PreflightFailed}) rather than send it.</li>
 *   <li>with {@code preflight: true}, before the run's first batch, one request of each template shape goes
 *       through the synchronous Messages API; a refusal stops the run with the provider's message.</li>
 *   <li>before the run's first batch, a seeded sample of the requests is counted with count_tokens and the
 *       estimator's error is added to {@code plan-a1.json} as {@code calibration} (the report copies it). A
 *       failed count only records why calibration was skipped.</li>
 * </ol>
 * Repeating it (a retried stage) repeats the reads and the pre-flight call, never a batch.
 */
public final class Preflight {
    private static final Logger LOG = Logger.getLogger(Preflight.class.getName());
    /** Listed in the failure; the rest are counted. */
    private static final int MAX_LISTED_PROBLEMS = 10;
    /** Distinct shapes sent through the synchronous API at most (few-shot by value can make many). */
    static final int MAX_SHAPES = 20;
    public static final String ERROR = "PreflightFailed";

    private final PipelineContext ctx;

    public Preflight(PipelineContext ctx) {
        this.ctx = ctx;
    }

    /** Checks the attempt's planned shards; on the run's first submission also the shapes and calibration. */
    public void beforeSubmit(SubmitRequest request) {
        String runId = request.runId();
        List<ShardRecord> shards = ctx.runs().shards(runId, request.attempt());
        List<ShardRecord> planned = shards.stream().filter(s -> s.status() == ShardStatus.PLANNED).toList();
        if (planned.isEmpty()) return;
        ObjectStore store = ctx.store(request.bucket());
        JobSpec job = ctx.jobOfRun(request.bucket(), runId);
        boolean first = request.attempt() == 1 && planned.size() == shards.size();
        String planKey = RunKeys.plan(runId, 1);
        ObjectNode plan = first ? (ObjectNode) Json.tree(store.read(planKey)) : null;
        boolean calibrate = first && !plan.has("calibration") && Calibration.sampleSize(job) > 0;
        boolean shapes = first && Boolean.TRUE.equals(job.preflight());

        Scan scan = new Scan(calibrate ? new Calibration.Sample(Calibration.sampleSize(job),
                Calibration.seed(job, runId)) : null, shapes);
        for (ShardRecord shard : planned) io.batchline.cost.StageMeter.perShard(() -> scan.shard(store, shard));
        if (!scan.problems.isEmpty()) {
            throw new PermanentStageException(ERROR, "attempt " + request.attempt() + " of run " + runId + ": "
                    + scan.problemCount + " request(s) fail the pre-flight check: " + String.join("; ", scan.problems)
                    + (scan.problemCount > scan.problems.size() ? "; ..." : "") + ". Nothing of this attempt was submitted.");
        }
        if (shapes) {
            checkModels(runId, plan);
            sendShapes(runId, scan.shapes);
        }
        if (first) {
            ObjectNode block = calibrate ? calibrate(scan.sample)
                    : Calibration.sampleSize(job) == 0 ? Calibration.skipped("calibration.sample is 0 in the job") : null;
            if (block != null) {
                plan.set("calibration", block);
                store.put(planKey, Json.bytes(plan), "application/json");
            }
        }
    }

    private ObjectNode calibrate(Calibration.Sample sample) {
        String provider = ctx.provider().endpoint();
        try {
            ObjectNode block = Calibration.measure(sample, p -> ctx.provider().countTokens(p), provider);
            LOG.info(() -> "calibration: " + block);
            return block;
        } catch (ProviderException e) {
            // the run goes on with the estimate as it is; the report says why it was not measured
            LOG.warning(() -> "calibration skipped: count_tokens failed: " + e.getMessage());
            ObjectNode block = Calibration.skipped("count_tokens failed: " + e.getMessage());
            block.put("provider", provider);
            return block;
        }
    }

    /** One synchronous request per shape; a refusal ends the run before any batch exists. */
    private void sendShapes(String runId, Map<String, Shape> shapes) {
        for (Shape s : shapes.values()) {
            JsonNode answer;
            try {
                answer = ctx.provider().message(s.params());
            } catch (ProviderException e) {
                String what = "pre-flight request " + s.customId() + " (model " + s.params().path("model").asText()
                        + ", max_tokens " + s.params().path("max_tokens").asText() + ")";
                if (e.retryable()) throw new TransientStageException(what + ": " + e.getMessage(), e);
                throw new PermanentStageException(ERROR, what + " was refused by the provider: " + e.getMessage()
                        + ". No batch was created; fix the job spec and drop the file again.", e);
            }
            LOG.info(() -> "pre-flight of run " + runId + ": " + s.customId() + " answered, stop_reason "
                    + answer.path("stop_reason").asText() + ", usage " + answer.path("usage"));
        }
    }

    /**
     * Each model the plan's requests name, as the provider describes it ({@code GET /v1/models/{id}}): it must exist,
     * take the max_tokens sent, and have the structured outputs and effort level the requests use. The catalogue
     * decided those when the job was loaded; this asks the provider itself before anything is spent.
     */
    private void checkModels(String runId, ObjectNode plan) {
        Map<String, List<String>> problems = new LinkedHashMap<>();
        for (JsonNode shape : plan.path("request_shapes")) {
            String model = shape.path("model").asText();
            io.batchline.provider.ProviderModelInfo info;
            try {
                info = ctx.provider().model(model);
            } catch (ProviderException e) {
                if (e.retryable()) throw new TransientStageException("pre-flight model check of " + model + ": " + e.getMessage(), e);
                throw new PermanentStageException(ERROR, "pre-flight: the provider does not serve model " + model + " ("
                        + e.getMessage() + "). No batch was created.", e);
            }
            List<String> wrong = problems.computeIfAbsent(model, m -> new ArrayList<>());
            int maxTokens = shape.path("max_tokens").asInt();
            if (maxTokens > info.maxTokens()) wrong.add("max_tokens " + maxTokens + " is above its limit of " + info.maxTokens());
            if (shape.path("structured_output").asBoolean() && !info.structuredOutputs()) {
                wrong.add("it does not support structured outputs (set structured_output: off)");
            }
            String effort = shape.path("effort").asText(null);
            if (effort != null && !info.effortLevels().contains(effort)) {
                wrong.add("it does not take effort " + effort + " (it takes " + info.effortLevels() + ")");
            }
            String thinking = shape.path("thinking").path("type").asText(null);
            if ("enabled".equals(thinking) || "adaptive".equals(thinking)) {
                if (!info.thinkingTypes().contains(thinking)) wrong.add("it does not take thinking " + thinking);
            }
        }
        problems.values().removeIf(List::isEmpty);
        if (!problems.isEmpty()) {
            throw new PermanentStageException(ERROR, "pre-flight of run " + runId + ": the provider's model description"
                    + " disagrees with the model catalogue: " + problems + ". No batch was created; update the catalogue"
                    + " (BATCHLINE_MODELS_FILE) or the job spec.");
        }
    }

    private record Shape(String customId, ObjectNode params) {}

    /** One streaming pass over the planned shards. */
    private static final class Scan {
        final Calibration.Sample sample;
        final boolean collectShapes;
        final Map<String, Shape> shapes = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();
        long problemCount;

        Scan(Calibration.Sample sample, boolean collectShapes) {
            this.sample = sample;
            this.collectShapes = collectShapes;
        }

        void shard(ObjectStore store, ShardRecord shard) {
            Map<String, ShardIndexLine> index = ItemCarryCodec.readIndex(store, shard.indexKey());
            java.util.Set<String> seen = new java.util.HashSet<>();
            long[] count = {0};
            long[] bytes = {0};
            String where = "shard " + shard.shard();
            JsonLines.forEachLine(store.open(shard.requestsKey()), line -> {
                if (line.isBlank()) return;
                count[0]++;
                long size = line.getBytes(StandardCharsets.UTF_8).length;
                bytes[0] += size;
                JsonNode request;
                try {
                    request = Json.tree(line.getBytes(StandardCharsets.UTF_8));
                } catch (RuntimeException e) {
                    problem(where + " request " + count[0] + ": not JSON");
                    return;
                }
                String customId = request.path("custom_id").isTextual() ? request.get("custom_id").asText() : null;
                JsonNode params = request.get("params");
                String bad = RequestCheck.problem(customId, size, params);
                if (bad != null) {
                    problem(where + ": " + bad);
                    return;
                }
                if (!seen.add(customId)) {
                    problem(where + ": custom_id " + customId + " appears twice");
                    return;
                }
                ShardIndexLine item = index.remove(customId);
                if (item == null) {
                    problem(where + ": custom_id " + customId + " maps to no item in " + shard.indexKey());
                    return;
                }
                ObjectNode p = (ObjectNode) params;
                if (sample != null) sample.offer(p);
                if (collectShapes && shapes.size() < MAX_SHAPES) shapes.putIfAbsent(shapeOf(p, item), new Shape(customId, p));
            });
            for (ShardIndexLine orphan : index.values()) {
                problem(where + ": item of line " + orphan.carry().line() + " (custom_id " + orphan.customId()
                        + ") has no request");
            }
            if (count[0] > Planner.PROVIDER_MAX_REQUESTS) {
                problem(String.format(Locale.ROOT, "%s holds %,d requests, more than the provider's %,d per batch",
                        where, count[0], Planner.PROVIDER_MAX_REQUESTS));
            }
            long body = Planner.ENVELOPE_BYTES + bytes[0] + Math.max(0, count[0] - 1);
            if (body > Planner.PROVIDER_MAX_BODY_BYTES) {
                // a 413 on create would split the shard; this is caught earlier only to say it clearly
                LOG.warning(() -> where + " body is " + body + " bytes, above the provider's batch limit: it will be split");
            }
        }

        private void problem(String p) {
            problemCount++;
            if (problems.size() < MAX_LISTED_PROBLEMS) problems.add(p);
        }

        /** Model, max_tokens, stratum and system prompt (few-shot examples live there): one template shape. */
        private static String shapeOf(ObjectNode params, ShardIndexLine item) {
            return params.path("model").asText() + "|" + params.path("max_tokens").asText() + "|"
                    + (item.carry().stratum() == null ? "" : item.carry().stratum()) + "|"
                    + Integer.toHexString(Json.string(params.path("system")).hashCode());
        }
    }
}
