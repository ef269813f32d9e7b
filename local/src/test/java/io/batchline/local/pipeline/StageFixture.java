package io.batchline.local.pipeline;

import io.batchline.cost.PriceTable;
import io.batchline.local.aws.AwsClientsForLocal;
import io.batchline.local.aws.DynamoEmulator;
import io.batchline.local.aws.S3Emulator;
import io.batchline.local.sim.AnthropicSimulator;
import io.batchline.local.sim.SimulatorConfig;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.provider.AnthropicBatchesClient;
import io.batchline.provider.ProviderConfig;
import io.batchline.run.DynamoRunStore;
import io.batchline.store.S3ObjectStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/** The domain's stages wired to real emulators (S3Proxy, dynalite, the Anthropic simulator), without Lambda. */
final class StageFixture implements AutoCloseable {
    static final String BUCKET = "stage-test";
    static final String TABLE = "batchline";
    final S3Emulator s3;
    final DynamoEmulator dynamo;
    final AnthropicSimulator sim;
    final S3Client s3Client;
    final DynamoDbClient dynamoClient;
    final AnthropicBatchesClient provider;
    final DynamoRunStore runs;
    final S3ObjectStore store;
    final PipelineContext ctx;

    StageFixture(UnaryOperator<SimulatorConfig.Builder> simulator) throws Exception {
        s3 = S3Emulator.start(0, null);
        dynamo = DynamoEmulator.start(Path.of("node_modules").toAbsolutePath(), 0, null);
        sim = AnthropicSimulator.start(simulator.apply(SimulatorConfig.builder().processingTime(Duration.ofMillis(300)))
                .build());
        s3Client = AwsClientsForLocal.s3(s3.endpoint());
        s3Client.createBucket(b -> b.bucket(BUCKET));
        dynamoClient = AwsClientsForLocal.dynamo(dynamo.endpoint());
        DynamoEmulator.ensureTable(dynamoClient, TABLE);
        provider = new AnthropicBatchesClient(ProviderConfig.of(sim.baseUrl(), () -> "sk-test")
                .withRetries(1, Duration.ofMillis(10), Duration.ofMillis(50)));
        runs = new DynamoRunStore(dynamoClient, TABLE);
        store = new S3ObjectStore(s3Client, BUCKET);
        ctx = new PipelineContext(bucket -> store, runs, provider, PriceTable.bundled(),
                new PipelineConfig(TABLE, null, 1, 5), Clock.systemUTC());
    }

    @Override
    public void close() throws Exception {
        sim.close();
        dynamo.close();
        s3.close();
    }
}
