package io.batchline.offline.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.offline.teststack.OfflineStackOnly;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

@OfflineStackOnly("tests the offline stack's own DynamoDB (the dynalite child process, its --state persistence)")
class DynamoEmulatorTest {
    /** Surefire runs in the module directory, where the build installed node_modules. */
    static final Path NODE_MODULES = Path.of("node_modules").toAbsolutePath();
    static final String TABLE = "batchline";

    @Test
    void conditionalPutQueryAndEnsureTableIsIdempotent() throws Exception {
        try (DynamoEmulator dynamo = DynamoEmulator.start(NODE_MODULES, 0, null);
             DynamoDbClient db = AwsClientsForLocal.dynamo(dynamo.endpoint())) {
            DynamoEmulator.ensureTable(db, TABLE);
            DynamoEmulator.ensureTable(db, TABLE); // second call finds it and changes nothing

            TableDescription t = db.describeTable(b -> b.tableName(TABLE)).table();
            assertThat(t.keySchema()).extracting(k -> k.attributeName() + ":" + k.keyType())
                    .containsExactly("pk:" + KeyType.HASH, "sk:" + KeyType.RANGE);
            assertThat(t.billingModeSummary().billingModeAsString()).isEqualTo("PAY_PER_REQUEST");

            Map<String, AttributeValue> run = Map.of("pk", s("RUN#r1"), "sk", s("META"), "status", s("REGISTERED"));
            db.putItem(b -> b.tableName(TABLE).item(run).conditionExpression("attribute_not_exists(pk)"));
            assertThatThrownBy(() -> db.putItem(b -> b.tableName(TABLE)
                    .item(Map.of("pk", s("RUN#r1"), "sk", s("META"), "status", s("OVERWRITTEN")))
                    .conditionExpression("attribute_not_exists(pk)")))
                    .isInstanceOf(ConditionalCheckFailedException.class);
            assertThat(db.getItem(b -> b.tableName(TABLE).key(Map.of("pk", s("RUN#r1"), "sk", s("META"))))
                    .item().get("status").s()).isEqualTo("REGISTERED");

            for (String sk : List.of("SHARD#1#0", "SHARD#1#1", "SHARD#2#0")) {
                db.putItem(b -> b.tableName(TABLE).item(Map.of("pk", s("RUN#r1"), "sk", s(sk))));
            }
            db.putItem(b -> b.tableName(TABLE).item(Map.of("pk", s("RUN#r2"), "sk", s("SHARD#1#0"))));
            List<String> shards = db.query(b -> b.tableName(TABLE)
                            .keyConditionExpression("pk = :pk AND begins_with(sk, :p)")
                            .expressionAttributeValues(Map.of(":pk", s("RUN#r1"), ":p", s("SHARD#1#"))))
                    .items().stream().map(i -> i.get("sk").s()).toList();
            assertThat(shards).containsExactly("SHARD#1#0", "SHARD#1#1");
        }
    }

    @Test
    void stateDirKeepsTablesAndItemsAcrossRestart(@TempDir Path state) throws Exception {
        try (DynamoEmulator dynamo = DynamoEmulator.start(NODE_MODULES, 0, state);
             DynamoDbClient db = AwsClientsForLocal.dynamo(dynamo.endpoint())) {
            DynamoEmulator.ensureTable(db, TABLE);
            db.putItem(b -> b.tableName(TABLE).item(Map.of("pk", s("RUN#p"), "sk", s("META"), "n", n(7))));
        }
        try (DynamoEmulator dynamo = DynamoEmulator.start(NODE_MODULES, 0, state);
             DynamoDbClient db = AwsClientsForLocal.dynamo(dynamo.endpoint())) {
            assertThat(db.listTables().tableNames()).containsExactly(TABLE);
            DynamoEmulator.ensureTable(db, TABLE);
            assertThat(db.getItem(b -> b.tableName(TABLE).key(Map.of("pk", s("RUN#p"), "sk", s("META"))))
                    .item().get("n").n()).isEqualTo("7");
        }
    }

    @Test
    void withoutStateDirNothingSurvives() throws Exception {
        try (DynamoEmulator dynamo = DynamoEmulator.start(NODE_MODULES, 0, null);
             DynamoDbClient db = AwsClientsForLocal.dynamo(dynamo.endpoint())) {
            DynamoEmulator.ensureTable(db, TABLE);
        }
        try (DynamoEmulator dynamo = DynamoEmulator.start(NODE_MODULES, 0, null);
             DynamoDbClient db = AwsClientsForLocal.dynamo(dynamo.endpoint())) {
            assertThat(db.listTables().tableNames()).isEmpty();
        }
    }

    @Test
    void closeEndsTheChildProcess() throws Exception {
        DynamoEmulator dynamo = DynamoEmulator.start(NODE_MODULES, 0, null);
        ProcessHandle child = dynamo.process();
        assertThat(child.isAlive()).isTrue();
        assertThat(child.parent().map(ProcessHandle::pid)).contains(ProcessHandle.current().pid());
        try (DynamoDbClient db = AwsClientsForLocal.dynamo(dynamo.endpoint())) {
            assertThat(db.listTables().tableNames()).isEmpty();
            dynamo.close();
            assertThat(child.isAlive()).isFalse();
            assertThat(child.onExit().get(5, TimeUnit.SECONDS).isAlive()).isFalse();
            // nothing listens any more
            assertThatThrownBy(db::listTables).isInstanceOf(SdkClientException.class);
        }
    }

    @Test
    void aChildThatCannotStartFailsFastWithItsError() throws Exception {
        try (DynamoEmulator first = DynamoEmulator.start(NODE_MODULES, 0, null)) {
            int taken = first.endpoint().getPort();
            assertThatThrownBy(() -> DynamoEmulator.start(NODE_MODULES, taken, null))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("exited with")
                    .hasMessageContaining("EADDRINUSE");
        }
    }

    @Test
    void aMissingNodeModulesDirIsReportedClearly(@TempDir Path empty) {
        assertThatThrownBy(() -> DynamoEmulator.start(empty, 0, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("npm ci");
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

}
