package io.batchline.offline.sim;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Batches on disk: {@code <dir>/batches/<id>/meta.json}, {@code requests.jsonl} (as received, one request a
 * line) and, once ended, {@code results.jsonl}. State advances lazily with the clock whenever a batch is
 * looked at, so a restarted simulator carries on where the old one left off.
 */
final class SimBatchStore {

    /**
     * What meta.json holds. Times are epoch milliseconds. {@code apiVersion} and {@code betas} are the
     * {@code anthropic-version} and {@code anthropic-beta} headers of the create: the request rules of the batch's
     * requests follow them when it ends.
     */
    record Meta(
            @JsonProperty("id") String id,
            @JsonProperty("seq") long seq,
            @JsonProperty("request_count") long requestCount,
            @JsonProperty("created_at") long createdAt,
            @JsonProperty("expires_at") long expiresAt,
            @JsonProperty("cancel_initiated_at") Long cancelInitiatedAt,
            @JsonProperty("ended_at") Long endedAt,
            @JsonProperty("succeeded") long succeeded,
            @JsonProperty("errored") long errored,
            @JsonProperty("canceled") long canceled,
            @JsonProperty("expired") long expired,
            @JsonProperty("api_version") String apiVersion,
            @JsonProperty("betas") List<String> betas) {

        String status() {
            return endedAt != null ? "ended" : cancelInitiatedAt != null ? "canceling" : "in_progress";
        }
    }

    /** A create body rejected part-way: the status and error type to answer with. */
    static final class Rejected extends Exception {
        final int status;
        final String type;

        Rejected(int status, String type, String message) {
            super(message);
            this.status = status;
            this.type = type;
        }
    }

    private final Path root;
    private final SimulatorConfig cfg;
    private final SimModel model;
    private final AtomicLong seq = new AtomicLong();
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    SimBatchStore(Path dir, SimulatorConfig cfg, SimModel model) throws IOException {
        this.root = dir.resolve("batches");
        this.cfg = cfg;
        this.model = model;
        Files.createDirectories(root);
        long max = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path d : ds) {
                Path meta = d.resolve("meta.json");
                if (d.getFileName().toString().startsWith(".") || !Files.exists(meta)) {
                    deleteTree(d); // a create that died half-way never produced a batch
                    continue;
                }
                max = Math.max(max, readMeta(d).seq());
            }
        }
        seq.set(max);
    }

    /** requests allowed in unfinished batches at once; 0 = unlimited */
    private volatile long queueLimit;
    private final AtomicLong maxQueuedSeen = new AtomicLong();
    private final Object createLock = new Object();

    void queueLimit(long maxRequests) {
        queueLimit = Math.max(0, maxRequests);
    }

    long maxQueuedSeen() {
        return maxQueuedSeen.get();
    }

    /** Requests in batches that are still in_progress or canceling. */
    private long queuedRequests() throws IOException {
        long queued = 0;
        for (Meta m : all()) if (m.endedAt() == null) queued += m.requestCount();
        return queued;
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    // ---------------------------------------------------------------- create

    /**
     * Reads {@code {"requests":[...]}} with the streaming parser, validating each request like the API and
     * writing it to disk as it comes; nothing but the custom_id set is held in memory.
     */
    Meta create(InputStream body, String apiVersion, List<String> betas) throws IOException, Rejected {
        long n = seq.incrementAndGet();
        String id = "msgbatch_" + String.format("%06d", n) + randomSuffix(n);
        Path tmp = root.resolve(".creating-" + id);
        Files.createDirectories(tmp);
        boolean ok = false;
        try {
            long count = 0;
            Set<String> ids = new HashSet<>();
            try (JsonParser p = Json.MAPPER.createParser(body);
                 OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp.resolve("requests.jsonl")),
                         64 * 1024)) {
                if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    throw new Rejected(400, "invalid_request_error", "body must be a JSON object");
                }
                boolean sawRequests = false;
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    if (!"requests".equals(field)) {
                        throw new Rejected(400, "invalid_request_error", field + ": Extra inputs are not permitted");
                    }
                    if (p.currentToken() != com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                        throw new Rejected(400, "invalid_request_error", "requests: Input should be a valid list");
                    }
                    sawRequests = true;
                    while (p.nextToken() != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                        JsonNode req = Json.MAPPER.readTree(p);
                        validate(req, count, ids);
                        if (++count > cfg.maxRequests()) {
                            throw new Rejected(400, "invalid_request_error",
                                    "requests: a batch may hold at most " + cfg.maxRequests() + " requests");
                        }
                        ObjectNode line = Json.MAPPER.createObjectNode();
                        line.set("custom_id", req.get("custom_id"));
                        line.set("params", req.get("params"));
                        out.write(Json.bytes(line));
                        out.write('\n');
                    }
                }
                if (!sawRequests) throw new Rejected(400, "invalid_request_error", "requests: Field required");
                if (count == 0) {
                    throw new Rejected(400, "invalid_request_error", "requests: List should have at least 1 item");
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new Rejected(400, "invalid_request_error", "body is not valid JSON: " + e.getOriginalMessage());
            }
            long now = cfg.clock().millis();
            Meta meta = new Meta(id, n, count, now, now + cfg.expireAfter().toMillis(), null, null, 0, 0, 0, 0,
                    apiVersion, betas == null ? List.of() : List.copyOf(betas));
            writeMeta(tmp, meta);
            synchronized (createLock) { // the queue check and the batch's appearance are one step
                long queued = queuedRequests();
                long limit = queueLimit;
                if (limit > 0 && queued + count > limit) {
                    throw new Rejected(429, "rate_limit_error", "Number of batch requests queued (" + queued
                            + ") plus this batch's " + count + " exceeds your organization's queue limit of " + limit
                            + " requests; wait for batches to end");
                }
                Files.move(tmp, root.resolve(id), StandardCopyOption.ATOMIC_MOVE);
                maxQueuedSeen.accumulateAndGet(queued + count, Math::max);
            }
            ok = true;
            return meta;
        } finally {
            if (!ok) deleteTree(tmp);
        }
    }

    private static final String ID_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private String randomSuffix(long n) {
        SplittableRandom r = new SplittableRandom(n * 31 + System.nanoTime());
        StringBuilder sb = new StringBuilder("_");
        for (int i = 0; i < 12; i++) sb.append(ID_CHARS.charAt(r.nextInt(ID_CHARS.length())));
        return sb.toString();
    }

    private static void validate(JsonNode req, long index, Set<String> ids) throws Rejected {
        String at = "requests." + index;
        if (!req.isObject()) throw bad(at + ": Input should be a valid object");
        JsonNode cid = req.get("custom_id");
        if (cid == null || !cid.isTextual()) throw bad(at + ".custom_id: Field required");
        String c = cid.asText();
        if (!c.matches("[A-Za-z0-9_-]{1,64}")) {
            throw bad(at + ".custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'");
        }
        if (!ids.add(c)) throw bad(at + ".custom_id: custom_id " + c + " is not unique within the batch");
        for (var it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("custom_id") && !f.equals("params")) throw bad(at + "." + f + ": Extra inputs are not permitted");
        }
        validateParams(req.get("params"), at + ".params", true);
    }

    static void validateParams(JsonNode params, String at, boolean batch) throws Rejected {
        if (params == null || !params.isObject()) throw bad(at + ": Field required");
        if (!params.path("model").isTextual() || params.get("model").asText().isBlank()) {
            throw bad(at + ".model: Field required");
        }
        if (!params.path("max_tokens").canConvertToInt() || !params.get("max_tokens").isIntegralNumber()
                || params.get("max_tokens").asInt() < 1) {
            throw bad(at + ".max_tokens: Field required (integer >= 1)");
        }
        if (!params.path("messages").isArray() || params.get("messages").isEmpty()) {
            throw bad(at + ".messages: Field required (non-empty list)");
        }
        if (params.has("stream")) {
            throw bad(at + ".stream: " + (batch ? "streaming is not supported in batches"
                    : "streaming is not supported by the simulator"));
        }
    }

    private static Rejected bad(String message) {
        return new Rejected(400, "invalid_request_error", message);
    }

    // ---------------------------------------------------------------- queries and transitions

    /** The batch with its state advanced to now; empty when unknown or deleted. */
    Optional<Meta> get(String id) throws IOException {
        Path d = root.resolve(id);
        if (!id.matches("msgbatch_[A-Za-z0-9_]+") || !Files.exists(d.resolve("meta.json"))) return Optional.empty();
        synchronized (lock(id)) {
            if (!Files.exists(d.resolve("meta.json"))) return Optional.empty();
            return Optional.of(advance(d, readMeta(d)));
        }
    }

    /** All batches, newest first. */
    List<Meta> all() throws IOException {
        List<Meta> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            for (Path d : (Iterable<Path>) s::iterator) {
                if (d.getFileName().toString().startsWith(".")) continue;
                get(d.getFileName().toString()).ifPresent(out::add);
            }
        }
        out.sort(Comparator.comparingLong(Meta::seq).reversed());
        return out;
    }

    Optional<Meta> cancel(String id) throws IOException {
        synchronized (lock(id)) {
            Optional<Meta> m = get(id);
            if (m.isEmpty() || !"in_progress".equals(m.get().status())) return m;
            Meta c = m.get();
            Meta canceling = new Meta(c.id(), c.seq(), c.requestCount(), c.createdAt(), c.expiresAt(),
                    cfg.clock().millis(), null, 0, 0, 0, 0, c.apiVersion(), c.betas());
            writeMeta(root.resolve(id), canceling);
            return Optional.of(advance(root.resolve(id), canceling));
        }
    }

    /** @return empty when unknown; throws Rejected while still processing */
    Optional<Meta> delete(String id) throws IOException, Rejected {
        synchronized (lock(id)) {
            Optional<Meta> m = get(id);
            if (m.isEmpty()) return m;
            if (!"ended".equals(m.get().status())) {
                throw bad("message batch " + id + " is still processing; cancel it and wait for it to end first");
            }
            deleteTree(root.resolve(id));
            return m;
        }
    }

    /** The results file of an ended batch. */
    Path results(String id) {
        return root.resolve(id).resolve("results.jsonl");
    }

    private Meta advance(Path dir, Meta m) throws IOException {
        if (m.endedAt() != null) return m;
        long now = cfg.clock().millis();
        long processing = cfg.processingTime().toMillis();
        if (m.cancelInitiatedAt() != null) {
            long end = m.cancelInitiatedAt() + cfg.cancelLatency().toMillis();
            return now >= end ? finish(dir, m, m.cancelInitiatedAt(), end, true) : m;
        }
        long deadline = m.createdAt() + Math.min(processing, m.expiresAt() - m.createdAt());
        return now >= deadline ? finish(dir, m, deadline, deadline, false) : m;
    }

    /**
     * Produces every request's result: those that finished by {@code cutoff} get an answer (or their
     * injected fault), the rest are canceled or expired. Written in request order with line offsets, then
     * copied out in a seeded shuffle, because the API promises no order.
     */
    private Meta finish(Path dir, Meta m, long cutoff, long endedAt, boolean canceled) throws IOException {
        long processing = Math.max(1, cfg.processingTime().toMillis());
        long[] offsets = new long[(int) m.requestCount() + 1];
        long succeeded = 0, errored = 0, canceledN = 0, expired = 0;
        Set<String> cachedPrefixes = new HashSet<>();
        Set<String> betas = m.betas() == null ? Set.of() : Set.copyOf(m.betas());
        LocalDate today = LocalDate.ofInstant(Instant.ofEpochMilli(cutoff), ZoneOffset.UTC);
        Path ordered = dir.resolve("results.ordered.tmp");
        try (BufferedReader in = Files.newBufferedReader(dir.resolve("requests.jsonl"), StandardCharsets.UTF_8);
             CountingOut out = new CountingOut(Files.newOutputStream(ordered))) {
            int i = 0;
            for (String line; (line = in.readLine()) != null; i++) {
                offsets[i] = out.count;
                JsonNode req = Json.MAPPER.readTree(line);
                String cid = req.get("custom_id").asText();
                JsonNode params = req.get("params");
                long doneAt = m.createdAt() + (long) (model.unit(cid, "done") * processing);
                ObjectNode result = Json.MAPPER.createObjectNode();
                String refused;
                if (doneAt > cutoff) {
                    result.put("type", canceled ? "canceled" : "expired");
                    if (canceled) canceledN++; else expired++;
                } else if ((refused = SimRequestRules.problem(cfg.catalogue(), params, m.apiVersion(), betas,
                        today)) != null) {
                    // checked per request while processing, as the API does: the batch was accepted
                    errored(result, "invalid_request_error", refused);
                    errored++;
                } else {
                    double f = model.unit(cid, "fault");
                    double a = cfg.retryableErrorRate();
                    double b = a + cfg.invalidRequestRate();
                    double c = b + cfg.expiredRate();
                    double d = c + cfg.nonJsonRate();
                    double e = d + cfg.fencedJsonRate();
                    double g = e + cfg.schemaViolationRate();
                    double h = g + cfg.lowConfidenceRate();
                    double k = h + cfg.refusalRate();
                    if (f < a) {
                        errored(result, model.unit(cid, "kind") < 0.5 ? "api_error" : "overloaded_error",
                                model.unit(cid, "kind") < 0.5 ? "Internal server error" : "Overloaded");
                        errored++;
                    } else if (f < b) {
                        errored(result, "invalid_request_error", "messages.0.content: simulated invalid request");
                        errored++;
                    } else if (f < c) {
                        result.put("type", "expired");
                        expired++;
                    } else {
                        SimModel.Cache cache = SimModel.Cache.NONE;
                        if (SimModel.hasCacheControl(params)) {
                            cache = cachedPrefixes.add(SimModel.systemText(params)) ? SimModel.Cache.WRITE
                                    : SimModel.Cache.READ;
                        }
                        result.put("type", "succeeded");
                        SimModel.OutputFault fault = f < d ? SimModel.OutputFault.NON_JSON
                                : f < e ? SimModel.OutputFault.FENCED
                                : f < g ? SimModel.OutputFault.SCHEMA_VIOLATION
                                : f < h ? SimModel.OutputFault.LOW_CONFIDENCE
                                : f < k ? SimModel.OutputFault.REFUSAL
                                : SimModel.OutputFault.NONE;
                        result.set("message", model.respond(cid, params, cache, fault, SimModel.BATCH_TIER));
                        succeeded++;
                    }
                }
                ObjectNode outLine = Json.MAPPER.createObjectNode();
                outLine.put("custom_id", cid);
                outLine.set("result", result);
                out.write(Json.bytes(outLine));
                out.write('\n');
            }
            offsets[i] = out.count;
        }
        Path shuffled = dir.resolve("results.shuffled.tmp");
        int n = (int) m.requestCount();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom r = new SplittableRandom(cfg.seed() ^ m.id().hashCode());
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        try (RandomAccessFile src = new RandomAccessFile(ordered.toFile(), "r");
             OutputStream out = new BufferedOutputStream(Files.newOutputStream(shuffled), 64 * 1024)) {
            byte[] buf = new byte[8192];
            for (int k : order) {
                long len = offsets[k + 1] - offsets[k];
                src.seek(offsets[k]);
                while (len > 0) {
                    int got = src.read(buf, 0, (int) Math.min(buf.length, len));
                    if (got < 0) throw new IOException("results file shorter than its index");
                    out.write(buf, 0, got);
                    len -= got;
                }
            }
        }
        move(shuffled, results(m.id()));
        Files.deleteIfExists(ordered);
        Meta ended = new Meta(m.id(), m.seq(), m.requestCount(), m.createdAt(), m.expiresAt(), m.cancelInitiatedAt(),
                endedAt, succeeded, errored, canceledN, expired, m.apiVersion(), m.betas());
        writeMeta(dir, ended);
        return ended;
    }

    private static void errored(ObjectNode result, String type, String message) {
        result.put("type", "errored");
        ObjectNode outer = result.putObject("error");
        outer.put("type", "error");
        ObjectNode inner = outer.putObject("error");
        inner.put("type", type);
        inner.put("message", message);
    }

    // ---------------------------------------------------------------- files

    private static Meta readMeta(Path dir) throws IOException {
        return Json.MAPPER.readValue(dir.resolve("meta.json").toFile(), Meta.class);
    }

    private static void writeMeta(Path dir, Meta m) throws IOException {
        Path tmp = dir.resolve("meta.json.tmp");
        Files.write(tmp, Json.bytes(m));
        move(tmp, dir.resolve("meta.json"));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(x);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static Instant instant(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis);
    }

    private static final class CountingOut extends BufferedOutputStream {
        long count;

        CountingOut(OutputStream out) {
            super(out, 64 * 1024);
        }

        @Override
        public synchronized void write(int b) throws IOException {
            super.write(b);
            count++;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            super.write(b, off, len);
            count += len;
        }
    }
}
