package io.batchline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.provider.AmbiguousCreateException;
import io.batchline.provider.BatchProvider;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import io.batchline.provider.ProviderModelInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link BatchProvider} in memory, scripted by the test:
 * <ul>
 *   <li>every request's result comes from a deterministic {@link Script} ({@code custom_id} and {@code params} in,
 *       a {@link Result} out); the default answers with the {@link #answers answer function}'s text;
 *       {@link #errored}, {@link #expired} and {@link #canceled} script single custom_ids and win over it;</li>
 *   <li>a batch is {@code in_progress} when created and ends on its n-th look, a retrieve or a listing that shows
 *       it ({@link #endOnRetrieve}, 1 by default; 0 ends it at once), or when told ({@link #end}); its results are
 *       worked out when it ends;</li>
 *   <li>{@link #cancel} moves a batch to {@code canceling}; its next retrieve ends it, every request canceled but
 *       those {@link #processedBeforeCancel} names, which keep their result (what the batch had processed);</li>
 *   <li>a create whose requests are more than {@link #maxRequestsBytes} bytes of JSONL is refused as
 *       REQUEST_TOO_LARGE (HTTP 413), creating nothing, as the API refuses a body over its limit;</li>
 *   <li>{@link #failNextCreate} makes the next create throw (optionally after creating the batch, as a lost answer
 *       does);</li>
 *   <li>every call is recorded ({@link #calls}, {@link #created}).</li>
 * </ul>
 * An unknown batch id is a NOT_FOUND {@link ProviderException}; results of a batch that has not ended are an
 * INVALID_REQUEST one. Results come in request order.
 */
public final class ScriptedBatchProvider implements BatchProvider {

    /** What one request gets. */
    public sealed interface Result permits Answer, Message, Errored, Expired, Canceled {}

    /** A message whose one text block is {@code text}, stop_reason end_turn. */
    public record Answer(String text) implements Result {}

    /** A whole message object, as the API would return it. */
    public record Message(ObjectNode message) implements Result {}

    /** An errored result with the API's error type ({@code api_error}, {@code overloaded_error}, ...). */
    public record Errored(String type, String message) implements Result {}

    public record Expired() implements Result {}

    public record Canceled() implements Result {}

    /** The result of one request, decided from its custom_id and params; must be deterministic. */
    @FunctionalInterface
    public interface Script {
        Result resultFor(String customId, JsonNode params);
    }

    /** One call to the provider, in order. */
    public record Call(String method, String batchId, Instant at) {}

    /** A created batch: its id and the requests it was given, in order. */
    public record Created(String batchId, List<String> customIds, List<JsonNode> requests, Instant at) {}

    private final Clock clock;
    private volatile Script script = (cid, params) -> new Answer("{}");
    private volatile java.util.function.Function<JsonNode, String> syncAnswer = params -> "{}";
    private final Map<String, Result> byCustomId = new ConcurrentHashMap<>();
    private final Map<String, Batch> batches = new LinkedHashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final List<Created> created = new ArrayList<>();
    private final Deque<PendingFailure> createFailures = new ArrayDeque<>();
    private final Map<String, ProviderModelInfo> models = new HashMap<>();
    private final Set<String> unknownModels = ConcurrentHashMap.newKeySet();
    private volatile Predicate<String> processedBeforeCancel = customId -> false;
    private int endOnRetrieve = 1;
    private long maxRequestsBytes = Long.MAX_VALUE;
    private long counter;

    private record PendingFailure(Supplier<? extends ProviderException> failure, boolean createdAnyway) {}

    private static final class Batch {
        final String id;
        final List<JsonNode> requests;
        final Instant createdAt;
        String status = MessageBatch.IN_PROGRESS;
        Instant endedAt;
        Instant cancelInitiatedAt;
        int retrieves;
        byte[] results;
        MessageBatch.RequestCounts counts;

        Batch(String id, List<JsonNode> requests, Instant createdAt) {
            this.id = id;
            this.requests = requests;
            this.createdAt = createdAt;
        }
    }

    public ScriptedBatchProvider(Clock clock) {
        this.clock = clock;
    }

    /** Answers every request (not scripted by custom_id) with this text, in a message that ends its turn. */
    public ScriptedBatchProvider answers(BiFunction<String, JsonNode, String> text) {
        this.script = (cid, params) -> new Answer(text.apply(cid, params));
        return this;
    }

    /** What a synchronous {@link #message} answers, from its params. */
    public ScriptedBatchProvider syncAnswers(java.util.function.Function<JsonNode, String> text) {
        this.syncAnswer = text;
        return this;
    }

    /** Decides every request's result (not scripted by custom_id). */
    public ScriptedBatchProvider script(Script script) {
        this.script = script;
        return this;
    }

    public ScriptedBatchProvider errored(String customId, String errorType, String message) {
        byCustomId.put(customId, new Errored(errorType, message));
        return this;
    }

    public ScriptedBatchProvider expired(String customId) {
        byCustomId.put(customId, new Expired());
        return this;
    }

    public ScriptedBatchProvider canceled(String customId) {
        byCustomId.put(customId, new Canceled());
        return this;
    }

    /**
     * The requests (by custom_id) a batch had processed when it was canceled: they keep their result; the rest of a
     * canceled batch is canceled. None by default.
     */
    public ScriptedBatchProvider processedBeforeCancel(Predicate<String> customIds) {
        this.processedBeforeCancel = customIds;
        return this;
    }

    /** A batch ends on its n-th look: retrieve, or listed by listSince (0: it is ended when created). */
    public synchronized ScriptedBatchProvider endOnRetrieve(int n) {
        this.endOnRetrieve = n;
        return this;
    }

    /** Ends a batch now, working out its results. */
    public synchronized void end(String batchId) {
        Batch b = batch(batchId);
        if (!MessageBatch.ENDED.equals(b.status)) finish(b, false);
    }

    /** A create whose requests' JSONL is larger than this is refused as too large; no limit by default. */
    public synchronized ScriptedBatchProvider maxRequestsBytes(long bytes) {
        this.maxRequestsBytes = bytes;
        return this;
    }

    /** The next create throws {@code failure}; with {@code createdAnyway} the batch exists all the same. */
    public synchronized ScriptedBatchProvider failNextCreate(Supplier<? extends ProviderException> failure,
                                                             boolean createdAnyway) {
        createFailures.add(new PendingFailure(failure, createdAnyway));
        return this;
    }

    /** What {@link #model} answers for {@code id} (by default: the id itself, generous limits, every feature). */
    public synchronized ScriptedBatchProvider model(String id, ProviderModelInfo info) {
        models.put(id, info);
        return this;
    }

    /** {@link #model} of this id is a NOT_FOUND failure. */
    public ScriptedBatchProvider unknownModel(String id) {
        unknownModels.add(id);
        return this;
    }

    public synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    public synchronized List<Created> created() {
        return List.copyOf(created);
    }

    /** Every batch, oldest first. */
    public synchronized List<MessageBatch> batches() {
        return batches.values().stream().map(this::view).toList();
    }

    // ---------------------------------------------------------------- the port

    @Override
    public synchronized MessageBatch create(long requestCount, long jsonlBytes, Supplier<InputStream> requestsJsonl) {
        Instant now = clock.instant();
        calls.add(new Call("create", null, now));
        PendingFailure failure = createFailures.poll();
        if (failure != null && !failure.createdAnyway()) throw failure.failure().get();
        byte[] jsonl;
        try (InputStream in = requestsJsonl.get()) {
            jsonl = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (jsonl.length > maxRequestsBytes) {
            throw new ProviderException(ProviderException.Kind.REQUEST_TOO_LARGE, 413, "request_too_large",
                    "Request exceeds the maximum allowed number of bytes (" + maxRequestsBytes + ")", null, null, null);
        }
        List<JsonNode> requests = new ArrayList<>();
        for (String line : new String(jsonl, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) requests.add(Json.tree(line.getBytes(StandardCharsets.UTF_8)));
        }
        if (requests.size() != requestCount) {
            throw new ProviderException(ProviderException.Kind.INVALID_REQUEST, 400, "invalid_request_error",
                    "requests: " + requests.size() + " lines, " + requestCount + " announced", null, null, null);
        }
        String id = String.format("msgbatch_scripted%06d", ++counter);
        Batch b = new Batch(id, requests, now);
        batches.put(id, b);
        created.add(new Created(id, requests.stream().map(q -> q.path("custom_id").asText()).toList(),
                List.copyOf(requests), now));
        if (endOnRetrieve <= 0) finish(b, false);
        if (failure != null) {
            ProviderException e = failure.failure().get();
            throw e instanceof AmbiguousCreateException ? e : new AmbiguousCreateException(e);
        }
        return view(b);
    }

    @Override
    public synchronized MessageBatch retrieve(String batchId) {
        calls.add(new Call("retrieve", batchId, clock.instant()));
        Batch b = batch(batchId);
        looked(b);
        return view(b);
    }

    /** A retrieve, or the batch appearing in a listing: a look at its status, which may end it. */
    private void looked(Batch b) {
        b.retrieves++;
        if (MessageBatch.CANCELING.equals(b.status)) finish(b, true);
        else if (MessageBatch.IN_PROGRESS.equals(b.status) && b.retrieves >= endOnRetrieve) finish(b, false);
    }

    /** Newest first; each batch listed counts as a look at it, as a {@link #retrieve} does. */
    @Override
    public synchronized List<MessageBatch> listSince(Instant since) {
        calls.add(new Call("listSince", null, clock.instant()));
        List<Batch> listed = batches.values().stream().filter(b -> !b.createdAt.isBefore(since))
                .sorted(Comparator.comparing((Batch b) -> b.createdAt).thenComparing(b -> b.id).reversed())
                .toList();
        listed.forEach(this::looked);
        return listed.stream().map(this::view).toList();
    }

    @Override
    public synchronized MessageBatch cancel(String batchId) {
        calls.add(new Call("cancel", batchId, clock.instant()));
        Batch b = batch(batchId);
        if (MessageBatch.IN_PROGRESS.equals(b.status)) {
            b.status = MessageBatch.CANCELING;
            b.cancelInitiatedAt = clock.instant();
        }
        return view(b);
    }

    @Override
    public synchronized InputStream results(String batchId) {
        calls.add(new Call("results", batchId, clock.instant()));
        Batch b = batch(batchId);
        if (b.results == null) {
            throw new ProviderException(ProviderException.Kind.INVALID_REQUEST, 400, "invalid_request_error",
                    "batch " + batchId + " has not ended", null, null, null);
        }
        return new ByteArrayInputStream(b.results);
    }

    @Override
    public synchronized long countTokens(ObjectNode params) {
        calls.add(new Call("countTokens", null, clock.instant()));
        return estimateTokens(Json.string(params.path("messages")) + params.path("system").asText(""));
    }

    /**
     * A synchronous message (the pre-flight's): the {@link #syncAnswers} text, {@code {}} by default. Batch scripts are
     * not consulted: a synchronous request has no custom_id.
     */
    @Override
    public synchronized JsonNode message(ObjectNode params) {
        calls.add(new Call("message", null, clock.instant()));
        return messageOf("message-" + calls.size(), params, null, syncAnswer.apply(params));
    }

    @Override
    public synchronized ProviderModelInfo model(String idOrAlias) {
        calls.add(new Call("model", null, clock.instant()));
        if (unknownModels.contains(idOrAlias)) {
            throw new ProviderException(ProviderException.Kind.NOT_FOUND, 404, "not_found_error",
                    "model: " + idOrAlias, null, null, null);
        }
        ProviderModelInfo info = models.get(idOrAlias);
        return info != null ? info : new ProviderModelInfo(idOrAlias, 128_000, 1_000_000, true,
                List.of("low", "medium", "high", "xhigh", "max"), List.of("enabled", "adaptive"));
    }

    @Override
    public String endpoint() {
        return "scripted://provider";
    }

    // ---------------------------------------------------------------- results

    private Batch batch(String id) {
        Batch b = batches.get(id);
        if (b == null) {
            throw new ProviderException(ProviderException.Kind.NOT_FOUND, 404, "not_found_error",
                    "no batch " + id, null, null, null);
        }
        return b;
    }

    private void finish(Batch b, boolean canceled) {
        long succeeded = 0, errored = 0, canceledN = 0, expired = 0;
        StringBuilder out = new StringBuilder();
        for (JsonNode request : b.requests) {
            String cid = request.path("custom_id").asText();
            JsonNode params = request.path("params");
            Result r = canceled && !processedBeforeCancel.test(cid) ? new Canceled()
                    : byCustomId.getOrDefault(cid, null);
            if (r == null) r = script.resultFor(cid, params);
            ObjectNode result = Json.MAPPER.createObjectNode();
            if (r instanceof Errored e) {
                result.put("type", "errored");
                ObjectNode outer = result.putObject("error");
                outer.put("type", "error");
                ObjectNode inner = outer.putObject("error");
                inner.put("type", e.type());
                inner.put("message", e.message());
                errored++;
            } else if (r instanceof Expired) {
                result.put("type", "expired");
                expired++;
            } else if (r instanceof Canceled) {
                result.put("type", "canceled");
                canceledN++;
            } else {
                result.put("type", "succeeded");
                result.set("message", messageOf(cid, params, r instanceof Message m ? m.message() : null,
                        r instanceof Answer a ? a.text() : null));
                succeeded++;
            }
            ObjectNode line = Json.MAPPER.createObjectNode();
            line.put("custom_id", cid);
            line.set("result", result);
            out.append(Json.string(line)).append('\n');
        }
        b.results = out.toString().getBytes(StandardCharsets.UTF_8);
        b.counts = new MessageBatch.RequestCounts(0, succeeded, errored, canceledN, expired);
        b.status = MessageBatch.ENDED;
        b.endedAt = clock.instant();
    }

    private static ObjectNode messageOf(String cid, JsonNode params, ObjectNode given, String text) {
        if (given != null) return given;
        ObjectNode m = Json.MAPPER.createObjectNode();
        m.put("id", "msg_scripted_" + Integer.toHexString(cid.hashCode()));
        m.put("type", "message");
        m.put("role", "assistant");
        m.put("model", params.path("model").asText());
        ArrayNode content = m.putArray("content");
        ObjectNode block = content.addObject();
        block.put("type", "text");
        block.put("text", text);
        m.put("stop_reason", "end_turn");
        m.putNull("stop_sequence");
        ObjectNode usage = m.putObject("usage");
        usage.put("input_tokens", estimateTokens(Json.string(params.path("messages")) + params.path("system").asText("")));
        usage.put("output_tokens", estimateTokens(text));
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", 0);
        usage.put("service_tier", "batch");
        return m;
    }

    /** About four characters a token, at least one. */
    public static long estimateTokens(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }

    private MessageBatch view(Batch b) {
        boolean ended = MessageBatch.ENDED.equals(b.status);
        MessageBatch.RequestCounts counts = ended ? b.counts
                : new MessageBatch.RequestCounts(b.requests.size(), 0, 0, 0, 0);
        return new MessageBatch(b.id, "message_batch", b.status, counts, b.createdAt.toString(),
                ended ? b.endedAt.toString() : null, b.createdAt.plus(Duration.ofHours(24)).toString(),
                b.cancelInitiatedAt == null ? null : b.cancelInitiatedAt.toString(), null,
                ended ? "scripted://batches/" + b.id + "/results" : null);
    }
}
