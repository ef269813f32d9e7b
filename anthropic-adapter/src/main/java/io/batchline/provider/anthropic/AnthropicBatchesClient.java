package io.batchline.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.provider.AmbiguousCreateException;
import io.batchline.provider.BatchPage;
import io.batchline.provider.BatchProvider;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import io.batchline.provider.ProviderModelInfo;
import io.batchline.provider.ProviderText;
import io.batchline.provider.ResultReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;

/**
 * Anthropic's Message Batches API (plus count_tokens and Messages) over {@code java.net.http} and Jackson.
 * Works the same against the real API and the local simulator; only {@link ProviderConfig#baseUrl()} differs.
 *
 * <p>Idempotent calls are retried on 429 (honouring retry-after), 500/502/503/504, 529, timeouts and
 * connection failures, at most {@link ProviderConfig#maxRetries()} times ({@link Retrier}), with capped
 * exponential backoff and full jitter ({@link Backoff}). {@link #create} is stricter, see there. Every call is
 * bounded by the config's timeouts, including reading a response body. The API key goes into the
 * {@code x-api-key} header only: it is never logged and never part of an exception.
 */
public final class AnthropicBatchesClient implements BatchProvider {
    private static final String BATCHES = "/v1/messages/batches";
    /** Cap on an error body we read: it is only for the message. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final ProviderConfig config;
    private final HttpClient http;
    private final Retrier retrier;

    public AnthropicBatchesClient(ProviderConfig config) {
        this(config, Sleeper.REAL);
    }

    /** @param sleeper waits out the time between attempts (a backoff, the provider's retry-after) */
    public AnthropicBatchesClient(ProviderConfig config, Sleeper sleeper) {
        this(config, sleeper, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** @param jitter values in [0,1) scaling each backoff (full jitter) */
    public AnthropicBatchesClient(ProviderConfig config, Sleeper sleeper, DoubleSupplier jitter) {
        this.config = Objects.requireNonNull(config, "config");
        this.retrier = new Retrier(config.maxRetries(),
                new Backoff(config.baseBackoff(), config.maxBackoff(), Objects.requireNonNull(jitter, "jitter")),
                Objects.requireNonNull(sleeper, "sleeper"));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER) // never carry the key to another host
                .build();
    }

    public ProviderConfig config() {
        return config;
    }

    @Override
    public String endpoint() {
        return config.baseUrl().toString();
    }

    // ---------------------------------------------------------------- batches

    /**
     * Creates a batch from a JSONL shard, one {@code {"custom_id","params"}} object a line, streamed as
     * {@code {"requests":[...]}} with an exact Content-Length and never held in memory.
     *
     * <p><b>Not blindly retried.</b> Once the body may have reached the provider, a timeout, a dropped
     * connection or a 5xx does not prove that no batch was created, and creating again could pay twice.
     * Only answers that prove rejection (429, 529) and failures to connect are retried; anything else
     * ambiguous throws {@link AmbiguousCreateException}. The caller must then reconcile: list recent batches
     * ({@link #listAll}) and look for one created since the attempt with this shard's request count, and
     * only create again when there is none.
     *
     * @param requestCount  number of lines in the shard (checked while streaming)
     * @param jsonlBytes    exact size of the shard in bytes (checked while streaming)
     * @param requestsJsonl opens the shard; called again for each attempt
     * @throws AmbiguousCreateException when a batch may or may not have been created
     * @throws ProviderException        on a definite failure (invalid request, too large, auth, ...)
     */
    @Override
    public MessageBatch create(long requestCount, long jsonlBytes, Supplier<InputStream> requestsJsonl) {
        if (requestCount < 1) throw new IllegalArgumentException("a batch needs at least one request");
        if (jsonlBytes < 2) throw new IllegalArgumentException("jsonlBytes must be the shard's size");
        Objects.requireNonNull(requestsJsonl, "requestsJsonl");
        long length = JsonlRequestsBody.contentLength(jsonlBytes);
        Supplier<HttpRequest> request = () -> builder(uri(BATCHES))
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() ->
                        new JsonlRequestsBody(new BufferedInputStream(requestsJsonl.get(), 64 * 1024),
                                requestCount, jsonlBytes)), length))
                .build();
        return readJson(execute("create batch", request, true), MessageBatch.class);
    }

    /** {@link #create(long, long, Supplier)} for a shard on disk: counts its lines first, by streaming. */
    public MessageBatch create(Path jsonl) {
        long bytes;
        long lines = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(jsonl), 64 * 1024)) {
            bytes = Files.size(jsonl);
            boolean content = false;
            for (int b; (b = in.read()) != -1; ) {
                if (b == '\n') {
                    if (content) lines++;
                    content = false;
                } else if (b != '\r' && b != ' ' && b != '\t') {
                    content = true;
                }
            }
            if (content) lines++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read shard " + jsonl, e);
        }
        return create(lines, bytes, () -> {
            try {
                return Files.newInputStream(jsonl);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read shard " + jsonl, e);
            }
        });
    }

    @Override
    public MessageBatch retrieve(String id) {
        return readJson(execute("retrieve batch", () -> builder(uri(BATCHES + "/" + pathId(id))).GET().build(),
                false), MessageBatch.class);
    }

    /** One page of batches, newest first. */
    public BatchPage list(BatchListRequest page) {
        StringBuilder q = new StringBuilder(BATCHES).append("?limit=").append(page.limit());
        if (page.afterId() != null) {
            q.append("&after_id=").append(URLEncoder.encode(page.afterId(), StandardCharsets.UTF_8));
        }
        if (page.beforeId() != null) {
            q.append("&before_id=").append(URLEncoder.encode(page.beforeId(), StandardCharsets.UTF_8));
        }
        URI u = uri(q.toString());
        return readJson(execute("list batches", () -> builder(u).GET().build(), false), BatchPage.class);
    }

    /** All batches, newest first, fetching pages lazily; stop iterating to stop fetching. */
    public Iterator<MessageBatch> listAll(int pageSize) {
        return new Iterator<>() {
            private final Deque<MessageBatch> buffer = new ArrayDeque<>();
            private String after;
            private boolean more = true;

            @Override
            public boolean hasNext() {
                while (buffer.isEmpty() && more) {
                    BatchPage page = list(new BatchListRequest(after, null, pageSize));
                    buffer.addAll(page.data());
                    more = page.hasMore() && page.lastId() != null && !page.data().isEmpty();
                    after = page.lastId();
                }
                return !buffer.isEmpty();
            }

            @Override
            public MessageBatch next() {
                if (!hasNext()) throw new NoSuchElementException();
                return buffer.removeFirst();
            }
        };
    }

    /**
     * Batches created at or after {@code since}, newest first; stops paging at the first older one (the list
     * is ordered by creation). This is how a lost create is reconciled.
     */
    @Override
    public List<MessageBatch> listSince(Instant since) {
        List<MessageBatch> out = new ArrayList<>();
        for (Iterator<MessageBatch> it = listAll(100); it.hasNext(); ) {
            MessageBatch b = it.next();
            Instant created = b.createdInstant();
            if (created != null && created.isBefore(since)) break;
            out.add(b);
        }
        return out;
    }

    /** Asks the provider to cancel; the batch goes through {@code canceling} to {@code ended}. */
    @Override
    public MessageBatch cancel(String id) {
        URI u = uri(BATCHES + "/" + pathId(id) + "/cancel");
        // cancel is idempotent at the provider, so retrying it is safe
        return readJson(execute("cancel batch", () -> builder(u).POST(HttpRequest.BodyPublishers.noBody()).build(),
                false), MessageBatch.class);
    }

    /** Deletes an ended batch (the provider refuses while it is processing). */
    public void delete(String id) {
        URI u = uri(BATCHES + "/" + pathId(id));
        JsonNode body = readJson(execute("delete batch", () -> builder(u).DELETE().build(), false), JsonNode.class);
        if (!id.equals(body.path("id").asText())) {
            throw malformed("delete answered for another id", null);
        }
    }

    /**
     * The raw results JSONL of an ended batch, to save as is or walk with {@link ResultReader}. The caller
     * must close it. Reads stall-protected: no data for the request timeout fails the read.
     */
    @Override
    public InputStream results(String id) {
        return resultsAt(uri(BATCHES + "/" + pathId(id) + "/results"));
    }

    /**
     * Same, from the batch's {@code results_url}, but only when that URL is on the configured API host: the
     * key is never sent anywhere else.
     */
    public InputStream results(MessageBatch batch) {
        URI u = batch.resultsUrl() == null ? null : URI.create(batch.resultsUrl());
        URI base = config.baseUrl();
        if (u == null || !Objects.equals(u.getScheme(), base.getScheme())
                || !Objects.equals(u.getRawAuthority(), base.getRawAuthority())) {
            return results(batch.id());
        }
        return resultsAt(u);
    }

    private InputStream resultsAt(URI u) {
        HttpResponse<InputStream> r = execute("download results", () -> builder(u)
                .header("accept", "application/binary, application/x-jsonl, */*").GET().build(), false);
        return r.body();
    }

    // ---------------------------------------------------------------- messages

    /** Input tokens for {@code params} (a Messages API request) by the free count_tokens endpoint. */
    @Override
    public long countTokens(ObjectNode params) {
        ObjectNode body = params.deepCopy();
        body.remove("max_tokens"); // not accepted by count_tokens
        body.remove("stream");
        byte[] bytes = Json.bytes(body);
        URI u = uri("/v1/messages/count_tokens");
        JsonNode n = readJson(execute("count tokens",
                () -> builder(u).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), false), JsonNode.class);
        if (!n.path("input_tokens").canConvertToLong()) throw malformed("count_tokens without input_tokens", null);
        return n.get("input_tokens").asLong();
    }

    /**
     * One synchronous Messages call (for pre-flight checks), returning the message object. Retried like any
     * idempotent call: a lost answer costs one more small request, not a batch.
     */
    @Override
    public JsonNode message(ObjectNode params) {
        if (params.path("stream").asBoolean(false)) throw new IllegalArgumentException("streaming is not supported");
        byte[] bytes = Json.bytes(params);
        URI u = uri("/v1/messages");
        return readJson(execute("create message",
                () -> builder(u).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), false), JsonNode.class);
    }

    // ---------------------------------------------------------------- models

    /**
     * {@code GET /v1/models/{id}}: what the provider says about the model an id or alias names (for pre-flight
     * checks: limits, structured outputs, effort levels, thinking types). An unknown or retired model is a
     * {@link ProviderException} of kind NOT_FOUND. Retried like any idempotent call.
     */
    @Override
    public ProviderModelInfo model(String idOrAlias) {
        if (idOrAlias == null || !idOrAlias.matches("[A-Za-z0-9._:@-]+")) {
            throw new IllegalArgumentException("not a model id or alias: " + idOrAlias);
        }
        URI u = uri("/v1/models/" + URLEncoder.encode(idOrAlias, StandardCharsets.UTF_8));
        HttpResponse<InputStream> r = execute("retrieve model", () -> builder(u).GET().build(), false);
        JsonNode n = readJson(r, JsonNode.class);
        try {
            return ProviderModelInfo.of(n);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage(), r, e);
        }
    }

    // ---------------------------------------------------------------- plumbing

    private HttpRequest.Builder builder(URI u) {
        String key = config.apiKey().get();
        ProviderText.remember(key); // an endpoint that echoes the key back does not get it into our output
        return HttpRequest.newBuilder(u)
                .timeout(config.requestTimeout())
                .header("x-api-key", key)
                .header("anthropic-version", config.anthropicVersion())
                .header("content-type", "application/json")
                .header("accept", "application/json");
    }

    private URI uri(String pathAndQuery) {
        return URI.create(config.baseUrl() + pathAndQuery);
    }

    private static String pathId(String id) {
        if (id == null || id.isEmpty() || !id.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException("not a batch id: " + id);
        }
        return id;
    }

    /**
     * Sends with retries and returns a 2xx response whose body the caller must consume or close.
     *
     * @param create apply create's rule: retry only what proves the batch was not created
     */
    private HttpResponse<InputStream> execute(String what, Supplier<HttpRequest> request, boolean create) {
        return retrier.run(what, () -> attempt(what, request, create));
    }

    /**
     * One send. Throws when the failure must not be retried whatever the attempt count (an ambiguous create, a bad
     * shard, an interrupt); otherwise says whether the failure may be retried.
     */
    private Retrier.Outcome<HttpResponse<InputStream>> attempt(String what, Supplier<HttpRequest> request,
                                                              boolean create) {
        ProviderException failure;
        boolean mayRetry;
        try {
            HttpResponse<InputStream> r = http.send(request.get(), HttpResponse.BodyHandlers.ofInputStream());
            String requestId = r.headers().firstValue("request-id").orElse(null);
            if (r.statusCode() / 100 == 2) {
                return Retrier.Outcome.success(
                        new ResponseWithTimeout(r, new IdleTimeoutInputStream(r.body(), config.requestTimeout())));
            }
            failure = errorFrom(r, requestId);
            mayRetry = create ? (r.statusCode() == 429 || r.statusCode() == 529) && failure.retryable()
                    : failure.retryable();
            if (create && !mayRetry && failure.kind() == ProviderException.Kind.SERVER) {
                throw new AmbiguousCreateException(failure);
            }
        } catch (HttpConnectTimeoutException | ConnectException e) {
            // nothing reached the server: safe to retry even a create
            failure = new ProviderException(ProviderException.Kind.CONNECTION, 0, null,
                    what + ": cannot connect to " + config.baseUrl() + " (" + e.getClass().getSimpleName() + ")",
                    null, null, e);
            mayRetry = true;
        } catch (HttpTimeoutException e) {
            failure = new ProviderException(ProviderException.Kind.TIMEOUT, 0, null,
                    what + ": no answer within " + config.requestTimeout(), null, null, e);
            if (create) throw new AmbiguousCreateException(failure);
            mayRetry = true;
        } catch (IOException e) {
            if (isConnectFailure(e)) {
                failure = new ProviderException(ProviderException.Kind.CONNECTION, 0, null,
                        what + ": cannot connect to " + config.baseUrl() + " (" + e + ")", null, null, e);
                mayRetry = true;
            } else {
                failure = new ProviderException(ProviderException.Kind.CONNECTION, 0, null,
                        what + ": connection failed: " + e, null, null, e);
                if (create) {
                    // a shard that cannot be read or is mis-described is our bug, not an ambiguity
                    if (hasBodyProblem(e)) {
                        throw new ProviderException(ProviderException.Kind.INVALID_REQUEST, 0, null,
                                what + ": bad shard: " + rootMessage(e), null, null, e);
                    }
                    throw new AmbiguousCreateException(failure);
                }
                mayRetry = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(ProviderException.Kind.CONNECTION, 0, null, what + ": interrupted",
                    null, null, e);
        }
        return Retrier.Outcome.failure(failure, mayRetry);
    }

    private static boolean isConnectFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnresolvedAddressException) return true;
        }
        return false;
    }

    private static boolean hasBodyProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UncheckedIOException) return true;
            String m = t.getMessage();
            if (m != null && m.startsWith("requests JSONL") || m != null && m.startsWith("blank line")) return true;
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) t = t.getCause();
        return t.getMessage();
    }

    private ProviderException errorFrom(HttpResponse<InputStream> r, String requestId) {
        int status = r.statusCode();
        String type = null;
        String message = null;
        try (InputStream in = new IdleTimeoutInputStream(r.body(), config.requestTimeout())) {
            byte[] body = in.readNBytes(MAX_ERROR_BODY);
            JsonNode n = Json.MAPPER.readTree(body);
            if (n != null) {
                JsonNode err = n.path("error");
                type = err.path("type").isTextual() ? err.get("type").asText() : null;
                message = err.path("message").isTextual() ? err.get("message").asText() : null;
                // spend-limit 429s look like rate limits but never clear by waiting
                if (err.path("details").path("error_code").isTextual()) {
                    String code = err.path("details").path("error_code").asText();
                    if ("enforced_spend_limit_reached".equals(code)) type = code;
                }
                if (requestId == null && n.path("request_id").isTextual()) requestId = n.get("request_id").asText();
            }
        } catch (IOException e) {
            message = "unreadable error body (" + e.getClass().getSimpleName() + ")";
        }
        Duration retryAfter = r.headers().firstValue("retry-after").map(Backoff::parseRetryAfter)
                .orElse(null);
        return new ProviderException(ProviderException.kindOf(status), status, type, message, requestId,
                retryAfter, null);
    }

    private <T> T readJson(HttpResponse<InputStream> r, Class<T> type) {
        try (InputStream in = r.body()) {
            T value = Json.MAPPER.readValue(in, type);
            if (value == null) throw malformed("empty body", r);
            return value;
        } catch (IdleTimeoutInputStream.IdleTimeoutException e) {
            throw new ProviderException(ProviderException.Kind.TIMEOUT, r.statusCode(), null, e.getMessage(),
                    r.headers().firstValue("request-id").orElse(null), null, e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw malformed("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), r, e);
        } catch (IOException e) {
            throw new ProviderException(ProviderException.Kind.CONNECTION, r.statusCode(), null,
                    "reading the answer failed: " + e, r.headers().firstValue("request-id").orElse(null), null, e);
        }
    }

    private static ProviderException malformed(String what, HttpResponse<?> r) {
        return malformed(what, r, null);
    }

    private static ProviderException malformed(String what, HttpResponse<?> r, Throwable cause) {
        return new ProviderException(ProviderException.Kind.MALFORMED_RESPONSE, r == null ? 0 : r.statusCode(), null,
                what, r == null ? null : r.headers().firstValue("request-id").orElse(null), null, cause);
    }

    /** A response whose body is the stall-protected stream. */
    private record ResponseWithTimeout(HttpResponse<InputStream> delegate, InputStream body)
            implements HttpResponse<InputStream> {
        @Override public int statusCode() { return delegate.statusCode(); }
        @Override public HttpRequest request() { return delegate.request(); }
        @Override public java.util.Optional<HttpResponse<InputStream>> previousResponse() { return delegate.previousResponse(); }
        @Override public java.net.http.HttpHeaders headers() { return delegate.headers(); }
        @Override public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return delegate.sslSession(); }
        @Override public URI uri() { return delegate.uri(); }
        @Override public HttpClient.Version version() { return delegate.version(); }
    }
}
