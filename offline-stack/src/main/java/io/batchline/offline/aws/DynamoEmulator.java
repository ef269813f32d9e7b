package io.batchline.offline.aws;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * DynamoDB for the local stack: dynalite (npm) in a child process of this JVM, run by the Node binary in
 * the given node_modules (node_modules/node/bin/node). The child script ships as the classpath resource
 * {@code io/batchline/offline/aws/dynalite-child.cjs}, is copied to a temp file (so a packaged jar works)
 * and loads dynalite from the node_modules dir the caller passes. The child exits when its stdin closes,
 * so it cannot outlive this JVM; a shutdown hook also destroys it.
 *
 * <p>Not supported by dynalite: transactions, TTL expiry, PartiQL (see local-stack.md).
 */
public final class DynamoEmulator implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DynamoEmulator.class.getName());
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final String SCRIPT_RESOURCE = "dynalite-child.cjs";
    private static final String EXITED = "\u0000exited";

    private final Process process;
    private final URI endpoint;
    private final Path script;
    private final Thread shutdownHook;

    private DynamoEmulator(Process process, URI endpoint, Path script, Thread shutdownHook) {
        this.process = process;
        this.endpoint = endpoint;
        this.script = script;
        this.shutdownHook = shutdownHook;
    }

    /**
     * @param nodeModulesDir the project's installed node_modules (offline-stack/node_modules), holding dynalite and node
     * @param port           0 for a free port (the child reports the one it bound)
     * @param stateDirOrNull null = in memory; a directory = tables persist across restarts (LevelDB)
     */
    public static DynamoEmulator start(Path nodeModulesDir, int port, Path stateDirOrNull) throws IOException {
        Path node = nodeModulesDir.resolve("node/bin/node");
        if (!Files.isExecutable(node)) {
            throw new IllegalStateException("no Node binary at " + node + " (run `npm ci` in local/)");
        }
        if (!Files.isDirectory(nodeModulesDir.resolve("dynalite"))) {
            throw new IllegalStateException("dynalite is not installed in " + nodeModulesDir + " (run `npm ci` in local/)");
        }
        Path script = copyScript();
        try {
            return launch(node, script, nodeModulesDir, port, stateDirOrNull);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(script);
            throw e;
        }
    }

    private static DynamoEmulator launch(Path node, Path script, Path nodeModulesDir, int port, Path stateDirOrNull)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(node.toString(), script.toString(),
                nodeModulesDir.toAbsolutePath().toString(), Integer.toString(port)));
        if (stateDirOrNull != null) {
            Files.createDirectories(stateDirOrNull);
            command.add(stateDirOrNull.toAbsolutePath().toString());
        }
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE).start();
        Thread hook = new Thread(process::destroyForcibly, "dynalite-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        List<String> stderrTail = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread stderr = drain(process.getErrorStream(), "dynalite-stderr", line -> {
            LOG.log(System.Logger.Level.WARNING, "dynalite: " + line);
            if (stderrTail.size() < 50) {
                stderrTail.add(line);
            }
        });
        BlockingQueue<String> ready = new ArrayBlockingQueue<>(1);
        drain(process.getInputStream(), "dynalite-stdout", line -> {
            if (line.startsWith("READY ")) {
                ready.offer(line.substring("READY ".length()).trim());
            } else {
                LOG.log(System.Logger.Level.DEBUG, "dynalite: " + line);
            }
        });
        // an early exit (port taken, broken install) ends the wait at once instead of after the timeout
        process.onExit().thenRun(() -> ready.offer(EXITED));
        String boundPort;
        try {
            boundPort = ready.poll(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (boundPort == null || boundPort.equals(EXITED)) {
                boolean exited = !process.isAlive();
                stopProcess(process, hook);
                stderr.join(2_000); // let the last lines of the child's error arrive for the message
                throw new IOException("dynalite did not report READY"
                        + (exited ? " (exited with " + process.exitValue() + ")" : " within " + START_TIMEOUT)
                        + "; stderr: " + stderrTail);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopProcess(process, hook);
            throw new IOException("interrupted while starting dynalite", e);
        }
        return new DynamoEmulator(process, URI.create("http://127.0.0.1:" + boundPort), script, hook);
    }

    public URI endpoint() {
        return endpoint;
    }

    /** The child process (for diagnostics and tests). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    /**
     * Creates the project's single table if absent: pk (S, HASH), sk (S, RANGE), on-demand; waits until ACTIVE.
     */
    public static void ensureTable(DynamoDbClient dynamo, String tableName) {
        try {
            dynamo.describeTable(b -> b.tableName(tableName));
        } catch (ResourceNotFoundException absent) {
            try {
                dynamo.createTable(b -> b.tableName(tableName)
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .attributeDefinitions(
                                AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                                AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.S).build())
                        .keySchema(
                                KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                                KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build()));
            } catch (ResourceInUseException createdConcurrently) {
                // another caller created it between describe and create: fine, wait for ACTIVE below
                LOG.log(System.Logger.Level.DEBUG, "table " + tableName + " created concurrently");
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (dynamo.describeTable(b -> b.tableName(tableName)).table().tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("table " + tableName + " did not become ACTIVE within 30 s");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for table " + tableName, e);
            }
        }
    }

    /** Closes the child's stdin (it exits on its own), waits, and kills it if it does not. */
    @Override
    public void close() {
        try {
            stopProcess(process, shutdownHook);
        } finally {
            try {
                Files.deleteIfExists(script);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not delete " + script, e);
            }
        }
    }

    private static void stopProcess(Process process, Thread hook) {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("dynalite child " + process.pid() + " did not exit");
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new UncheckedIOException("closing dynalite's stdin", e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting; the hook runs (harmlessly) on a dead process
                LOG.log(System.Logger.Level.DEBUG, "JVM shutting down, hook left in place");
            }
        }
    }

    private static Path copyScript() throws IOException {
        Path tmp = Files.createTempFile("batchline-dynalite-", ".cjs");
        tmp.toFile().deleteOnExit();
        try (InputStream in = DynamoEmulator.class.getResourceAsStream(SCRIPT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource missing: io/batchline/offline/aws/" + SCRIPT_RESOURCE);
            }
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        return tmp;
    }

    private static Thread drain(InputStream stream, String name, java.util.function.Consumer<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.accept(line);
                }
            } catch (IOException e) {
                // the pipe breaks when the child is killed; nothing left to read
                LOG.log(System.Logger.Level.DEBUG, name + " closed: " + e.getMessage());
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
