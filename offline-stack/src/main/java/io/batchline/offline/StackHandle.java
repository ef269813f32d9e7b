package io.batchline.offline;

import io.batchline.json.Json;
import io.batchline.offline.lambda.StageFunctionHost;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** The stack a command uses: the one `local up` keeps (found through its stack.json), or one of its own. */
final class StackHandle implements AutoCloseable {
    static final Path DEFAULT_STATE = Path.of(".batchline-state");
    private final OfflineStack owned;
    private final OfflineStack.Endpoints endpoints;

    private StackHandle(OfflineStack owned, OfflineStack.Endpoints endpoints) {
        this.owned = owned;
        this.endpoints = endpoints;
    }

    static Path home() {
        return io.batchline.cli.Cli.home();
    }

    static StackHandle attachOrStart(Path stateDir, PrintStream out) throws Exception {
        Path dir = stateDir != null ? stateDir : DEFAULT_STATE;
        OfflineStack.Endpoints running = StackFile.readLive(dir);
        if (running != null) {
            out.println("batchline: using the stack `local up` keeps (" + dir.resolve(StackFile.NAME) + ")");
            return new StackHandle(null, running);
        }
        Instant t0 = Instant.now();
        out.println("batchline: starting the offline stack (S3, SQS, DynamoDB, Lambda, Step Functions, Anthropic"
                + " simulator)" + (stateDir == null ? "" : ", state in " + stateDir));
        OfflineStack.Options options = OfflineStack.Options.forRun(home(), stateDir);
        StageFunctionHost stageFunctions = StageFunctionHost.fromSystemProperty();
        if (stageFunctions != null) options = options.withStageFunctions(stageFunctions);
        OfflineStack stack = OfflineStack.start(options);
        out.printf("batchline: stack up in %.1f s%n", Duration.between(t0, Instant.now()).toMillis() / 1000.0);
        return new StackHandle(stack, stack.endpoints());
    }

    OfflineStack.Endpoints endpoints() {
        return endpoints;
    }

    String logDir() {
        return endpoints.logDir();
    }

    @Override
    public void close() {
        if (owned != null) owned.close();
    }

    /** stack.json: how `local run` finds the stack `local up` keeps. */
    static final class StackFile {
        static final String NAME = "stack.json";

        record Content(long pid, OfflineStack.Endpoints endpoints) {}

        static void write(Path dir, OfflineStack.Endpoints endpoints) throws java.io.IOException {
            Files.createDirectories(dir);
            Files.write(dir.resolve(NAME), Json.bytes(new Content(ProcessHandle.current().pid(), endpoints)));
        }

        static OfflineStack.Endpoints readLive(Path dir) {
            Path file = dir.resolve(NAME);
            if (!Files.isRegularFile(file)) return null;
            try {
                Content c = Json.read(Files.readAllBytes(file), Content.class);
                boolean alive = ProcessHandle.of(c.pid()).map(ProcessHandle::isAlive).orElse(false);
                return alive ? c.endpoints() : null;
            } catch (Exception stale) {
                return null;
            }
        }
    }
}
