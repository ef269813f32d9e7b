package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.batchline.offline.LocalHttpServers;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.json.Json;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An offline stand-in for Anthropic's Message Batches API (plus count_tokens and Messages), faithful to
 * the documented shapes, limits and lifecycle, so the pipeline runs end to end without a key or network.
 * Batches live on disk; a batch ends {@link SimulatorConfig#processingTime()} after creation.
 */
public final class AnthropicSimulator implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AnthropicSimulator.class.getName());
    private static final Pattern BATCH = Pattern.compile("/v1/messages/batches/([^/]+)(/cancel|/results)?");

    private final SimulatorConfig cfg;
    private final HttpServer server;
    private final ExecutorService pool;
    private final SimBatchStore store;
    private final SimModel model;
    private final Path tempDir;
    private final URI baseUrl;
    private final Deque<int[]> faults = new ArrayDeque<>(); // {status, retryAfterSeconds}
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicLong httpCalls = new AtomicLong();
    private final AtomicLong createdThen500 = new AtomicLong();
    /** When the configured outage began (the first batch created), on the simulator's clock; null before. */
    private final java.util.concurrent.atomic.AtomicReference<Instant> outageBegan = new java.util.concurrent.atomic.AtomicReference<>();
    private final AtomicLong outageAnswers = new AtomicLong();
    private final Set<String> seenPrefixes = ConcurrentHashMap.newKeySet();
    /** GET /v1/models from the catalogue whose rules the simulator enforces; its API versions too. */
    private final SimModelsEndpoint modelsEndpoint;

    static {
        // the JDK server writes headers and body separately; with Nagle on, each answer waits ~40 ms for an ACK
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private AnthropicSimulator(SimulatorConfig cfg) throws IOException {
        this.cfg = cfg;
        this.model = new SimModel(cfg.seed(), cfg.catalogue());
        this.modelsEndpoint = new SimModelsEndpoint(cfg.catalogue());
        this.tempDir = cfg.stateDir() == null ? Files.createTempDirectory("batchline-sim") : null;
        this.store = new SimBatchStore(cfg.stateDir() != null ? cfg.stateDir() : tempDir, cfg, model);
        this.server = LocalHttpServers.bind(cfg.port(), 64);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "anthropic-sim-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        this.baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public static AnthropicSimulator start(SimulatorConfig cfg) {
        try {
            return new AnthropicSimulator(cfg);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the Anthropic simulator on port " + cfg.port(), e);
        }
    }

    public URI baseUrl() {
        return baseUrl;
    }

    public SimulatorConfig config() {
        return cfg;
    }

    /** The next {@code n} requests (any endpoint) fail with {@code status}; 429 carries retry-after: 1. */
    public void failNext(int n, int status) {
        failNext(n, status, status == 429 ? Duration.ofSeconds(1) : null);
    }

    public void failNext(int n, int status, Duration retryAfter) {
        synchronized (faults) {
            for (int i = 0; i < n; i++) {
                faults.add(new int[] {status, retryAfter == null ? -1 : (int) Math.max(0, retryAfter.toSeconds())});
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        if (tempDir != null) {
            try {
                SimBatchStore.deleteTree(tempDir);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "could not remove " + tempDir, e);
            }
        }
    }

    /** Runs standalone: {@code AnthropicSimulator [port] [stateDir]}; Ctrl-C stops it. */
    public static void main(String[] args) throws InterruptedException {
        SimulatorConfig.Builder b = SimulatorConfig.builder().port(args.length > 0 ? Integer.parseInt(args[0]) : 0);
        if (args.length > 1) b.stateDir(Path.of(args[1]));
        SimulatorConfig.applyEnv(b, System.getenv());
        AnthropicSimulator sim = start(b.build());
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close));
        System.out.println("Anthropic simulator listening on " + sim.baseUrl());
        Thread.currentThread().join();
    }

    // ---------------------------------------------------------------- routing

    private void handle(HttpExchange ex) {
        String requestId = "req_sim_" + String.format("%08d", requestIds.incrementAndGet());
        try (ex) {
            ex.getResponseHeaders().set("request-id", requestId);
            try {
                route(ex, requestId);
            } catch (SimBatchStore.Rejected r) {
                drain(ex);
                if (r.status == 429) ex.getResponseHeaders().set("retry-after", "1");
                error(ex, r.status, r.type, r.getMessage(), requestId);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "simulator failed on " + ex.getRequestMethod() + " " + ex.getRequestURI(), e);
                drain(ex);
                error(ex, 500, "api_error", "simulator error: " + e, requestId);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "client went away", e);
        }
    }

    private void route(HttpExchange ex, String requestId) throws IOException, SimBatchStore.Rejected {
        int[] fault;
        synchronized (faults) {
            fault = faults.pollFirst();
        }
        if (fault != null) {
            drain(ex);
            if (fault[1] >= 0) ex.getResponseHeaders().set("retry-after", String.valueOf(fault[1]));
            String type = switch (fault[0]) {
                case 429 -> "rate_limit_error";
                case 529 -> "overloaded_error";
                default -> "api_error";
            };
            error(ex, fault[0], type, "simulated " + fault[0], requestId);
            return;
        }
        if (outage(ex, requestId)) return;
        if (randomHttpFault(ex, requestId)) return;
        // the API takes the key as x-api-key or as Authorization: Bearer (today's SDKs send the latter);
        // each one sent must be the configured key
        String apiKey = ex.getRequestHeaders().getFirst("x-api-key");
        String authorization = ex.getRequestHeaders().getFirst("authorization");
        String bearer = null;
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.substring(7).isBlank()) {
                throw new SimBatchStore.Rejected(401, "authentication_error",
                        "invalid authorization header: expected 'Bearer <key>'");
            }
            bearer = authorization.substring(7).trim();
        }
        if ((apiKey == null || apiKey.isBlank()) && bearer == null) {
            throw new SimBatchStore.Rejected(401, "authentication_error",
                    "x-api-key or authorization header is required");
        }
        if (cfg.requiredApiKey() != null) {
            if (apiKey != null && !cfg.requiredApiKey().equals(apiKey)) {
                throw new SimBatchStore.Rejected(401, "authentication_error", "invalid x-api-key");
            }
            if (bearer != null && !cfg.requiredApiKey().equals(bearer)) {
                throw new SimBatchStore.Rejected(401, "authentication_error", "invalid bearer token");
            }
        }
        String version = ex.getRequestHeaders().getFirst("anthropic-version");
        if (version == null) {
            throw new SimBatchStore.Rejected(400, "invalid_request_error", "anthropic-version: header is required");
        }
        if (!modelsEndpoint.catalogue().knowsVersion(version)) {
            throw new SimBatchStore.Rejected(400, "invalid_request_error", "anthropic-version: '" + version
                    + "' is not a valid version (supported: " + ModelCatalogue.API_VERSION_2023 + ", "
                    + ModelCatalogue.API_VERSION_2026 + ")");
        }
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        Matcher m = BATCH.matcher(path);
        if (path.equals("/v1/models") && method.equals("GET")) {
            json(ex, 200, modelsEndpoint.list(ex.getRequestURI(), LocalDate.now(cfg.clock())));
        } else if (path.startsWith("/v1/models/") && method.equals("GET")) {
            String idOrAlias = URLDecoder.decode(path.substring("/v1/models/".length()), StandardCharsets.UTF_8);
            json(ex, 200, modelsEndpoint.retrieve(idOrAlias, LocalDate.now(cfg.clock())));
        } else if (path.equals("/v1/messages/batches") && method.equals("POST")) {
            create(ex);
        } else if (path.equals("/v1/messages/batches") && method.equals("GET")) {
            list(ex);
        } else if (path.equals("/v1/messages/count_tokens") && method.equals("POST")) {
            countTokens(ex);
        } else if (path.equals("/v1/messages") && method.equals("POST")) {
            message(ex);
        } else if (m.matches()) {
            String id = m.group(1);
            String sub = m.group(2);
            if (sub == null && method.equals("GET")) {
                json(ex, 200, batchJson(found(store.get(id), id)));
            } else if (sub == null && method.equals("DELETE")) {
                found(store.delete(id), id);
                ObjectNode n = Json.MAPPER.createObjectNode();
                n.put("id", id);
                n.put("type", "message_batch_deleted");
                json(ex, 200, n);
            } else if ("/cancel".equals(sub) && method.equals("POST")) {
                drain(ex);
                json(ex, 200, batchJson(found(store.cancel(id), id)));
            } else if ("/results".equals(sub) && method.equals("GET")) {
                results(ex, id);
            } else {
                throw new SimBatchStore.Rejected(405, "invalid_request_error", method + " not allowed on " + path);
            }
        } else {
            throw new SimBatchStore.Rejected(404, "not_found_error", "no route " + method + " " + path);
        }
    }

    private static SimBatchStore.Meta found(Optional<SimBatchStore.Meta> m, String id) throws SimBatchStore.Rejected {
        return m.orElseThrow(() -> new SimBatchStore.Rejected(404, "not_found_error", "message batch " + id + " not found"));
    }

    // ---------------------------------------------------------------- endpoints

    /**
     * A provider-wide incident: from the first batch created on, every call is answered 429 with a long
     * retry-after until the configured outage has passed on the simulator's clock (a wait-driven clock lets hours
     * of it pass in the state machine's Wait states).
     */
    private boolean outage(HttpExchange ex, String requestId) throws IOException {
        if (cfg.outage().isZero()) return false;
        Instant began = outageBegan.get();
        if (began == null || !cfg.clock().instant().isBefore(began.plus(cfg.outage()))) return false;
        outageAnswers.incrementAndGet();
        drain(ex);
        ex.getResponseHeaders().set("retry-after", Long.toString(OUTAGE_RETRY_AFTER.toSeconds()));
        error(ex, 429, "rate_limit_error", "Rate limited during a simulated outage", requestId);
        return true;
    }

    /** Longer than the client waits in a thread: each call in the outage is put off to the state machine. */
    private static final Duration OUTAGE_RETRY_AFTER = Duration.ofMinutes(10);

    /** Calls answered 429 because of the configured outage (for tests). */
    public long outageAnswers() {
        return outageAnswers.get();
    }

    /**
     * Answers this call with a configured HTTP fault (429 with retry-after, 529, 500), drawn from the seed and
     * the call's number. Half the 500s on a create come after the batch was created, as when the provider's
     * front end fails after the write: the caller cannot tell, and must reconcile rather than create again.
     */
    private boolean randomHttpFault(HttpExchange ex, String requestId) throws IOException, SimBatchStore.Rejected {
        double total = cfg.http429Rate() + cfg.http529Rate() + cfg.http500Rate();
        if (total <= 0) return false;
        String call = Long.toString(httpCalls.incrementAndGet());
        double u = model.unit("http", call);
        if (u >= total) return false;
        if (u < cfg.http429Rate()) {
            drain(ex);
            ex.getResponseHeaders().set("retry-after", "1");
            error(ex, 429, "rate_limit_error", "Number of request tokens has exceeded your rate limit (simulated)", requestId);
        } else if (u < cfg.http429Rate() + cfg.http529Rate()) {
            drain(ex);
            error(ex, 529, "overloaded_error", "Overloaded (simulated)", requestId);
        } else {
            boolean isCreate = ex.getRequestMethod().equals("POST")
                    && ex.getRequestURI().getPath().equals("/v1/messages/batches");
            if (isCreate && model.unit("http500-after-create", call) < 0.5) {
                SimBatchStore.Meta created = createBatch(ex);
                createdThen500.incrementAndGet();
                LOG.info(() -> "simulated 500 after creating " + created.id());
            } else {
                drain(ex);
            }
            error(ex, 500, "api_error", "Internal server error (simulated)", requestId);
        }
        return true;
    }

    /**
     * The provider's queue limit: a create that would leave more than {@code maxRequests} requests in
     * unfinished batches is answered 429 rate_limit_error, as the API does; 0 = no limit (the default).
     */
    public AnthropicSimulator queueLimit(long maxRequests) {
        store.queueLimit(maxRequests);
        return this;
    }

    /** The most requests ever queued in unfinished batches at once (for tests of the queue limit). */
    public long maxQueuedSeen() {
        return store.maxQueuedSeen();
    }

    /** How many creates answered 500 although the batch was created (for tests). */
    public long createdThen500() {
        return createdThen500.get();
    }

    private void create(HttpExchange ex) throws IOException, SimBatchStore.Rejected {
        json(ex, 200, batchJson(createBatch(ex)));
    }

    private SimBatchStore.Meta createBatch(HttpExchange ex) throws IOException, SimBatchStore.Rejected {
        String length = ex.getRequestHeaders().getFirst("content-length");
        if (length != null && Long.parseLong(length.trim()) > cfg.maxBodyBytes()) {
            throw tooLarge();
        }
        SimBatchStore.Meta meta;
        try {
            meta = store.create(new LimitedInput(ex.getRequestBody(), cfg.maxBodyBytes()), apiVersion(ex),
                    List.copyOf(betas(ex)));
        } catch (LimitedInput.TooLarge e) {
            throw tooLarge();
        }
        outageBegan.compareAndSet(null, cfg.clock().instant());
        return meta;
    }

    private SimBatchStore.Rejected tooLarge() {
        return new SimBatchStore.Rejected(413, "request_too_large",
                "Request exceeds the maximum allowed number of bytes (" + cfg.maxBodyBytes() + ")");
    }

    private void list(HttpExchange ex) throws IOException, SimBatchStore.Rejected {
        Map<String, String> q = query(ex.getRequestURI());
        int limit;
        try {
            limit = Integer.parseInt(q.getOrDefault("limit", "20"));
        } catch (NumberFormatException e) {
            throw new SimBatchStore.Rejected(400, "invalid_request_error", "limit: Input should be a valid integer");
        }
        if (limit < 1 || limit > 1000) {
            throw new SimBatchStore.Rejected(400, "invalid_request_error", "limit: must be between 1 and 1000");
        }
        String after = q.get("after_id");
        String before = q.get("before_id");
        if (after != null && before != null) {
            throw new SimBatchStore.Rejected(400, "invalid_request_error", "use either before_id or after_id, not both");
        }
        List<SimBatchStore.Meta> all = store.all(); // newest first
        ObjectNode page = ListPage.of(all, after == null ? -1 : indexOf(all, after),
                before == null ? -1 : indexOf(all, before), limit, SimBatchStore.Meta::id, this::batchJson);
        json(ex, 200, page);
    }

    private static int indexOf(List<SimBatchStore.Meta> all, String id) throws SimBatchStore.Rejected {
        for (int i = 0; i < all.size(); i++) if (all.get(i).id().equals(id)) return i;
        throw new SimBatchStore.Rejected(404, "not_found_error", "message batch " + id + " not found");
    }

    private void results(HttpExchange ex, String id) throws IOException, SimBatchStore.Rejected {
        SimBatchStore.Meta m = found(store.get(id), id);
        if (!"ended".equals(m.status())) {
            throw new SimBatchStore.Rejected(404, "not_found_error",
                    "results for message batch " + id + " are not available until processing has ended");
        }
        Path file = store.results(id);
        ex.getResponseHeaders().set("content-type", "application/binary");
        ex.sendResponseHeaders(200, Files.size(file));
        try (OutputStream out = ex.getResponseBody()) {
            Files.copy(file, out);
        }
    }

    private void countTokens(HttpExchange ex) throws IOException, SimBatchStore.Rejected {
        JsonNode body = readSmallJson(ex);
        if (body.has("max_tokens")) {
            throw new SimBatchStore.Rejected(400, "invalid_request_error", "max_tokens: Extra inputs are not permitted");
        }
        if (!body.path("model").isTextual()) throw new SimBatchStore.Rejected(400, "invalid_request_error", "model: Field required");
        if (!body.path("messages").isArray() || body.get("messages").isEmpty()) {
            throw new SimBatchStore.Rejected(400, "invalid_request_error", "messages: Field required");
        }
        refuseAsTheApiWould(ex, body);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("input_tokens", SimModel.promptTokens(body)); // counted as the simulator bills
        json(ex, 200, n);
    }

    private void message(HttpExchange ex) throws IOException, SimBatchStore.Rejected {
        JsonNode params = readSmallJson(ex);
        SimBatchStore.validateParams(params, "body", false);
        refuseAsTheApiWould(ex, params);
        String cid = "msg-" + Long.toString((long) (model.unit(Json.string(params)) * Long.MAX_VALUE), 36);
        SimModel.Cache cache = SimModel.Cache.NONE;
        if (SimModel.hasCacheControl(params)) {
            cache = seenPrefixes.add(SimModel.systemText(params)) ? SimModel.Cache.WRITE : SimModel.Cache.READ;
        }
        json(ex, 200, model.respond(cid, params, cache, SimModel.OutputFault.NONE, SimModel.STANDARD_TIER));
    }

    /**
     * Throws the API's answer to params it refuses for their model ({@link SimRequestRules}): 404 for an unknown
     * model, else 400 invalid_request_error. The larger output limit of the batch beta is for Message Batches only,
     * so synchronous calls are checked without beta flags.
     */
    private void refuseAsTheApiWould(HttpExchange ex, JsonNode params) throws SimBatchStore.Rejected {
        SimRequestRules.Refusal r = SimRequestRules.refusal(cfg.catalogue(), params, apiVersion(ex), Set.of(), today());
        if (r != null) throw new SimBatchStore.Rejected(r.httpStatus(), r.errorType(), r.message());
    }

    private LocalDate today() {
        return LocalDate.ofInstant(cfg.clock().instant(), ZoneOffset.UTC);
    }

    private static String apiVersion(HttpExchange ex) {
        String v = ex.getRequestHeaders().getFirst("anthropic-version");
        return v == null ? null : v.trim();
    }

    /** The flags of every {@code anthropic-beta} header (comma separated), in order. */
    private static Set<String> betas(HttpExchange ex) {
        Set<String> out = new LinkedHashSet<>();
        List<String> headers = ex.getRequestHeaders().get("anthropic-beta");
        if (headers == null) return out;
        for (String h : headers) {
            for (String flag : h.split(",")) if (!flag.isBlank()) out.add(flag.trim());
        }
        return out;
    }

    /** Messages and count_tokens bodies: capped like the API (32 MB) and then parsed whole. */
    private static JsonNode readSmallJson(HttpExchange ex) throws IOException, SimBatchStore.Rejected {
        try (InputStream in = new LimitedInput(ex.getRequestBody(), 32L * 1024 * 1024)) {
            JsonNode n = Json.MAPPER.readTree(in);
            if (n == null || !n.isObject()) throw new SimBatchStore.Rejected(400, "invalid_request_error", "body must be a JSON object");
            return n;
        } catch (LimitedInput.TooLarge e) {
            throw new SimBatchStore.Rejected(413, "request_too_large", "Request exceeds the maximum allowed number of bytes");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new SimBatchStore.Rejected(400, "invalid_request_error", "body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    private ObjectNode batchJson(SimBatchStore.Meta m) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", m.id());
        n.put("type", "message_batch");
        String status = m.status();
        n.put("processing_status", status);
        ObjectNode c = n.putObject("request_counts");
        boolean ended = "ended".equals(status);
        // no mid-batch progress: everything counts as processing until the whole batch has ended
        c.put("processing", ended ? 0 : m.requestCount());
        c.put("succeeded", m.succeeded());
        c.put("errored", m.errored());
        c.put("canceled", m.canceled());
        c.put("expired", m.expired());
        putTime(n, "created_at", m.createdAt());
        putTime(n, "ended_at", m.endedAt());
        putTime(n, "expires_at", m.expiresAt());
        putTime(n, "cancel_initiated_at", m.cancelInitiatedAt());
        n.putNull("archived_at");
        if (ended) n.put("results_url", baseUrl + "/v1/messages/batches/" + m.id() + "/results");
        else n.putNull("results_url");
        return n;
    }

    private static void putTime(ObjectNode n, String field, Long millis) {
        if (millis == null) n.putNull(field);
        else n.put(field, Instant.ofEpochMilli(millis).toString());
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = Json.bytes(body);
        ex.getResponseHeaders().set("content-type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void error(HttpExchange ex, int status, String type, String message, String requestId)
            throws IOException {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("type", "error");
        ObjectNode e = n.putObject("error");
        e.put("type", type);
        e.put("message", message);
        n.put("request_id", requestId);
        json(ex, status, n);
    }

    /** Reads what is left of the request body so the client sees our answer instead of a reset. */
    private static void drain(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            LOG.log(Level.FINE, "could not drain request body", e);
        }
    }

    private static Map<String, String> query(URI u) {
        Map<String, String> q = new HashMap<>();
        String raw = u.getRawQuery();
        if (raw == null) return q;
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            if (i > 0) {
                q.put(URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
            }
        }
        return q;
    }

    /** Fails once more than {@code limit} bytes have been read (bodies sent without a Content-Length). */
    static final class LimitedInput extends FilterInputStream {
        static final class TooLarge extends IOException {
            TooLarge() { super("request body too large"); }
        }

        private final long limit;
        private long count;

        LimitedInput(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0 && ++count > limit) throw new TooLarge();
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0 && (count += n) > limit) throw new TooLarge();
            return n;
        }
    }
}
