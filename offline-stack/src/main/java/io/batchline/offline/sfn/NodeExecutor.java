package io.batchline.offline.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Node process ({@code node sfn-runner.mjs}, aws-local-stepfunctions) that runs the executions of one
 * {@link StepFunctionsEmulator}, all of them: starting Node and importing and validating the library cost ~0.8 s
 * of CPU, which a process per execution paid every time. Commands go in on its stdin and each output line names
 * its execution. Started with the first execution; if it dies, the executions it was running fail with its exit
 * code and the tail of its stderr, and the next execution starts a new one.
 */
final class NodeExecutor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NodeExecutor.class.getName());
    private static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CHILDREN.forEach(Process::destroyForcibly),
                "batchline-sfn-children-reaper"));
    }

    /** One process and what it runs: a process that died takes only its own executions with it. */
    private static final class Child {
        final Process process;
        final Writer stdin;
        final Map<String, Running> running = new ConcurrentHashMap<>();
        final Deque<String> stderrTail = new ArrayDeque<>();

        Child(Process process) {
            this.process = process;
            this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }
    }

    private record Running(Execution execution, CompletableFuture<Void> ended) {}

    private final Path nodeBin;
    private final Path runnerScript;
    private final ObjectNode settings;
    private final ExecutorService threads;
    private final Consumer<Duration> waitListener;
    private Child child;
    private volatile boolean closed;

    /**
     * @param settings     the runner's first line: libraryPath, lambdaEndpoint, waitTimeScale, retryIntervalScale
     * @param waitListener told each Wait state's duration as an execution enters it
     */
    NodeExecutor(Path nodeBin, Path runnerScript, ObjectNode settings, ExecutorService threads,
                 Consumer<Duration> waitListener) {
        this.nodeBin = nodeBin;
        this.runnerScript = runnerScript;
        this.settings = settings;
        this.threads = threads;
        this.waitListener = waitListener;
    }

    /** Runs {@code x} from {@code definition} with {@code input}; its events and its end arrive on {@code x}. */
    void start(Execution x, JsonNode definition, JsonNode input, ObjectNode context) {
        ObjectNode command = Execution.JSON.createObjectNode();
        command.put("op", "start");
        command.put("id", x.executionArn);
        command.set("definition", definition);
        command.set("input", input);
        command.set("context", context);
        synchronized (this) {
            try {
                Child c = child();
                c.running.put(x.executionArn, new Running(x, new CompletableFuture<>()));
                send(c, command);
            } catch (IOException e) {
                x.closeExternally("FAILED", "States.Runtime", "cannot start the local executor: " + e);
            }
        }
    }

    /**
     * Aborts the execution's run (its record is already closed) and waits up to 5 s for the runner to confirm, so
     * it starts no further Task after the stop returns.
     */
    void abort(Execution x) {
        Running r;
        synchronized (this) {
            Child c = child;
            r = c == null ? null : c.running.get(x.executionArn);
            if (r == null) return;
            ObjectNode command = Execution.JSON.createObjectNode();
            command.put("op", "abort");
            command.put("id", x.executionArn);
            try {
                send(c, command);
            } catch (IOException e) {
                // the process is gone: it runs nothing any more
                LOG.log(Level.FINE, "executor stdin closed", e);
                return;
            }
        }
        try {
            r.ended().get(5, TimeUnit.SECONDS);
        } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
            LOG.warning("the local executor did not confirm the abort of " + x.executionArn + " within 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Child child() throws IOException {
        if (closed) throw new IOException("the local Step Functions service is closed");
        if (child != null && child.process.isAlive()) return child;
        ProcessBuilder pb = new ProcessBuilder(nodeBin.toString(), runnerScript.toString());
        pb.environment().put("AWS_REGION", StepFunctionsEmulator.REGION);
        pb.environment().put("AWS_ACCESS_KEY_ID", "local");
        pb.environment().put("AWS_SECRET_ACCESS_KEY", "local");
        pb.environment().put("AWS_ENDPOINT_URL_LAMBDA", settings.path("lambdaEndpoint").asText());
        Child c = new Child(pb.start());
        CHILDREN.add(c.process);
        child = c;
        threads.execute(() -> drainStderr(c));
        threads.execute(() -> readEvents(c));
        send(c, settings);
        return c;
    }

    private static void send(Child c, JsonNode line) throws IOException {
        synchronized (c.stdin) {
            c.stdin.write(Execution.JSON.writeValueAsString(line));
            c.stdin.write('\n');
            c.stdin.flush(); // stdin stays open: closing it tells the runner its parent is gone
        }
    }

    private void readEvents(Child c) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(c.process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode n;
                try {
                    n = Execution.JSON.readTree(line);
                } catch (IOException e) {
                    LOG.warning("the local executor printed a non-JSON line: " + line);
                    continue;
                }
                Running running = c.running.get(n.path("id").asText());
                if (running == null) continue;
                Execution x = running.execution();
                try {
                    if ("event".equals(n.path("kind").asText())) {
                        x.onRunnerEvent(n);
                        Duration wait = x.waitEntered(n);
                        if (wait != null) waitListener.accept(wait);
                    } else if ("result".equals(n.path("kind").asText())) {
                        c.running.remove(x.executionArn);
                        x.onResult(n);
                        running.ended().complete(null);
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.SEVERE, "recording " + x.executionArn + " failed", e);
                    x.closeExternally("FAILED", "States.Runtime", "local emulator error: " + e);
                }
            }
        } catch (IOException e) {
            if (!closed) LOG.log(Level.WARNING, "reading the local executor failed", e);
        } finally {
            try {
                if (!c.process.waitFor(10, TimeUnit.SECONDS)) c.process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                c.process.destroyForcibly();
            }
            CHILDREN.remove(c.process);
            // after close() running executions stay RUNNING on disk: a restart marks them ABORTED
            if (!closed) {
                String tail;
                synchronized (c.stderrTail) {
                    tail = String.join("\n", c.stderrTail);
                }
                String cause = "local executor exited with code " + (c.process.isAlive() ? "?" : c.process.exitValue())
                        + (tail.isEmpty() ? "" : ": " + tail);
                for (Running running : c.running.values()) {
                    running.execution().closeExternally("FAILED", "States.Runtime", cause);
                    running.ended().complete(null);
                }
            }
            c.running.clear();
        }
    }

    private static void drainStderr(Child c) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(c.process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String l = line;
                LOG.fine(() -> "sfn-runner: " + l);
                synchronized (c.stderrTail) {
                    if (c.stderrTail.size() == 30) c.stderrTail.removeFirst();
                    c.stderrTail.addLast(line);
                }
            }
        } catch (IOException e) {
            if (c.process.isAlive()) LOG.log(Level.WARNING, "reading the local executor's stderr failed", e);
        }
    }

    /** Ends the process; what it was running stays RUNNING (a restarted emulator marks it ABORTED). */
    @Override
    public void close() {
        Child c;
        synchronized (this) {
            closed = true;
            c = child;
        }
        if (c == null || !c.process.isAlive()) return;
        c.process.destroyForcibly();
        try {
            c.process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
