package io.batchline.offline.teststack;

import io.batchline.offline.aws.AwsClientsForLocal;
import io.batchline.offline.aws.DynamoEmulator;
import io.batchline.offline.aws.S3Emulator;
import io.batchline.offline.aws.SqsEmulator;
import io.batchline.offline.sfn.StepFunctionsConfig;
import io.batchline.offline.sfn.StepFunctionsEmulator;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The one place the integration tests get their AWS endpoints from: the offline emulators (default) or LocalStack
 * through Testcontainers ({@code -Dbatchline.stack=localstack}). The tests are the same classes on both; only
 * what {@link #s3()}, {@link #dynamo()}, {@link #sqs()} and {@link #stepFunctions()} return differs.
 *
 * <p>Offline, every call starts a fresh emulator that its {@link AwsEndpoint#close()} stops. On LocalStack one
 * container serves the whole test JVM, so fixtures start from {@link #freshBucket} / {@link #freshTable}, which
 * give the same empty state on both stacks.
 */
public final class TestStack {
    /** Surefire runs in the module directory, where the build installed node_modules (dynalite). */
    private static final Path NODE_MODULES = Path.of("node_modules").toAbsolutePath();
    private static Boolean dockerAvailable;
    private static LocalStackContainer container;

    private TestStack() {}

    /** This JVM's selection; an unknown -Dbatchline.stack value throws, naming the valid ones, on every call. */
    public static StackSelection selection() {
        return StackSelection.current();
    }

    /**
     * Stops the run at once when LocalStack was asked for and no Docker engine answers, instead of letting every
     * test fail (or skip) on its own. Called before every test class by {@link StackCheckExtension}.
     */
    public static void requireUsable() {
        requireUsable(selection(), TestStack::dockerAvailable);
    }

    static void requireUsable(StackSelection selection, BooleanSupplier dockerAvailable) {
        if (selection.isLocalStack() && !dockerAvailable.getAsBoolean()) {
            throw new IllegalStateException(noDockerMessage(selection));
        }
    }

    static String noDockerMessage(StackSelection selection) {
        String host = System.getenv("DOCKER_HOST");
        return "-D" + StackSelection.PROPERTY + "=localstack needs a Docker engine for " + selection
                + ", and Testcontainers found none (DOCKER_HOST=" + (host == null ? "unset" : host)
                + ", and no answer on the default socket). Start Docker (or point DOCKER_HOST at one), or run the "
                + "tests without -D" + StackSelection.PROPERTY + " on the offline stack, which needs no Docker.";
    }

    /** Asked once per JVM: Testcontainers tries its strategies (DOCKER_HOST, the socket, docker contexts). */
    private static synchronized boolean dockerAvailable() {
        if (dockerAvailable == null) dockerAvailable = DockerClientFactory.instance().isDockerAvailable();
        return dockerAvailable;
    }

    public static AwsEndpoint s3() throws Exception {
        if (selection().isLocalStack()) return fromContainer("s3");
        S3Emulator s3 = S3Emulator.start(0, null);
        return offline("s3", s3.endpoint(), s3);
    }

    public static AwsEndpoint dynamo() throws Exception {
        if (selection().isLocalStack()) return fromContainer("dynamodb");
        DynamoEmulator dynamo = DynamoEmulator.start(NODE_MODULES, 0, null);
        return offline("dynamodb", dynamo.endpoint(), dynamo);
    }

    public static AwsEndpoint sqs() throws Exception {
        if (selection().isLocalStack()) return fromContainer("sqs");
        SqsEmulator sqs = SqsEmulator.start(0);
        return offline("sqs", sqs.endpoint(), sqs);
    }

    /**
     * Step Functions for state machines without Lambda tasks: the offline stack's Lambda host and LocalStack's
     * Lambda are different services, so tests that run functions stay on the offline stack (see OfflineStackOnly).
     */
    public static AwsEndpoint stepFunctions() throws Exception {
        if (selection().isLocalStack()) return fromContainer("sfn");
        // no Lambda behind it: a Task state would fail to connect, as it should in a test that declares none
        StepFunctionsEmulator sfn = StepFunctionsEmulator.start(StepFunctionsConfig.of(NODE_MODULES,
                URI.create("http://127.0.0.1:9")));
        return offline("sfn", sfn.endpoint(), sfn);
    }

    private static AwsEndpoint offline(String service, URI endpoint, AutoCloseable emulator) {
        // the emulators run without authentication; the SDK still signs, so any static keys do
        return new AwsEndpoint(service, endpoint, AwsClientsForLocal.REGION.id(), "local", "local", emulator);
    }

    private static AwsEndpoint fromContainer(String service) {
        LocalStackContainer c = started();
        return new AwsEndpoint(service, c.getEndpoint(), c.getRegion(), c.getAccessKey(), c.getSecretKey(), null);
    }

    /** How the LocalStack container is made; built without Docker (the unit test looks at it). */
    record ContainerSetup(DockerImageName image, List<String> services, Map<String, String> env,
                          Duration startupTimeout) {
        /** Testcontainers asks Docker for its socket path right in the constructor, so only with an engine. */
        LocalStackContainer container() {
            return new LocalStackContainer(image).withServices(services.toArray(String[]::new)).withEnv(env)
                    .withStartupTimeout(startupTimeout);
        }
    }

    static ContainerSetup containerSetup(StackSelection selection) {
        if (!selection.isLocalStack()) throw new IllegalArgumentException("not a LocalStack selection: " + selection);
        // compatible substitute: a mirror's or pro image name from LOCALSTACK_IMAGE passes Testcontainers' name check
        DockerImageName image =
                DockerImageName.parse(selection.image()).asCompatibleSubstituteFor("localstack/localstack");
        return new ContainerSetup(image, StackSelection.SERVICES, selection.containerEnv(), Duration.ofMinutes(3));
    }

    private static synchronized LocalStackContainer started() {
        if (container == null) {
            requireUsable();
            LocalStackContainer c = containerSetup(selection()).container();
            c.start();
            // Testcontainers' reaper removes it too; this stops it as soon as the test JVM ends
            Runtime.getRuntime().addShutdownHook(new Thread(c::stop, "localstack-stop"));
            container = c;
        }
        return container;
    }

    /** An empty bucket of that name: created, or emptied when it exists (a shared LocalStack). */
    public static void freshBucket(S3Client s3, String bucket) {
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException absent) {
            s3.createBucket(b -> b.bucket(bucket));
            return;
        }
        for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket))) {
            List<ObjectIdentifier> keys = page.contents().stream()
                    .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            if (!keys.isEmpty()) s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(keys).quiet(true)));
        }
    }

    /** An empty table of that name with the project's key schema: an existing one is deleted first. */
    public static void freshTable(DynamoDbClient dynamo, String table) {
        try {
            dynamo.deleteTable(b -> b.tableName(table));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    dynamo.describeTable(b -> b.tableName(table));
                } catch (ResourceNotFoundException gone) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("table " + table + " was not deleted within 30 s");
                }
                Thread.sleep(50);
            }
        } catch (ResourceNotFoundException absent) {
            // nothing to delete
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while deleting table " + table, e);
        }
        DynamoEmulator.ensureTable(dynamo, table);
    }

    /** A new standard queue; the name gets a unique suffix so tests never share one on a shared LocalStack. */
    public static String newQueue(SqsClient sqs, String name, Duration visibilityTimeout) {
        String unique = name + "-" + Long.toHexString(System.nanoTime());
        return sqs.createQueue(b -> b.queueName(unique).attributes(Map.of(
                QueueAttributeName.VISIBILITY_TIMEOUT, Long.toString(visibilityTimeout.toSeconds())))).queueUrl();
    }
}
