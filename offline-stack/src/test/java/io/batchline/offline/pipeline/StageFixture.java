package io.batchline.offline.pipeline;

import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.cost.PriceTable;
import io.batchline.offline.sim.AnthropicSimulator;
import io.batchline.offline.sim.SimulatorConfig;
import io.batchline.offline.teststack.AwsEndpoint;
import io.batchline.offline.teststack.TestStack;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.aws.dynamodb.DynamoRunStore;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.report.html.HtmlReportPages;
import io.batchline.testing.TicketTriage;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The domain's stages wired to real S3 and DynamoDB from the selected test stack (S3Proxy and dynalite, or
 * LocalStack: see TestStack) and the Anthropic simulator, without Lambda. Starts from an empty bucket and table.
 */
final class StageFixture implements AutoCloseable {
    static final String BUCKET = "stage-test";
    static final String TABLE = "batchline";
    final AwsEndpoint s3;
    final AwsEndpoint dynamo;
    final AnthropicSimulator sim;
    final S3Client s3Client;
    final DynamoDbClient dynamoClient;
    final AnthropicBatchesClient provider;
    final DynamoRunStore runs;
    final S3ObjectStore store;
    final PipelineContext ctx;

    StageFixture(UnaryOperator<SimulatorConfig.Builder> simulator) throws Exception {
        s3 = TestStack.s3();
        dynamo = TestStack.dynamo();
        sim = AnthropicSimulator.start(simulator.apply(SimulatorConfig.builder().processingTime(Duration.ofMillis(300)))
                .build());
        s3Client = s3.s3Client();
        TestStack.freshBucket(s3Client, BUCKET);
        dynamoClient = dynamo.dynamoClient();
        TestStack.freshTable(dynamoClient, TABLE);
        provider = new AnthropicBatchesClient(ProviderConfig.of(sim.baseUrl(), () -> "sk-test")
                .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(50)));
        runs = new DynamoRunStore(dynamoClient, TABLE);
        store = new S3ObjectStore(s3Client, BUCKET);
        ctx = new PipelineContext(bucket -> store, runs, provider, PriceTable.bundled(),
                new PipelineConfig(TABLE, null, 1, 5), Clock.systemUTC());
        ctx.reportPages(new HtmlReportPages());
    }

    @Override
    public void close() throws Exception {
        sim.close();
        s3Client.close();
        dynamoClient.close();
        dynamo.close();
        s3.close();
    }

    /** What Register and Format leave behind for a run whose shards a test writes itself. */
    void formattedRun(String runId) {
        io.batchline.testing.PlannedShards.formattedRun(store, runId);
    }
}
