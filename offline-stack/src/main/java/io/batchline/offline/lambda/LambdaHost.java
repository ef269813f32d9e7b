package io.batchline.offline.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.batchline.offline.LocalHttpServers;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Lambda service of the local stack: the Invoke API ({@code POST /2015-03-31/functions/{name}/invocations})
 * in front of packaged functions run under AWS's runtime interface client ({@link #registerProcessFunction})
 * and in-JVM fakes ({@link #registerLocalFunction}). Function names may be given as names or full ARNs.
 */
public final class LambdaHost implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "000000000000";
    private static final Logger LOG = Logger.getLogger(LambdaHost.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "/2015-03-31/functions/";
    /** Every child JVM of every host, for the shutdown hook. */
    private static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> CHILDREN.forEach(Process::destroyForcibly),
            "batchline-lambda-children-reaper"));
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, LocalFunction> localFunctions = new ConcurrentHashMap<>();
    private final Map<String, ProcessFunction> processFunctions = new ConcurrentHashMap<>();

    private LambdaHost(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Starts the Invoke API on 127.0.0.1:{@code invokePort} (0 = a free port). */
    public static LambdaHost start(int invokePort) {
        ExecutorService threads = Executors.newCachedThreadPool(daemonThreads("batchline-lambda"));
        try {
            HttpServer server = LocalHttpServers.bind(invokePort, 64);
            // a pool, not the default single thread: Map states invoke concurrently
            server.setExecutor(threads);
            LambdaHost host = new LambdaHost(server, threads);
            server.createContext(PREFIX, host::handleInvoke);
            server.start();
            return host;
        } catch (IOException e) {
            threads.shutdownNow();
            throw new UncheckedIOException("cannot start the Lambda Invoke API on port " + invokePort, e);
        }
    }

    public URI invokeEndpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public static String functionArn(String name) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + name;
    }

    public void registerLocalFunction(String name, LocalFunction fn) {
        checkFree(name);
        localFunctions.put(name, fn);
    }

    /** Registers a packaged function; its process starts on the first invoke and stays warm. */
    public void registerProcessFunction(String name, ProcessFunctionSpec spec) {
        checkFree(name);
        try {
            processFunctions.put(name, new ProcessFunction(name, spec, threads));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare function " + name, e);
        }
    }

    /** Where the child output of a process function goes. */
    public Path logFile(String name) {
        ProcessFunction f = processFunctions.get(name);
        if (f == null) throw new IllegalArgumentException("no process function " + name);
        return f.logFile();
    }

    /** The last lines a process function printed. */
    public List<String> logTail(String name) {
        ProcessFunction f = processFunctions.get(name);
        if (f == null) throw new IllegalArgumentException("no process function " + name);
        return f.logTail();
    }

    private void checkFree(String name) {
        if (!name.matches("[a-zA-Z0-9_-]{1,64}")) throw new IllegalArgumentException("invalid function name " + name);
        if (localFunctions.containsKey(name) || processFunctions.containsKey(name)) {
            throw new IllegalStateException("function " + name + " is already registered");
        }
    }

    /**
     * The classpath of AWS's runtime interface client and what it needs at run time (aws-lambda-java-core,
     * aws-lambda-java-serialization, utils-lite), located from this JVM's own classpath.
     */
    public static List<Path> runtimeInterfaceClientClasspath() {
        Set<Path> jars = new LinkedHashSet<>();
        for (String cls : List.of(
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                "com.amazonaws.services.lambda.runtime.Context",
                "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
                "software.amazon.awssdk.utilslite.SdkInternalThreadLocal")) {
            jars.add(codeSource(cls));
        }
        return new ArrayList<>(jars);
    }

    /** Where a class on this JVM's classpath was loaded from (a jar or a classes directory). */
    public static Path codeSource(String className) {
        try {
            Class<?> c = Class.forName(className, false, LambdaHost.class.getClassLoader());
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) throw new IllegalStateException("no code source for " + className);
            return Path.of(cs.getLocation().toURI());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(className + " is not on the classpath: is the RIC dependency missing?", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("odd code source for " + className, e);
        }
    }

    private void handleInvoke(HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            if (!ex.getRequestMethod().equals("POST") || !raw.endsWith("/invocations")) {
                sendError(ex, 404, "UnknownOperationException", "unsupported: " + ex.getRequestMethod() + " " + raw);
                return;
            }
            String ref = URLDecoder.decode(raw.substring(PREFIX.length(), raw.length() - "/invocations".length()),
                StandardCharsets.UTF_8);
            String name = functionName(ref);
            byte[] payload = ex.getRequestBody().readAllBytes();
            String invocationType = ex.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
            LocalFunction local = localFunctions.get(name);
            ProcessFunction process = processFunctions.get(name);
            if (local == null && process == null) {
                sendError(ex, 404, "ResourceNotFoundException", "Function not found: " + functionArn(name));
                return;
            }
            if ("DryRun".equals(invocationType)) {
                ex.sendResponseHeaders(204, -1);
                return;
            }
            if ("Event".equals(invocationType)) {
                threads.execute(() -> {
                    try {
                        run(name, local, process, payload);
                    } catch (Exception e) {
                        LOG.log(Level.WARNING, "async invoke of " + name + " failed", e);
                    }
                });
                ex.sendResponseHeaders(202, -1);
                return;
            }
            InvokeResult result;
            try {
                result = run(name, local, process, payload);
            } catch (ProcessFunction.ThrottledException e) {
                sendError(ex, 429, "TooManyRequestsException", e.getMessage());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sendError(ex, 500, "ServiceException", "interrupted");
                return;
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "invoke of " + name + " failed", e);
                sendError(ex, 500, "ServiceException", String.valueOf(e));
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("X-Amz-Executed-Version", "$LATEST");
            if (result.functionError()) ex.getResponseHeaders().add("X-Amz-Function-Error", "Unhandled");
            ex.sendResponseHeaders(200, result.body().length == 0 ? -1 : result.body().length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(result.body());
            }
        }
    }

    private InvokeResult run(String name, LocalFunction local, ProcessFunction process, byte[] payload)
            throws IOException, InterruptedException {
        if (process != null) return process.invoke(payload);
        try {
            byte[] out = local.invoke(payload);
            return InvokeResult.success(out == null ? "null".getBytes(StandardCharsets.UTF_8) : out);
        } catch (FunctionError e) {
            return InvokeResult.error(e.errorType(), e.getMessage());
        } catch (RuntimeException e) {
            // an unexpected exception in a fake is still a function error, as the RIC would report it
            return InvokeResult.error(e.getClass().getName(), String.valueOf(e.getMessage()));
        }
    }

    /** "name", "name:qualifier", "arn:aws:lambda:region:account:function:name[:qualifier]" -> name. */
    static String functionName(String ref) {
        String s = ref;
        int fn = s.indexOf(":function:");
        if (s.startsWith("arn:") && fn >= 0) s = s.substring(fn + ":function:".length());
        int colon = s.indexOf(':');
        return colon >= 0 ? s.substring(0, colon) : s;
    }

    private static void sendError(HttpExchange ex, int status, String type, String message) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("__type", type);
        n.put("Type", "User");
        n.put("message", message);
        byte[] b = JSON.writeValueAsBytes(n);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.getResponseHeaders().add("x-amzn-ErrorType", type);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    static void track(Process p) {
        CHILDREN.add(p);
    }

    static void untrack(Process p) {
        CHILDREN.remove(p);
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Kills every child process and stops the servers. */
    @Override
    public void close() {
        processFunctions.values().forEach(ProcessFunction::stop); // all at once: recording JVMs write in parallel
        processFunctions.values().forEach(ProcessFunction::awaitStopped);
        server.stop(0);
        threads.shutdownNow();
    }
}
