package io.batchline.cost;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.Set;

/**
 * The AWS cost of a run from its counted usage ({@link AwsUsageStore}) and {@link AwsPrices}: report.json's
 * {@code aws_cost} block. Lambda is billed per millisecond x configured memory plus per request; Step Functions
 * per state transition, derived from the ASL's shape per stage invocation; DynamoDB, S3, SQS and Secrets Manager
 * per counted request. Not counted: CloudWatch Logs and metrics, X-Ray, KMS, data transfer, storage over time,
 * the intake and sweep functions (a few invocations per input file, not per run), free tiers.
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

    private static final Set<String> S3_PUT_CLASS = Set.of("PutObject", "CopyObject", "PostObject", "ListObjects",
            "ListObjectsV2", "ListObjectVersions", "ListMultipartUploads", "ListParts", "CreateMultipartUpload",
            "UploadPart", "UploadPartCopy", "CompleteMultipartUpload", "PutObjectTagging");
    private static final Set<String> S3_FREE = Set.of("DeleteObject", "DeleteObjects", "AbortMultipartUpload");
    private static final Set<String> DYNAMODB_WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem",
            "BatchWriteItem", "TransactWriteItems");

    private AwsCostModel() {}

    /**
     * @param counters     the run's counters ({@code op:}, {@code inv:}, {@code lambda_ms}, {@code lambda_mb_ms})
     * @param items        the run's items
     * @param tokenCostUsd the run's token cost (report.json's cost_usd)
     */
    public static ObjectNode block(Map<String, Long> counters, long items, BigDecimal tokenCostUsd) {
        long invocations = 0, transitions = 0, formatRuns = 0;
        long ddbReads = 0, ddbWrites = 0, s3Put = 0, s3Get = 0, sqs = 0, secrets = 0;
        ObjectNode byStage = Json.MAPPER.createObjectNode();
        ObjectNode byOperation = Json.MAPPER.createObjectNode();
        for (var c : counters.entrySet()) {
            String k = c.getKey();
            long n = c.getValue();
            if (k.startsWith("inv:")) {
                String stage = k.substring(4);
                invocations += n;
                transitions += n * TRANSITIONS_PER_INVOCATION.getOrDefault(stage, 1);
                if (stage.equals("format")) formatRuns = n;
                byStage.put(stage, n);
            } else if (k.startsWith("op:")) {
                byOperation.put(k.substring(3), n);
                String service = k.substring(3, k.indexOf('.', 3));
                String op = k.substring(k.indexOf('.', 3) + 1);
                switch (service.toLowerCase(java.util.Locale.ROOT)) {
                    case "s3" -> {
                        if (S3_PUT_CLASS.contains(op)) s3Put += n;
                        else if (!S3_FREE.contains(op)) s3Get += n;
                    }
                    case "dynamodb" -> {
                        if (DYNAMODB_WRITES.contains(op)) ddbWrites += n;
                        else ddbReads += n;
                    }
                    case "sqs" -> sqs += n;
                    case "secretsmanager", "secrets manager" -> secrets += n;
                    default -> { } // Step Functions API calls (StartExecution) are billed as transitions
                }
            }
        }
        transitions += TRANSITIONS_PER_ROUND * Math.max(1, formatRuns - 1); // a round ends in "Plan retry round"
        double gbSeconds = counters.getOrDefault("lambda_mb_ms", 0L) / 1024.0 / 1000.0;

        ObjectNode usd = Json.MAPPER.createObjectNode();
        double lambda = gbSeconds * AwsPrices.LAMBDA_GB_SECOND + invocations * AwsPrices.LAMBDA_REQUEST;
        double sfn = transitions * AwsPrices.SFN_STATE_TRANSITION;
        double ddb = ddbReads * AwsPrices.DYNAMODB_READ_UNIT + ddbWrites * AwsPrices.DYNAMODB_WRITE_UNIT;
        double s3 = s3Put * AwsPrices.S3_PUT_CLASS + s3Get * AwsPrices.S3_GET_CLASS;
        double sqsUsd = sqs * AwsPrices.SQS_REQUEST;
        double secretsUsd = secrets * AwsPrices.SECRETS_MANAGER_CALL;
        usd.put("lambda", round(lambda));
        usd.put("step_functions", round(sfn));
        usd.put("dynamodb", round(ddb));
        usd.put("s3", round(s3));
        usd.put("sqs", round(sqsUsd));
        usd.put("secrets_manager", round(secretsUsd));
        double total = lambda + sfn + ddb + s3 + sqsUsd + secretsUsd;

        ObjectNode block = Json.MAPPER.createObjectNode();
        ObjectNode ops = block.putObject("operations");
        ops.put("lambda_invocations", invocations);
        ops.put("lambda_gb_seconds", BigDecimal.valueOf(gbSeconds).setScale(3, RoundingMode.HALF_UP));
        ops.put("state_transitions", transitions);
        ops.put("dynamodb_read_units", ddbReads);
        ops.put("dynamodb_write_units", ddbWrites);
        ops.put("s3_put_class_requests", s3Put);
        ops.put("s3_get_class_requests", s3Get);
        ops.put("sqs_requests", sqs);
        ops.put("secrets_manager_calls", secrets);
        ops.set("invocations_by_stage", byStage);
        ops.set("requests_by_operation", byOperation);
        block.put("usd", round(total));
        block.set("usd_by_service", usd);
        block.put("per_million_items_usd", items == 0 ? BigDecimal.ZERO : round(total / items * 1e6));
        if (tokenCostUsd != null && tokenCostUsd.signum() > 0) {
            block.put("share_of_token_cost", BigDecimal.valueOf(total)
                    .divide(tokenCostUsd, 6, RoundingMode.HALF_UP));
        }
        block.put("prices_as_of", AwsPrices.AS_OF);
        block.put("region", AwsPrices.REGION);
        return block;
    }

    private static BigDecimal round(double usd) {
        return BigDecimal.valueOf(usd).setScale(8, RoundingMode.HALF_UP);
    }
}
