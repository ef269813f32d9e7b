package io.batchline.cost;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The AWS cost of a run from its counted usage ({@link UsageStore}) and {@link AwsPrices}: report.json's
 * {@code aws_cost} block. Lambda is billed per millisecond x configured memory plus per request; Step Functions
 * per state transition, derived from the ASL's shape per stage invocation; DynamoDB, S3, SQS and Secrets Manager
 * per counted request. Not counted: CloudWatch Logs and metrics, X-Ray, KMS, data transfer, storage over time,
 * the intake and sweep functions (a few invocations per input file, not per run), free tiers.
 *
 * <p>The projection to 1M items splits the run's cost three ways, since only some of it grows with the input:
 * <b>per shard</b>: every collect invocation (its requests except SQS, its Lambda request fee, its Map iteration's
 * transition), what submit and poll send inside {@link StageMeter#perShard} sections, and format's writes of
 * each planned shard ({@link #FORMAT_OPS_PER_SHARD}); <b>per item</b>: the Lambda time of the stages that stream
 * the items (format, collect, finalize, and the per-shard sections: uploads and downloads of the data) and the
 * SQS requests (review messages, ten a request); <b>fixed</b>: the rest (register, each poll's and round's own
 * reads, the canary check, finalize's requests), which a 1M-item run is assumed to spend as this run did.
 */
public final class AwsCostModel {
    /**
     * State transitions per invocation of a stage, from statemachine/batchline-run.asl.json: Register run (1);
     * format: Plan and format + Anything to submit?, or Plan retry round + Retry needed? (2); Submit batches (1);
     * poll: Wait for batches + Check batches + All batches ended? (3); Collect shard inside the Map (1); Check canary
     * + Canary passed? (2); Finalize run + Run canceled? + Canary failed? + Run succeeded (4); Mark run failed + Run
     * failed (2). Each round adds Collect results (the Map) and Canary pending? (2). Keep in step with the ASL.
     */
    static final Map<String, Integer> TRANSITIONS_PER_INVOCATION = Map.of("register", 1, "format", 2, "submit", 1,
            "poll", 3, "collect", 1, "canary", 2, "finalize", 4, "mark-failed", 2);
    static final int TRANSITIONS_PER_ROUND = 2;
    /**
     * What format sends for each shard it plans (FormatStage, Planner): the request file and the index (S3 PUTs)
     * and the shard's record (DynamoDB PutItem). Format's sections are not metered per shard (it writes shards on
     * another thread while it reads), so the projection takes these out of its fixed part by this count.
     */
    static final Map<String, Integer> FORMAT_OPS_PER_SHARD = Map.of("S3.PutObject", 2, "DynamoDb.PutItem", 1);
    /** The provider's own batch limits, which apply when the job sets none. */
    static final long PROVIDER_MAX_REQUESTS = 100_000;
    static final long PROVIDER_MAX_BYTES = 256L * 1024 * 1024;
    static final long MILLION = 1_000_000;
    /** Stages whose Lambda time streams the items: it grows with them. */
    private static final Set<String> STREAMING_STAGES = Set.of("format", "collect", "finalize");

    private static final Set<String> S3_PUT_CLASS = Set.of("PutObject", "CopyObject", "PostObject", "ListObjects",
            "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads", "ListParts", "CreateMultipartUpload",
            "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "PutObjectTagging");
    private static final Set<String> S3_FREE = Set.of("DeleteObject", "DeleteObjects", "AbortMultipartUpload");
    private static final Set<String> DYNAMODB_WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem",
            "BatchWriteItem", "TransactWriteItems");

    private AwsCostModel() {}

    /**
     * What the projection needs to know of the run besides its usage.
     *
     * @param items             the run's items (report.json's items)
     * @param shards            the shards the run sent or collected, all attempts (split ones not counted)
     * @param canaryShards      of those, the canary's (alone in their batches whatever the input size)
     * @param requestsByAttempt requests per attempt outside the canary's shards (index 0 = attempt 1)
     * @param requestBytes      the bytes of all those requests
     * @param maxRequests       the job's shard.max_requests (0: the provider's 100,000)
     * @param maxBytes          the job's shard.max_bytes (0: the provider's 256 MB)
     */
    public record RunShape(long items, long shards, long canaryShards, long[] requestsByAttempt, long requestBytes,
                           long maxRequests, long maxBytes) {
        long requests() {
            long n = 0;
            for (long r : requestsByAttempt) n += r;
            return n;
        }

        /** Requests one full shard holds: the job's limits at this run's mean request size. */
        long requestsPerShard() {
            long byCount = maxRequests > 0 ? Math.min(maxRequests, PROVIDER_MAX_REQUESTS) : PROVIDER_MAX_REQUESTS;
            long limitBytes = maxBytes > 0 ? Math.min(maxBytes, PROVIDER_MAX_BYTES) : PROVIDER_MAX_BYTES;
            long requests = requests();
            if (requests == 0 || requestBytes == 0) return byCount;
            double meanBytes = (double) requestBytes / requests;
            return Math.max(1, Math.min(byCount, (long) Math.floor(limitBytes / meanBytes)));
        }

        /** The shards a run of this job over 1M such items would have: each attempt's share in full shards. */
        long shardsPerMillion() {
            if (items == 0) return shards;
            long perShard = requestsPerShard();
            long n = canaryShards;
            for (long r : requestsByAttempt) {
                if (r == 0) continue;
                double perMillion = (double) r / items * MILLION;
                n += (long) Math.ceil(perMillion / perShard - 1e-9);
            }
            return n;
        }
    }

    /** Which part of the projection a cost belongs to. */
    private enum Part { FIXED, SHARD, ITEM }

    /** The run's counted operations and their price, the split above as accumulated dollars. */
    private static final class Tally {
        long invocations, transitions, formatRuns;
        long ddbReads, ddbWrites, s3Put, s3Get, sqs, secrets;
        double mbMs;
        double lambda, sfn, ddb, s3, sqsUsd, secretsUsd;
        double fixed, perShard, perItem;
        final ObjectNode byStage = Json.MAPPER.createObjectNode();
        final Map<String, Long> byOperation = new TreeMap<>();
        final Map<String, Long> shardRequests = new TreeMap<>();
        final ObjectNode requestsByStage = Json.MAPPER.createObjectNode();

        /** Prices {@code n} requests of {@code op} and books them to one of the three parts. */
        void request(String op, long n, Part part) {
            if (n <= 0) return;
            if (part == Part.SHARD && !op.startsWith("Sqs.")) shardRequests.merge(op, n, Long::sum);
            String service = op.substring(0, op.indexOf('.')).toLowerCase(Locale.ROOT);
            String name = op.substring(op.indexOf('.') + 1);
            double usd;
            switch (service) {
                case "s3" -> {
                    if (S3_PUT_CLASS.contains(name)) {
                        s3Put += n;
                        usd = n * AwsPrices.S3_PUT_CLASS;
                    } else if (!S3_FREE.contains(name)) {
                        s3Get += n;
                        usd = n * AwsPrices.S3_GET_CLASS;
                    } else {
                        usd = 0;
                    }
                    s3 += usd;
                }
                case "dynamodb" -> {
                    if (DYNAMODB_WRITES.contains(name)) {
                        ddbWrites += n;
                        usd = n * AwsPrices.DYNAMODB_WRITE_UNIT;
                    } else {
                        ddbReads += n;
                        usd = n * AwsPrices.DYNAMODB_READ_UNIT;
                    }
                    ddb += usd;
                }
                case "sqs" -> {
                    sqs += n;
                    usd = n * AwsPrices.SQS_REQUEST;
                    sqsUsd += usd;
                    part = Part.ITEM; // review messages: one per review item, ten a request
                }
                case "secretsmanager", "secrets manager" -> {
                    secrets += n;
                    usd = n * AwsPrices.SECRETS_MANAGER_CALL;
                    secretsUsd += usd;
                }
                default -> usd = 0; // Step Functions API calls (StartExecution) are billed as transitions
            }
            book(usd, part);
        }

        void book(double usd, Part part) {
            switch (part) {
                case SHARD -> perShard += usd;
                case ITEM -> perItem += usd;
                case FIXED -> fixed += usd;
            }
        }

        /** the shards format planned, all rounds */
        long shardsPlanned;

        void stage(String stage, Map<String, Long> c) {
            long inv = c.getOrDefault("inv", 0L);
            boolean collect = stage.equals("collect");
            invocations += inv;
            byStage.put(stage, inv);
            if (stage.equals("format")) formatRuns = inv;
            long t = inv * TRANSITIONS_PER_INVOCATION.getOrDefault(stage, 1);
            transitions += t;
            sfn += t * AwsPrices.SFN_STATE_TRANSITION;
            book(t * AwsPrices.SFN_STATE_TRANSITION, collect ? Part.SHARD : Part.FIXED);
            lambda += inv * AwsPrices.LAMBDA_REQUEST;
            book(inv * AwsPrices.LAMBDA_REQUEST, collect ? Part.SHARD : Part.FIXED);

            long mbMsAll = c.getOrDefault("lambda_mb_ms", 0L);
            long mbMsShard = Math.min(mbMsAll, c.getOrDefault("shard_mb_ms", 0L));
            mbMs += mbMsAll;
            double gbSecondUsd = AwsPrices.LAMBDA_GB_SECOND / 1024.0 / 1000.0;
            lambda += mbMsAll * gbSecondUsd;
            boolean streams = STREAMING_STAGES.contains(stage);
            book((streams ? mbMsAll : mbMsShard) * gbSecondUsd, Part.ITEM);
            book((streams ? 0 : mbMsAll - mbMsShard) * gbSecondUsd, Part.FIXED);

            ObjectNode stageRequests = requestsByStage.putObject(stage);
            long formatShards = stage.equals("format") ? Math.max(0, shardsPlanned) : 0;
            for (var e : c.entrySet()) {
                if (!e.getKey().startsWith("op:")) continue;
                String op = e.getKey().substring(3);
                long n = e.getValue();
                byOperation.merge(op, n, Long::sum);
                stageRequests.put(op, n);
                long shardPart = collect ? n : Math.min(n, c.getOrDefault("shard_op:" + op, 0L)
                        + formatShards * FORMAT_OPS_PER_SHARD.getOrDefault(op, 0));
                request(op, shardPart, Part.SHARD);
                request(op, n - shardPart, Part.FIXED);
            }
        }
    }

    /**
     * @param byStage      the run's counters by stage (see {@link UsageStore})
     * @param shape        the run's items and shards, for the projection
     * @param tokenCostUsd the run's token cost (report.json's cost_usd)
     */
    public static ObjectNode block(Map<String, Map<String, Long>> byStage, RunShape shape, BigDecimal tokenCostUsd) {
        Tally t = new Tally();
        t.shardsPlanned = shape.shards();
        for (var s : byStage.entrySet()) t.stage(s.getKey(), s.getValue());
        long rounds = Math.max(1, t.formatRuns - 1); // a round ends in "Plan retry round"
        t.transitions += TRANSITIONS_PER_ROUND * rounds;
        t.sfn += TRANSITIONS_PER_ROUND * rounds * AwsPrices.SFN_STATE_TRANSITION;
        t.book(TRANSITIONS_PER_ROUND * rounds * AwsPrices.SFN_STATE_TRANSITION, Part.FIXED);
        double gbSeconds = t.mbMs / 1024.0 / 1000.0;

        ObjectNode usd = Json.MAPPER.createObjectNode();
        usd.put("lambda", round(t.lambda));
        usd.put("step_functions", round(t.sfn));
        usd.put("dynamodb", round(t.ddb));
        usd.put("s3", round(t.s3));
        usd.put("sqs", round(t.sqsUsd));
        usd.put("secrets_manager", round(t.secretsUsd));
        double total = t.lambda + t.sfn + t.ddb + t.s3 + t.sqsUsd + t.secretsUsd;

        ObjectNode block = Json.MAPPER.createObjectNode();
        ObjectNode ops = block.putObject("operations");
        ops.put("lambda_invocations", t.invocations);
        ops.put("lambda_gb_seconds", BigDecimal.valueOf(gbSeconds).setScale(3, RoundingMode.HALF_UP));
        ops.put("state_transitions", t.transitions);
        ops.put("dynamodb_read_units", t.ddbReads);
        ops.put("dynamodb_write_units", t.ddbWrites);
        ops.put("s3_put_class_requests", t.s3Put);
        ops.put("s3_get_class_requests", t.s3Get);
        ops.put("sqs_requests", t.sqs);
        ops.put("secrets_manager_calls", t.secrets);
        ops.set("invocations_by_stage", t.byStage);
        ObjectNode byOperation = ops.putObject("requests_by_operation");
        t.byOperation.forEach(byOperation::put);
        ops.set("requests_by_stage", t.requestsByStage);
        block.put("usd", round(total));
        block.set("usd_by_service", usd);

        // the projection: fixed once, per shard x the shards 1M items would fill, per item x 1M
        long items = shape.items();
        long perMillionShards = shape.shardsPerMillion();
        double perShardUsd = shape.shards() == 0 ? 0 : t.perShard / shape.shards();
        double perItemUsd = items == 0 ? 0 : t.perItem / items;
        double projected = t.fixed + perShardUsd * perMillionShards + perItemUsd * MILLION;
        double tokenPerMillion = tokenCostUsd == null || items == 0 ? 0
                : tokenCostUsd.doubleValue() / items * MILLION;
        block.put("per_million_items_usd", items == 0 ? BigDecimal.ZERO : round(projected));
        if (tokenPerMillion > 0) {
            block.put("share_of_token_cost", BigDecimal.valueOf(projected / tokenPerMillion)
                    .setScale(6, RoundingMode.HALF_UP));
        }
        ObjectNode p = block.putObject("projection");
        p.put("items", MILLION);
        p.put("fixed_usd", round(t.fixed));
        p.put("per_shard_usd", BigDecimal.valueOf(perShardUsd).setScale(12, RoundingMode.HALF_UP));
        p.put("shards_per_million", perMillionShards);
        p.put("per_item_usd", BigDecimal.valueOf(perItemUsd).setScale(12, RoundingMode.HALF_UP));
        ObjectNode shardRequests = p.putObject("per_shard_requests"); // this run's average shard
        t.shardRequests.forEach((op, n) -> shardRequests.put(op, BigDecimal.valueOf(n)
                .divide(BigDecimal.valueOf(Math.max(1, shape.shards())), 2, RoundingMode.HALF_UP)));
        shardRequests.put("Lambda.Invoke", BigDecimal.valueOf(t.byStage.path("collect").asLong())
                .divide(BigDecimal.valueOf(Math.max(1, shape.shards())), 2, RoundingMode.HALF_UP));
        p.put("requests_per_shard", shape.requestsPerShard());
        p.put("run_shards", shape.shards());
        p.put("run_canary_shards", shape.canaryShards());
        long requests = shape.requests();
        p.put("mean_request_bytes", requests == 0 ? 0 : Math.round((double) shape.requestBytes() / requests));
        if (tokenPerMillion > 0) p.put("token_cost_usd", round(tokenPerMillion));
        if (tokenCostUsd != null && tokenCostUsd.signum() > 0) {
            p.put("run_share_of_token_cost", BigDecimal.valueOf(total).divide(tokenCostUsd, 6, RoundingMode.HALF_UP));
        }
        p.put("assumes", "a 1M-item run of this job spends the fixed part once (as many polls and rounds as this"
                + " run), the per-shard part in each of its shards (this run's average shard), and the per-item part"
                + " (Lambda time of format, collect, finalize and of the per-shard data transfers; SQS) per item");
        block.put("prices_as_of", AwsPrices.AS_OF);
        block.put("region", AwsPrices.REGION);
        return block;
    }

    private static BigDecimal round(double usd) {
        return BigDecimal.valueOf(usd).setScale(8, RoundingMode.HALF_UP);
    }
}
