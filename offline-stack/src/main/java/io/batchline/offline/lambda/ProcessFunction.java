package io.batchline.offline.lambda;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.batchline.offline.LocalHttpServers;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/** A packaged function run under AWS's runtime interface client, one child JVM per execution environment. */
final class ProcessFunction implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ProcessFunction.class.getName());
    private static final String RIC_MAIN = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    private static final String JNI_PROPERTY =
            "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    /** Lambda's init phase limit for on-demand functions. */
    private static final long INIT_LIMIT_MS = 10_000;
    /** How long an invoke waits for a free execution environment before Lambda-style throttling. */
    private static final long QUEUE_LIMIT_MS = 900_000;
    private static final int LOG_TAIL_LINES = 40;

    private final String name;
    private final ProcessFunctionSpec spec;
    private final Path logFile;
    private final ExecutorService threads;
    private final Semaphore permits;
    private final Deque<Instance> idle = new ArrayDeque<>();
    private final List<Instance> all = new ArrayList<>();
    private final Deque<String> logTail = new ArrayDeque<>();
    /** Where this function's JVMs find (or the first one records) the classes they load; null when off. */
    private final ClassDataArchive classData;
    private boolean recordingClassData;
    /** Whether a recording JVM was already ended after its first invocation (once per function and host). */
    private boolean recordingEnded;
    private volatile boolean closed;

    ProcessFunction(String name, ProcessFunctionSpec spec, ExecutorService threads) throws IOException {
        this.name = name;
        this.spec = spec;
        this.threads = threads;
        this.permits = new Semaphore(spec.maxConcurrency(), true);
        this.logFile = spec.logFile() != null ? spec.logFile() : Files.createTempFile("batchline-" + name + "-", ".log");
        if (logFile.getParent() != null) Files.createDirectories(logFile.getParent());
        this.classData = ClassDataArchive.forFunction(name, classpath(), spec.handler());
    }

    /** The function's own classpath, then AWS's runtime interface client that runs it. */
    private List<Path> classpath() {
        List<Path> cp = new ArrayList<>(spec.classpath());
        cp.addAll(LambdaHost.runtimeInterfaceClientClasspath());
        return cp;
    }

    /** The class-data option for an environment's starting JVM, or null; marks the one that records. */
    private synchronized String classDataOption(Instance starting) {
        if (classData == null) return null;
        if (classData.ready()) return classData.jvmOption();
        if (recordingClassData && !starting.recordsClassData) return null; // one recorder per function
        recordingClassData = true;
        starting.recordsClassData = true;
        return classData.jvmOption();
    }

    Path logFile() {
        return logFile;
    }

    /** Last lines the function printed (all instances), for error messages. */
    List<String> logTail() {
        synchronized (logTail) {
            return List.copyOf(logTail);
        }
    }

    InvokeResult invoke(byte[] payload) throws InterruptedException, IOException {
        if (!permits.tryAcquire(QUEUE_LIMIT_MS, TimeUnit.MILLISECONDS)) {
            throw new ThrottledException("Rate Exceeded: no free execution environment for " + name);
        }
        Instance instance = null;
        try {
            synchronized (this) {
                if (closed) throw new IOException("LambdaHost closed");
                instance = idle.pollFirst();
                if (instance == null) {
                    instance = new Instance(all.size());
                    all.add(instance);
                }
            }
            return instance.invoke(payload);
        } finally {
            if (instance == null) {
                permits.release();
            } else if (endsRecordingNow(instance)) {
                // the JVM recording the function's class-data archive ends after its first invocation (Lambda may
                // recycle an environment at any time), so every later JVM of this function, here and in other
                // stacks, starts from the archive instead of waiting for this stack to stop (the test suite's choice)
                Instance recorded = instance;
                try {
                    threads.execute(() -> {
                        recorded.endRecording();
                        synchronized (this) {
                            recordingClassData = false;
                        }
                        backToPool(recorded);
                    });
                } catch (java.util.concurrent.RejectedExecutionException hostStopping) {
                    backToPool(recorded);
                }
            } else {
                backToPool(instance);
            }
        }
    }

    /** True once per function: when the instance's JVM is the one recording the archive and is still up. */
    private boolean endsRecordingNow(Instance instance) {
        // the instance's lock first, as its JVM's start takes the two in that order
        if (!ClassDataArchive.publishEarly() || !instance.recordingJvmRunning()) return false;
        synchronized (this) {
            if (recordingEnded) return false;
            recordingEnded = true;
            return true;
        }
    }

    private void backToPool(Instance instance) {
        synchronized (this) {
            idle.addFirst(instance); // warmest first, as Lambda reuses warm environments
        }
        permits.release();
    }

    @Override
    public void close() {
        stop();
        awaitStopped();
    }

    /**
     * Asks every environment's JVM to end (a recording one in order, so it can write its class-data archive; the
     * others at once) without waiting, so a host ends all its functions' JVMs together.
     */
    void stop() {
        List<Instance> copy;
        synchronized (this) {
            closed = true;
            copy = List.copyOf(all);
        }
        copy.forEach(Instance::stop);
    }

    /** After {@link #stop()}: waits for the JVMs to end and publishes what a recording one wrote. */
    void awaitStopped() {
        List<Instance> copy;
        synchronized (this) {
            copy = List.copyOf(all);
        }
        copy.forEach(Instance::awaitStopped);
    }

    private void appendLog(String line) {
        synchronized (logTail) {
            if (logTail.size() == LOG_TAIL_LINES) logTail.removeFirst();
            logTail.addLast(line);
        }
    }

    private String tailForMessage() {
        List<String> tail = logTail();
        if (tail.isEmpty()) return "";
        List<String> last = tail.subList(Math.max(0, tail.size() - 10), tail.size());
        return " (last output of " + name + ", full log " + logFile + ":\n" + String.join("\n", last) + ")";
    }

    static final class ThrottledException extends IOException {
        ThrottledException(String m) {
            super(m);
        }
    }

    private static final Invocation POISON = new Invocation(new byte[0]);

    private static final class Invocation {
        final String id = UUID.randomUUID().toString();
        final byte[] payload;
        final CompletableFuture<Long> pickedUp = new CompletableFuture<>();
        final CompletableFuture<InvokeResult> result = new CompletableFuture<>();
        volatile long deadlineMs;

        Invocation(byte[] payload) {
            this.payload = payload;
        }
    }

    /** One execution environment: a Runtime API endpoint and (lazily) the child JVM polling it. */
    private final class Instance {
        private final int index;
        /** Events for the current process; replaced (and the old one poisoned) on every (re)start. */
        private volatile BlockingQueue<Invocation> next = new LinkedBlockingQueue<>();
        private HttpServer runtimeApi;
        private Process process;
        private volatile Invocation current;
        private volatile byte[] initError;
        /** When the current process was started; 0 once its init was reported (its first /next). */
        private volatile long startedAtNanos;
        /** True when this environment's JVM records the function's class-data archive as it ends. */
        private boolean recordsClassData;

        Instance(int index) {
            this.index = index;
        }

        InvokeResult invoke(byte[] payload) throws IOException, InterruptedException {
            boolean cold = ensureRunning();
            Invocation inv = new Invocation(payload);
            current = inv;
            next.add(inv);
            long timeoutMs = spec.timeout().toMillis();
            try {
                try {
                    inv.pickedUp.get(cold ? Math.max(INIT_LIMIT_MS, timeoutMs) : timeoutMs, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (!inv.result.isDone()) {
                        kill();
                        return InvokeResult.error("Sandbox.Timedout", "RequestId: " + inv.id + " Error: Task timed out after "
                            + seconds(timeoutMs) + " seconds" + (cold ? " (init did not complete)" : "") + tailForMessage());
                    }
                }
                long remaining = Math.max(1, inv.deadlineMs == 0 ? timeoutMs : inv.deadlineMs - System.currentTimeMillis());
                try {
                    return inv.result.get(remaining, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    kill(); // as Lambda does: the environment is discarded, the next invoke starts cold
                    return InvokeResult.error("Sandbox.Timedout",
                        "RequestId: " + inv.id + " Error: Task timed out after " + seconds(timeoutMs) + " seconds");
                }
            } catch (ExecutionException e) {
                throw new IOException("invoke of " + name + " failed", e.getCause());
            } finally {
                current = null;
                next.remove(inv);
            }
        }

        private String seconds(long ms) {
            return String.format(java.util.Locale.ROOT, "%.2f", ms / 1000.0);
        }

        /** @return true if the process was (re)started: a cold start */
        private synchronized boolean ensureRunning() throws IOException {
            if (runtimeApi == null) startRuntimeApi();
            if (process != null && process.isAlive()) return false;
            next.offer(POISON); // releases a /next long poll of a previous process
            BlockingQueue<Invocation> queue = new LinkedBlockingQueue<>();
            next = queue;
            initError = null;
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-XX:TieredStopAtLevel=1"); // measured: ~0.9 s cold start instead of 1.1-1.3 s
            cmd.add("-XX:+UseSerialGC");
            cmd.add("-Xshare:auto");
            String classDataOption = classDataOption(this);
            if (classDataOption != null) {
                // the JVM's own notes on the archive (a recording one lists, as it exits, the classes CDS cannot
                // keep) would be lines of the function's JSON log that a Lambda log never has
                cmd.add("-Xlog:cds*=off");
                cmd.add(classDataOption);
            }
            cmd.add("-Xmx" + Math.max(64, spec.memoryMb() * 85 / 100) + "m");
            // the runtime client otherwise unpacks its JNI library to one fixed /tmp path; concurrent cold starts
            // (Map iterations, parallel stacks) then load a half-written file and die with SIGBUS
            cmd.add("-D" + JNI_PROPERTY + "=" + RicNativeLibrary.path());
            // locally, no pooled HTTP connections: HttpURLConnection reusing a connection the emulator is closing
            // fails requests the server already handled, and the SDK's retry then repeats them
            cmd.add("-Dhttp.keepAlive=false");
            cmd.add("-cp");
            cmd.add(classpath().stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)));
            cmd.add(RIC_MAIN);
            cmd.add(spec.handler());
            ProcessBuilder pb = new ProcessBuilder(cmd);
            Path taskRoot = Files.createTempDirectory("batchline-task-" + name);
            pb.directory(taskRoot.toFile()); // the RIC loads extra jars from its working dir (LAMBDA_TASK_ROOT): keep it empty
            Map<String, String> env = pb.environment();
            String path = env.get("PATH");
            env.clear(); // a Lambda environment, not the developer's shell
            if (path != null) env.put("PATH", path);
            env.put("LANG", "en_US.UTF-8");
            env.put("TZ", ":UTC");
            env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
            env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApi.getAddress().getPort());
            env.put("AWS_LAMBDA_FUNCTION_NAME", name);
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(spec.memoryMb()));
            env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + name);
            env.put("AWS_LAMBDA_LOG_STREAM_NAME", "local/" + index);
            env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand");
            env.put("AWS_EXECUTION_ENV", "AWS_Lambda_java17");
            env.put("AWS_REGION", LambdaHost.REGION);
            env.put("AWS_DEFAULT_REGION", LambdaHost.REGION);
            env.put("_HANDLER", spec.handler());
            env.putAll(spec.env());
            pb.redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.PIPE);
            startedAtNanos = System.nanoTime();
            Process p = pb.start();
            process = p;
            LambdaHost.track(p);
            threads.execute(() -> pumpOutput(p));
            p.onExit().thenRun(() -> {
                queue.offer(POISON);
                onExit(p);
            });
            return true;
        }

        private void pumpOutput(Process p) {
            try (InputStream in = p.getInputStream();
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                 Writer w = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                String line;
                while ((line = r.readLine()) != null) {
                    appendLog(line);
                    w.write(line);
                    w.write('\n');
                    w.flush();
                }
            } catch (IOException e) {
                if (p.isAlive()) LOG.log(Level.WARNING, "reading output of " + name + " failed", e);
            }
        }

        private void onExit(Process p) {
            LambdaHost.untrack(p);
            Invocation inv = current;
            if (inv == null || inv.result.isDone()) return;
            byte[] init = initError;
            if (init != null) {
                inv.result.complete(new InvokeResult(init, true));
            } else {
                inv.result.complete(InvokeResult.error("Runtime.ExitError", "RequestId: " + inv.id
                    + " Error: Runtime exited with error: exit status " + p.exitValue() + tailForMessage()));
            }
            inv.pickedUp.complete(System.currentTimeMillis());
        }

        private synchronized void kill() {
            if (process != null) {
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private void startRuntimeApi() throws IOException {
            HttpServer s = LocalHttpServers.bind(0, 16);
            s.setExecutor(threads); // /next long-polls: it needs its own thread
            s.createContext("/2018-06-01/runtime/", this::handleRuntimeApi);
            s.start();
            runtimeApi = s;
        }

        private void handleRuntimeApi(HttpExchange ex) throws IOException {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                String method = ex.getRequestMethod();
                byte[] body = ex.getRequestBody().readAllBytes();
                if (method.equals("GET") && path.equals("/2018-06-01/runtime/invocation/next")) {
                    Invocation inv;
                    try {
                        inv = next.take(); // long poll, as the real Runtime API does
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        send(ex, 500, "{\"errorMessage\":\"interrupted\"}");
                        return;
                    }
                    if (inv == POISON) {
                        send(ex, 500, "{\"errorMessage\":\"execution environment shut down\"}");
                        return;
                    }
                    reportInit();
                    long now = System.currentTimeMillis();
                    inv.deadlineMs = now + spec.timeout().toMillis();
                    ex.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", inv.id);
                    ex.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(inv.deadlineMs));
                    ex.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn", LambdaHost.functionArn(name));
                    ex.getResponseHeaders().add("Lambda-Runtime-Trace-Id",
                        "Root=1-" + Long.toHexString(now / 1000) + "-" + inv.id.replace("-", "").substring(0, 24) + ";Sampled=0");
                    ex.getResponseHeaders().add("Content-Type", "application/json");
                    ex.sendResponseHeaders(200, inv.payload.length == 0 ? -1 : inv.payload.length);
                    try (OutputStream os = ex.getResponseBody()) {
                        os.write(inv.payload);
                    }
                    inv.pickedUp.complete(now);
                    return;
                }
                if (method.equals("POST") && path.equals("/2018-06-01/runtime/init/error")) {
                    initError = body; // the process exits next; onExit() answers the pending invoke with it
                    Invocation inv = current;
                    if (inv != null) {
                        inv.result.complete(new InvokeResult(body, true));
                        inv.pickedUp.complete(System.currentTimeMillis());
                    }
                    send(ex, 202, "{\"status\":\"OK\"}");
                    return;
                }
                String prefix = "/2018-06-01/runtime/invocation/";
                if (method.equals("POST") && path.startsWith(prefix)) {
                    String rest = path.substring(prefix.length());
                    int slash = rest.indexOf('/');
                    String id = slash < 0 ? rest : rest.substring(0, slash);
                    String what = slash < 0 ? "" : rest.substring(slash + 1);
                    Invocation inv = current;
                    if (inv == null || !inv.id.equals(id)) {
                        send(ex, 400, "{\"errorMessage\":\"unknown or expired request id " + id + "\",\"errorType\":\"InvalidRequestID\"}");
                        return;
                    }
                    if (what.equals("response")) {
                        inv.result.complete(InvokeResult.success(body));
                    } else if (what.equals("error")) {
                        // passed through exactly as the runtime reported it
                        inv.result.complete(new InvokeResult(body, true));
                    } else {
                        send(ex, 404, "{\"errorMessage\":\"not found\"}");
                        return;
                    }
                    send(ex, 202, "{\"status\":\"OK\"}");
                    return;
                }
                send(ex, 404, "{\"errorMessage\":\"not found: " + method + " " + path + "\"}");
            }
        }

        /**
         * Lambda's init duration (process start to the runtime's first /next) into the function's log, as the
         * platform.initReport record CloudWatch shows, so cold starts can be read off (bench/cold-start.sh).
         */
        private void reportInit() {
            long started = startedAtNanos;
            if (started == 0) return;
            startedAtNanos = 0;
            // Lambda's JSON log format (the functions log JSON), so every line of a function log stays JSON
            String line = String.format(java.util.Locale.ROOT,
                "{\"time\":\"%s\",\"type\":\"platform.initReport\",\"record\":{\"initializationType\":\"on-demand\","
                    + "\"phase\":\"init\",\"status\":\"success\",\"metrics\":{\"durationMs\":%.2f}}}",
                java.time.Instant.now(), (System.nanoTime() - started) / 1e6);
            try {
                Files.writeString(logFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "writing the init report of " + name, e);
            }
        }

        private void send(HttpExchange ex, int status, String json) throws IOException {
            byte[] b = json.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }

        synchronized void stop() {
            next.offer(POISON);
            if (process == null) return;
            // signalled through its handle, which leaves the output open: it is read to its end, not cut off
            if (recordsClassData) {
                process.toHandle().destroy(); // an orderly exit, in which the JVM writes the classes it loaded
            } else {
                process.toHandle().destroyForcibly();
            }
        }

        /** True when this environment's JVM is up and recording the function's class-data archive. */
        synchronized boolean recordingJvmRunning() {
            return recordsClassData && process != null && process.isAlive();
        }

        /**
         * Ends the recording JVM in order (it writes the classes it loaded as it exits) and publishes the archive;
         * the environment's next invoke starts a JVM that maps it.
         */
        synchronized void endRecording() {
            // no poison for its /next, which the runtime would log as a failed poll: the signal alone ends it
            if (process != null) process.toHandle().destroy();
            awaitProcessEnd();
            recordsClassData = false;
        }

        synchronized void awaitStopped() {
            awaitProcessEnd();
            if (runtimeApi != null) runtimeApi.stop(0);
        }

        /** After {@link #stop()}: the JVM ended (a recording one given time to write), what it recorded published. */
        private void awaitProcessEnd() {
            if (process == null) return;
            if (recordsClassData) waitForExit(30);
            process.destroyForcibly();
            waitForExit(10);
            if (recordsClassData) classData.publish();
        }

        private void waitForExit(int seconds) {
            try {
                process.waitFor(seconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
