package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.Collected;
import io.batchline.plan.Plan;
import io.batchline.plan.PlanRequest;
import io.batchline.plan.Planner;
import io.batchline.report.html.HtmlReportPages;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.RunStore;
import io.batchline.run.ShardRecord;
import io.batchline.store.FileObjectStore;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code bench/collect-throughput.sh}: how fast the real {@link CollectStage} streams, validates
 * (JSON extraction + output_schema) and routes results, with no provider latency. The sample job (without its
 * golden items and canary, in shards of up to 100,000 requests) is planned over a tickets file into a
 * file-backed store; every request gets the simulator model's answer in the documented results format
 * (including fenced, non-JSON, schema-breaking, low-confidence and errored answers), saved as the batch's raw
 * results; then every shard is collected, as the Map state would, and timed. The run and shard records live in
 * memory here (DynamoDB is one read and one write per shard, not per item).
 *
 * <pre>java ... io.batchline.offline.sim.CollectThroughputBench JOB.yaml TICKETS.jsonl WORK_DIR [ROUNDS]</pre>
 */
public final class CollectThroughputBench {
    private static final String RUN = "collect-bench-0123456789ab";
    private static final String BUCKET = "bench";

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: CollectThroughputBench JOB.yaml TICKETS.jsonl WORK_DIR [ROUNDS]");
            System.exit(2);
        }
        Path jobFile = Path.of(args[0]);
        Path input = Path.of(args[1]);
        Path work = Path.of(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;

        FileObjectStore store = new FileObjectStore(work.resolve("store"));
        JobSpec job = benchJob(jobFile);
        store.put(RunKeys.jobSnapshot(RUN), Json.bytes(job), "application/yaml"); // JSON is YAML
        Plan plan;
        try (InputStream in = Files.newInputStream(input)) {
            plan = new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, in, input.getFileName().toString(), store));
        }
        MemoryRunStore runs = new MemoryRunStore();
        SimModel model = new SimModel(42);
        long resultBytes = 0;
        for (Plan.ShardPlan shard : plan.shards()) {
            String batchId = "msgbatch_bench" + shard.shard();
            String rawKey = RunKeys.raw(RUN, batchId);
            resultBytes += writeResults(store, shard.key(), rawKey, model);
            Instant now = Instant.now();
            runs.shards.add(new ShardRecord(RUN, 1, shard.shard(), shard.key(), shard.indexKey(), shard.requests(),
                    shard.bytes(), ShardRecord.ShardStatus.ENDED, batchId, now, now, now, rawKey));
        }
        PipelineContext ctx = new PipelineContext(bucket -> store, runs, null, PriceTable.bundled(),
                new PipelineConfig("bench", null, 30, 300), Clock.systemUTC());
        ctx.reportPages(new HtmlReportPages());
        CollectStage stage = new CollectStage(ctx);

        System.out.printf("collect: %,d results in %d shard(s), %.1f MB of raw results%n", plan.valid(),
                plan.shards().size(), resultBytes / 1e6);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= rounds; round++) {
            long accepted = 0, review = 0, rejected = 0, failed = 0, retry = 0;
            // every round a first collect: a checkpoint left by the last round would make this one a resume
            for (Plan.ShardPlan shard : plan.shards()) store.delete(RunKeys.collectCheckpoint(RUN, 1, shard.shard()));
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            for (Plan.ShardPlan shard : plan.shards()) {
                Collected c = stage.collect(new CollectRequest(RUN, BUCKET, 1, shard.shard(), null));
                accepted += c.accepted();
                review += c.review();
                rejected += c.rejected();
                failed += c.failed();
                retry += c.retry();
            }
            double wall = (System.nanoTime() - t0) / 1e9;
            double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
            long results = plan.valid(); // every request's result is judged once per round
            System.out.printf("round %d: %,d results in %.2f s wall, %.2f s CPU of the collecting thread: "
                            + "%,.0f items/s, %,.0f items per CPU-second (per core)%n", round, results, wall, cpu,
                    results / wall, results / cpu);
            System.out.printf("         accepted %,d  review %,d  rejected %,d  failed %,d  to retry/repair %,d"
                    + "  (chunks of long tickets wait for finalize)%n", accepted, review, rejected, failed, retry);
        }
    }

    /** The sample job without golden items and canary (they need files and a gate), in shards of 100,000. */
    static JobSpec benchJob(Path jobFile) throws Exception {
        try (InputStream in = Files.newInputStream(jobFile)) {
            ObjectNode spec = Json.MAPPER.valueToTree(JobSpecLoader.load(in,
                    ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023));
            spec.remove(List.of("golden", "canary"));
            spec.putObject("shard").put("max_requests", Planner.PROVIDER_MAX_REQUESTS);
            return JobSpecLoader.load(new java.io.ByteArrayInputStream(Json.bytes(spec)),
                    ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        }
    }

    /** One results line per request, as the provider returns them ({custom_id, result}). */
    private static long writeResults(FileObjectStore store, String requestsKey, String rawKey, SimModel model)
            throws Exception {
        long bytes = 0;
        try (BufferedReader requests = new BufferedReader(new InputStreamReader(store.open(requestsKey),
                StandardCharsets.UTF_8), 1 << 16);
             OutputStream out = new BufferedOutputStream(store.create(rawKey, "application/x-ndjson"), 1 << 16)) {
            for (String line; (line = requests.readLine()) != null; ) {
                JsonNode request = Json.MAPPER.readTree(line);
                String cid = request.get("custom_id").asText();
                JsonNode params = request.get("params");
                double f = model.unit(cid, "fault");
                ObjectNode result = Json.MAPPER.createObjectNode();
                if (f < 0.01) {
                    result.put("type", "errored");
                    result.putObject("error").put("type", "error").putObject("error")
                            .put("type", "overloaded_error").put("message", "Overloaded");
                } else {
                    SimModel.OutputFault fault = f < 0.02 ? SimModel.OutputFault.NON_JSON
                            : f < 0.05 ? SimModel.OutputFault.FENCED
                            : f < 0.06 ? SimModel.OutputFault.SCHEMA_VIOLATION
                            : f < 0.10 ? SimModel.OutputFault.LOW_CONFIDENCE
                            : SimModel.OutputFault.NONE;
                    result.put("type", "succeeded");
                    result.set("message", model.respond(cid, params, SimModel.Cache.READ, fault));
                }
                ObjectNode outLine = Json.MAPPER.createObjectNode();
                outLine.put("custom_id", cid);
                outLine.set("result", result);
                byte[] b = Json.bytes(outLine);
                out.write(b);
                out.write('\n');
                bytes += b.length + 1;
            }
        }
        return bytes;
    }

    /** The run's records in memory: only what collect reads (its shard) and writes (collected). */
    private static final class MemoryRunStore implements RunStore {
        final List<ShardRecord> shards = new ArrayList<>();

        @Override public RunRecord createRun(RunRecord run) { throw unsupported(); }
        @Override public Optional<RunRecord> run(String runId) { return Optional.empty(); }
        @Override public void finishRun(String runId, RunRecord.RunStatus status, Instant finishedAt, String error,
                                        String cause) { throw unsupported(); }
        @Override public void planShard(ShardRecord shard) { throw unsupported(); }
        @Override public List<ShardRecord> shards(String runId, int attempt) { return List.copyOf(shards); }
        @Override public boolean markSubmitting(String runId, int attempt, int shard, Instant previousIntent,
                                                Instant intentAt) { throw unsupported(); }
        @Override public boolean markSubmitted(String runId, int attempt, int shard, String batchId,
                                               Instant submittedAt) { throw unsupported(); }
        @Override public boolean markReplaced(String runId, int attempt, int shard, Instant intentAt) {
            throw unsupported();
        }
        @Override public void markEnded(String runId, int attempt, int shard, Instant endedAt, String rawKey) {
            throw unsupported();
        }
        @Override public void markCollected(String runId, int attempt, int shard) {}
        @Override public CancelRequest requestCancel(String runId, Instant requestedAt) { throw unsupported(); }
        @Override public boolean markCanceled(String runId, int attempt, int shard) { throw unsupported(); }

        private static UnsupportedOperationException unsupported() {
            return new UnsupportedOperationException("not used by collect");
        }
    }
}
