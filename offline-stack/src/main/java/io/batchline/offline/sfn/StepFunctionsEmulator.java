package io.batchline.offline.sfn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.batchline.offline.LocalHttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The local Step Functions service: the API surface Batchline's functions and operators use, over AWS JSON 1.0
 * ({@code POST /}, {@code X-Amz-Target: AWSStepFunctions.<Operation>}), so the real {@code SfnClient} talks to it.
 * Executions run the unmodified ASL definition in one Node 22 child ({@link NodeExecutor}: {@code node sfn-runner.mjs},
 * aws-local-stepfunctions), whose Lambda Task states call the LambdaHost.
 *
 * <p>The runner script is looked up as: {@link StepFunctionsConfig#runnerScript()}; else the classpath resource
 * {@code /io/batchline/offline/node/sfn-runner.mjs} (copied to a temp file; the script imports the library by
 * absolute path, so its location does not matter); else {@code <nodeModulesDir>/../src/main/node/sfn-runner.mjs}
 * (the source tree).
 *
 * <p>Operations: CreateStateMachine, UpdateStateMachine, DescribeStateMachine, ListStateMachines, StartExecution,
 * DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution. STANDARD semantics only.
 */
public final class StepFunctionsEmulator implements AutoCloseable {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "000000000000";
    private static final Logger LOG = Logger.getLogger(StepFunctionsEmulator.class.getName());
    private static final String SM_PREFIX = "arn:aws:states:" + REGION + ":" + ACCOUNT + ":stateMachine:";
    private static final String EX_PREFIX = "arn:aws:states:" + REGION + ":" + ACCOUNT + ":execution:";
    /** AWS: 1-80 chars; no whitespace, brackets, wildcards, special characters or control characters. */
    private static final Pattern BAD_NAME = Pattern.compile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\x00-\\x1f\\x7f-\\x9f]");

    private record StateMachine(String arn, String name, String definition, JsonNode parsed, long createdMillis) {
    }

    private final StepFunctionsConfig cfg;
    private final HttpServer server;
    private final ExecutorService threads;
    private final NodeExecutor executor;
    private final Map<String, StateMachine> machines = new ConcurrentHashMap<>();
    private final Map<String, Execution> executions = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Told each Wait state's duration as it starts (a simulated clock for compressed-time tests). */
    private volatile java.util.function.Consumer<java.time.Duration> waitListener = d -> { };

    private StepFunctionsEmulator(StepFunctionsConfig cfg) throws IOException {
        this.cfg = cfg;
        Path nm = cfg.nodeModulesDir().toAbsolutePath().normalize();
        Path nodeBin = nm.resolve("node/bin/node");
        Path libraryPath = nm.resolve("aws-local-stepfunctions/build/main.node.esm.js");
        if (!Files.isExecutable(nodeBin)) throw new IllegalStateException("no Node 22 at " + nodeBin + " (run npm ci in offline-stack/)");
        if (!Files.isRegularFile(libraryPath)) throw new IllegalStateException("aws-local-stepfunctions missing: " + libraryPath);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "batchline-sfn-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ObjectNode settings = Execution.JSON.createObjectNode();
        settings.put("libraryPath", libraryPath.toString());
        settings.put("lambdaEndpoint", cfg.lambdaInvokeEndpoint().toString());
        settings.put("waitTimeScale", cfg.waitTimeScale());
        settings.put("retryIntervalScale", cfg.retryIntervalScale());
        this.executor = new NodeExecutor(nodeBin, locateRunner(cfg, nm), settings, threads,
                wait -> waitListener.accept(wait));
        if (cfg.stateDir() != null) load();
        this.server = LocalHttpServers.bind(cfg.port(), 64);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public static StepFunctionsEmulator start(StepFunctionsConfig cfg) {
        try {
            return new StepFunctionsEmulator(cfg);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local Step Functions service", e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public static String stateMachineArn(String name) {
        return SM_PREFIX + name;
    }

    /**
     * Creates the state machine, or replaces its definition if it exists (a restarted local stack picks up an
     * edited ASL file; the wire CreateStateMachine keeps AWS's StateMachineAlreadyExists).
     */
    /** Tells {@code listener} the duration of every Wait state any execution enters, as it enters it. */
    public void onWaitState(java.util.function.Consumer<java.time.Duration> listener) {
        this.waitListener = listener;
    }

    public String createStateMachine(String name, String definitionJson) {
        checkName(name);
        JsonNode parsed = parseDefinition(definitionJson);
        StateMachine sm = new StateMachine(SM_PREFIX + name, name, definitionJson, parsed, System.currentTimeMillis());
        StateMachine old = machines.get(sm.arn());
        if (old != null) sm = new StateMachine(sm.arn(), name, definitionJson, parsed, old.createdMillis());
        machines.put(sm.arn(), sm);
        persist(sm);
        return sm.arn();
    }

    private static Path locateRunner(StepFunctionsConfig cfg, Path nodeModules) throws IOException {
        if (cfg.runnerScript() != null) return cfg.runnerScript().toAbsolutePath();
        try (InputStream in = StepFunctionsEmulator.class.getResourceAsStream("/io/batchline/offline/node/sfn-runner.mjs")) {
            if (in != null) {
                Path tmp = Files.createTempFile("batchline-sfn-runner-", ".mjs");
                tmp.toFile().deleteOnExit();
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                return tmp;
            }
        }
        Path src = nodeModules.getParent().resolve("src/main/node/sfn-runner.mjs");
        if (Files.isRegularFile(src)) return src;
        throw new IllegalStateException("sfn-runner.mjs not found (config, classpath /io/batchline/offline/node/, " + src + ")");
    }

    // ---- wire --------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String target = ex.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] body = ex.getRequestBody().readAllBytes();
            int status = 200;
            JsonNode out;
            try {
                if (!"POST".equals(ex.getRequestMethod()) || target == null || !target.startsWith("AWSStepFunctions.")) {
                    throw new SfnException("UnknownOperationException", "expected POST / with X-Amz-Target: AWSStepFunctions.<Operation>");
                }
                JsonNode req = body.length == 0 ? Execution.JSON.createObjectNode() : Execution.JSON.readTree(body);
                out = dispatch(target.substring("AWSStepFunctions.".length()), req);
            } catch (SfnException e) {
                status = 400;
                out = error(e.type(), e.getMessage());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                status = 400;
                out = error("SerializationException", e.getOriginalMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Step Functions request " + target + " failed", e);
                status = 500;
                out = error("InternalFailure", String.valueOf(e));
            }
            byte[] b = Execution.JSON.writeValueAsBytes(out);
            ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
            ex.getResponseHeaders().add("x-amzn-RequestId", UUID.randomUUID().toString());
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
    }

    private static ObjectNode error(String type, String message) {
        ObjectNode n = Execution.JSON.createObjectNode();
        n.put("__type", type);
        n.put("message", message);
        return n;
    }

    private JsonNode dispatch(String op, JsonNode req) {
        return switch (op) {
            case "CreateStateMachine" -> createStateMachineOp(req, false);
            case "UpdateStateMachine" -> createStateMachineOp(req, true);
            case "DescribeStateMachine" -> describeStateMachine(req);
            case "ListStateMachines" -> listStateMachines(req);
            case "StartExecution" -> startExecution(req);
            case "DescribeExecution" -> execution(req.path("executionArn").asText(null)).describe();
            case "ListExecutions" -> listExecutions(req);
            case "GetExecutionHistory" -> getExecutionHistory(req);
            case "StopExecution" -> stopExecution(req);
            default -> throw new SfnException("UnknownOperationException", "operation " + op + " is not emulated locally");
        };
    }

    private JsonNode createStateMachineOp(JsonNode req, boolean update) {
        String name;
        if (update) {
            StateMachine sm = machine(req.path("stateMachineArn").asText(null));
            name = sm.name();
            String def = req.path("definition").asText(sm.definition());
            createStateMachine(name, def);
            ObjectNode n = Execution.JSON.createObjectNode();
            n.put("updateDate", System.currentTimeMillis() / 1000.0);
            return n;
        }
        name = req.path("name").asText(null);
        if (name == null) throw new SfnException("ValidationException", "name is required");
        String def = req.path("definition").asText(null);
        if (def == null) throw new SfnException("ValidationException", "definition is required");
        if ("EXPRESS".equals(req.path("type").asText("STANDARD"))) {
            throw new SfnException("ValidationException", "only STANDARD state machines are emulated locally");
        }
        StateMachine existing = machines.get(SM_PREFIX + name);
        if (existing != null && !existing.definition().equals(def)) {
            throw new SfnException("StateMachineAlreadyExists", "State Machine Already Exists: '" + existing.arn() + "'");
        }
        String arn = existing != null ? existing.arn() : createStateMachine(name, def);
        ObjectNode n = Execution.JSON.createObjectNode();
        n.put("stateMachineArn", arn);
        n.put("creationDate", machines.get(arn).createdMillis() / 1000.0);
        return n;
    }

    private JsonNode describeStateMachine(JsonNode req) {
        StateMachine sm = machine(req.path("stateMachineArn").asText(null));
        ObjectNode n = Execution.JSON.createObjectNode();
        n.put("stateMachineArn", sm.arn());
        n.put("name", sm.name());
        n.put("status", "ACTIVE");
        n.put("definition", sm.definition());
        n.put("roleArn", "arn:aws:iam::000000000000:role/batchline-local");
        n.put("type", "STANDARD");
        n.put("creationDate", sm.createdMillis() / 1000.0);
        return n;
    }

    private JsonNode listStateMachines(JsonNode req) {
        List<ObjectNode> all = machines.values().stream().sorted(Comparator.comparing(StateMachine::name)).map(sm -> {
            ObjectNode n = Execution.JSON.createObjectNode();
            n.put("stateMachineArn", sm.arn());
            n.put("name", sm.name());
            n.put("type", "STANDARD");
            n.put("creationDate", sm.createdMillis() / 1000.0);
            return n;
        }).toList();
        return page(all, req, "stateMachines", 100);
    }

    private JsonNode startExecution(JsonNode req) {
        StateMachine sm = machine(req.path("stateMachineArn").asText(null));
        String name = req.path("name").asText(UUID.randomUUID().toString());
        checkName(name);
        String input = req.path("input").asText("{}");
        JsonNode parsedInput;
        try {
            parsedInput = Execution.JSON.readTree(input);
        } catch (IOException e) {
            throw new SfnException("InvalidExecutionInput", "Invalid State Machine Execution Input: '" + e.getMessage() + "'");
        }
        if (parsedInput == null) throw new SfnException("InvalidExecutionInput", "Invalid State Machine Execution Input: empty");
        String arn = EX_PREFIX + sm.name() + ":" + name;
        Execution x;
        synchronized (this) {
            if (closed) throw new SfnException("ServiceUnavailable", "the local Step Functions service is closed");
            Execution existing = executions.get(arn);
            if (existing != null) {
                // STANDARD idempotency: same name + same input while running returns the same execution
                if (existing.isRunning() && existing.input.equals(input)) return startResponse(existing);
                throw new SfnException("ExecutionAlreadyExists", "Execution Already Exists: '" + arn + "'");
            }
            x = new Execution(arn, sm.arn(), name, input, System.currentTimeMillis(), sm.parsed(), executionDir(sm.name()));
            executions.put(arn, x);
            x.started();
        }
        launch(x, sm, parsedInput);
        return startResponse(x);
    }

    private static JsonNode startResponse(Execution x) {
        ObjectNode n = Execution.JSON.createObjectNode();
        n.put("executionArn", x.executionArn);
        n.put("startDate", x.startMillis / 1000.0);
        return n;
    }

    private JsonNode listExecutions(JsonNode req) {
        String smArn = req.path("stateMachineArn").asText(null);
        StateMachine sm = machine(smArn);
        String filter = req.path("statusFilter").asText(null);
        List<ObjectNode> all = executions.values().stream()
            .filter(x -> x.stateMachineArn.equals(sm.arn()))
            .filter(x -> filter == null || x.status().equals(filter))
            .sorted(Comparator.comparingLong((Execution x) -> x.startMillis).reversed().thenComparing(x -> x.name))
            .map(Execution::listItem).toList();
        return page(all, req, "executions", 100);
    }

    private JsonNode getExecutionHistory(JsonNode req) {
        Execution x = execution(req.path("executionArn").asText(null));
        List<ObjectNode> events = new ArrayList<>(x.events());
        if (req.path("reverseOrder").asBoolean(false)) java.util.Collections.reverse(events);
        if (!req.path("includeExecutionData").asBoolean(true)) {
            events = events.stream().map(StepFunctionsEmulator::withoutData).toList();
        }
        return page(events, req, "events", 100);
    }

    private static ObjectNode withoutData(ObjectNode ev) {
        ObjectNode copy = ev.deepCopy();
        copy.fields().forEachRemaining(f -> {
            if (f.getValue() instanceof ObjectNode d) {
                d.remove(List.of("input", "output"));
            }
        });
        return copy;
    }

    /** maxResults / nextToken paging over a snapshot; the token is the offset. */
    private static JsonNode page(List<ObjectNode> all, JsonNode req, String field, int defaultMax) {
        int max = req.path("maxResults").asInt(0);
        if (max < 0 || max > 1000) throw new SfnException("ValidationException", "maxResults must be between 0 and 1000");
        if (max == 0) max = defaultMax;
        int from = 0;
        String token = req.path("nextToken").asText(null);
        if (token != null) {
            try {
                from = Integer.parseInt(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new SfnException("InvalidToken", "Invalid Token: '" + token + "'");
            }
            if (from < 0 || from > all.size()) throw new SfnException("InvalidToken", "Invalid Token: '" + token + "'");
        }
        int to = Math.min(all.size(), from + max);
        ObjectNode n = Execution.JSON.createObjectNode();
        ArrayNode arr = n.putArray(field);
        all.subList(from, to).forEach(arr::add);
        if (to < all.size()) {
            n.put("nextToken", Base64.getUrlEncoder().withoutPadding().encodeToString(Integer.toString(to).getBytes(StandardCharsets.UTF_8)));
        }
        return n;
    }

    private JsonNode stopExecution(JsonNode req) {
        Execution x = execution(req.path("executionArn").asText(null));
        String err = req.path("error").asText(null);
        String cs = req.path("cause").asText(null);
        if (x.closeExternally("ABORTED", err, cs)) executor.abort(x);
        ObjectNode n = Execution.JSON.createObjectNode();
        n.put("stopDate", x.stopMillis() / 1000.0);
        return n;
    }

    private StateMachine machine(String arn) {
        if (arn == null) throw new SfnException("ValidationException", "stateMachineArn is required");
        if (!arn.startsWith("arn:aws:states:") || !arn.contains(":stateMachine:")) {
            throw new SfnException("InvalidArn", "Invalid Arn: '" + arn + "'");
        }
        StateMachine sm = machines.get(arn);
        if (sm == null) throw new SfnException("StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'");
        return sm;
    }

    private Execution execution(String arn) {
        if (arn == null) throw new SfnException("ValidationException", "executionArn is required");
        if (!arn.startsWith("arn:aws:states:") || !arn.contains(":execution:")) {
            throw new SfnException("InvalidArn", "Invalid Arn: '" + arn + "'");
        }
        Execution x = executions.get(arn);
        if (x == null) throw new SfnException("ExecutionDoesNotExist", "Execution Does Not Exist: '" + arn + "'");
        return x;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > 80 || BAD_NAME.matcher(name).find()) {
            throw new SfnException("InvalidName", "Invalid Name: '" + name + "'");
        }
    }

    private static JsonNode parseDefinition(String definitionJson) {
        try {
            JsonNode d = Execution.JSON.readTree(definitionJson);
            if (d == null || !d.isObject() || !d.has("StartAt") || !d.path("States").isObject()) {
                throw new SfnException("InvalidDefinition", "Invalid State Machine Definition: StartAt and States are required");
            }
            return d;
        } catch (IOException e) {
            throw new SfnException("InvalidDefinition", "Invalid State Machine Definition: " + e.getMessage());
        }
    }

    // ---- executor ------------------------------------------------------------------------------------

    private void launch(Execution x, StateMachine sm, JsonNode input) {
        ObjectNode ctx = Execution.JSON.createObjectNode();
        ObjectNode exec = ctx.putObject("Execution");
        exec.put("Id", x.executionArn);
        exec.put("Name", x.name);
        exec.put("RoleArn", "arn:aws:iam::000000000000:role/batchline-local");
        ObjectNode smCtx = ctx.putObject("StateMachine");
        smCtx.put("Id", sm.arn());
        smCtx.put("Name", sm.name());
        executor.start(x, sm.parsed(), input, ctx);
    }

    // ---- persistence ----------------------------------------------------------------------------------

    private Path executionDir(String smName) {
        if (cfg.stateDir() == null) return null;
        Path d = cfg.stateDir().resolve("executions").resolve(smName);
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + d, e);
        }
        return d;
    }

    private void persist(StateMachine sm) {
        if (cfg.stateDir() == null) return;
        ObjectNode n = Execution.JSON.createObjectNode();
        n.put("stateMachineArn", sm.arn());
        n.put("name", sm.name());
        n.put("definition", sm.definition());
        n.put("creationDate", sm.createdMillis() / 1000.0);
        try {
            Path d = Files.createDirectories(cfg.stateDir().resolve("state-machines"));
            Files.write(d.resolve(sm.name() + ".json"), Execution.JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist state machine " + sm.name(), e);
        }
    }

    private void load() throws IOException {
        Path smDir = cfg.stateDir().resolve("state-machines");
        if (Files.isDirectory(smDir)) {
            try (var files = Files.list(smDir)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                    JsonNode n = Execution.JSON.readTree(f.toFile());
                    String def = n.path("definition").asText();
                    machines.put(n.path("stateMachineArn").asText(), new StateMachine(n.path("stateMachineArn").asText(),
                        n.path("name").asText(), def, parseDefinition(def), Math.round(n.path("creationDate").asDouble() * 1000)));
                }
            }
        }
        Path exDir = cfg.stateDir().resolve("executions");
        if (!Files.isDirectory(exDir)) return;
        try (var files = Files.walk(exDir, 2)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                Execution x = Execution.load(f);
                // its executor died with the previous emulator
                x.closeExternally("ABORTED", "States.Runtime", "local stack restarted");
                executions.put(x.executionArn, x);
            }
        }
    }

    /** Stops the service and kills every executor child; running executions stay RUNNING on disk (see load()). */
    @Override
    public void close() {
        closed = true;
        server.stop(0);
        executor.close();
        threads.shutdownNow();
    }
}
