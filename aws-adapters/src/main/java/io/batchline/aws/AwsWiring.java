package io.batchline.aws;

import io.batchline.budget.BudgetGuard;
import io.batchline.aws.dynamodb.DynamoBudgetLedger;
import io.batchline.aws.dynamodb.DynamoResultCache;
import io.batchline.aws.dynamodb.AwsUsageStore;
import io.batchline.cost.PriceTable;
import io.batchline.cost.StageMeter;
import io.batchline.aws.dynamodb.DynamoIdempotencyStore;
import io.batchline.idempotency.IdempotentStage;
import io.batchline.pipeline.IntakeStage;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.aws.sfn.StepFunctionsExecutionStarter;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.provider.anthropic.Sleeper;
import io.batchline.report.ReportPages;
import io.batchline.aws.secrets.SecretsManagerApiKey;
import io.batchline.aws.sqs.SqsReviewQueue;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import java.time.Clock;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Puts the domain together on AWS from a function's environment: S3 object stores, the DynamoDB records (runs,
 * budget, idempotency, result cache, usage), the SQS review queue, Step Functions executions and the provider
 * key from Secrets Manager. The caller reads the environment once and parses its {@link PipelineConfig}.
 */
public final class AwsWiring {
    private AwsWiring() {}

    /**
     * The stages' shared context. Clients are built here, at start-up, not on first use: a lazy SDK client adds
     * ~0.6 s to a cold start. Also points the stage meter at the run's usage records. {@code reportPages} renders
     * report.html.
     */
    public static PipelineContext pipelineContext(Map<String, String> env, PipelineConfig config,
                                                  ReportPages reportPages) {
        return pipelineContext(env, config, reportPages, Sleeper.REAL);
    }

    /**
     * The same, the provider client waiting out the time between its attempts (backoff, retry-after) with
     * {@code providerWaits}: the offline stack's tests that host the stages in their own JVM compress it.
     */
    public static PipelineContext pipelineContext(Map<String, String> env, PipelineConfig config,
                                                  ReportPages reportPages, Sleeper providerWaits) {
        AwsClients aws = new AwsClients(env);
        S3Client s3 = aws.s3();
        DynamoDbClient ddb = aws.dynamoDb();
        StageMeter.use(new AwsUsageStore(ddb, config.table())); // the report's aws_cost
        io.batchline.chaos.FaultPoints faults = io.batchline.chaos.Chaos.of(config.chaosFile());
        return new PipelineContext(bucket -> new S3ObjectStore(s3, bucket, faults),
                new DynamoRunStore(ddb, config.table()),
                new AnthropicBatchesClient(providerConfig(env), providerWaits),
                PriceTable.fromEnvOrBundled(env), config, Clock.systemUTC(),
                BudgetGuard.fromEnv(env, new DynamoBudgetLedger(ddb, config.table()), Clock.systemUTC()))
                .reviewQueue(SqsReviewQueue.fromEnv(env, aws::sqs))
                .idempotency(IdempotentStage.on(new DynamoIdempotencyStore(ddb, config.table()), Clock.systemUTC()))
                .resultCache(new DynamoResultCache(ddb, config.table()))
                .reportPages(reportPages);
    }

    /** Intake: one Step Functions execution of the run state machine per uploaded object. */
    public static IntakeStage intakeStage(Map<String, String> env, PipelineConfig config) {
        return new IntakeStage(new StepFunctionsExecutionStarter(new AwsClients(env).sfn(), config.stateMachineArn()));
    }

    /**
     * {@link ProviderConfig#fromEnv(Map, java.util.function.Function)} with the key of
     * {@value ProviderConfig#SECRET_ARN_ENV} read from Secrets Manager (its client is built now, at cold start).
     */
    public static ProviderConfig providerConfig(Map<String, String> env) {
        return ProviderConfig.fromEnv(env, secretArn -> new SecretsManagerApiKey(new AwsClients(env).secretsManager(),
                secretArn));
    }
}
