package io.batchline.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.input.InputError;
import io.batchline.input.InputItem;
import io.batchline.input.InputReader;
import io.batchline.input.InputVisitor;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.render.PromptRenderer;
import io.batchline.render.RenderException;
import io.batchline.render.TokenEstimator;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * "Plan & format" (architecture.md): streams one input file, renders every valid item into a Message
 * Batches request and writes them into shards of at most {@code shard.max_requests} requests and
 * {@code shard.max_bytes} bytes (and never past the provider's 100,000 requests / 256 MB per batch).
 * Next to each shard goes an index (custom_id -> id, line, attempts) for the collector. Bad lines and
 * template errors become failed outcome lines with their line number and reason; the rest of the file goes on.
 *
 * <p>Memory stays flat: each shard is streamed out as it fills; what grows with the input is only the
 * duplicate-id table of the reader (~16-32 bytes per item). Re-planning the same input writes the same
 * keys with the same bytes, so a stage killed mid-way can simply run again.
 *
 * <p>custom_id is {@code a<attempt>-l<line>}: unique in one attempt because line numbers are unique in
 * a file, and well inside the provider's 1-64 characters of [A-Za-z0-9_-].
 */
public final class Planner {

    public static final int PROVIDER_MAX_REQUESTS = 100_000;
    /** The whole create-batch request body, not just the requests. */
    public static final long PROVIDER_MAX_BODY_BYTES = 268_435_456L;
    private static final byte[] ENVELOPE_OPEN = "{\"requests\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ENVELOPE_CLOSE = "]}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** Bytes of the {@code {"requests":[} ... {@code ]}} envelope around the comma-separated requests. */
    public static final int ENVELOPE_BYTES = ENVELOPE_OPEN.length + ENVELOPE_CLOSE.length;

    public static final Pattern CUSTOM_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final String JSONL = "application/x-ndjson";

    public static String customId(int attempt, long line) {
        return "a" + attempt + "-l" + line;
    }

    /** One chunk of a long item: {@code a<attempt>-l<line>-c<chunk>}, 0-based, well within 64 characters. */
    public static String chunkCustomId(String itemCustomId, int chunk) {
        return itemCustomId + "-c" + chunk;
    }

    /** A golden item's custom_id: its own namespace, {@code line} being its line in the golden file. */
    public static String goldenCustomId(int attempt, long line) {
        return "a" + attempt + "-g" + line;
    }

    /** The model catalogue and API version requests are rendered for. */
    private final io.batchline.catalogue.ModelCatalogue catalogue;
    private final String apiVersion;
    /** Where a fault may be injected while planning (per line, before a checkpoint). */
    private final io.batchline.chaos.FaultPoints faults;

    public Planner(io.batchline.catalogue.ModelCatalogue catalogue, String apiVersion) {
        this(catalogue, apiVersion, io.batchline.chaos.FaultPoints.NONE);
    }

    public Planner(io.batchline.catalogue.ModelCatalogue catalogue, String apiVersion,
                   io.batchline.chaos.FaultPoints faults) {
        this.catalogue = java.util.Objects.requireNonNull(catalogue, "catalogue");
        this.apiVersion = java.util.Objects.requireNonNull(apiVersion, "apiVersion");
        this.faults = java.util.Objects.requireNonNull(faults, "faults");
    }

    /** The job's golden file as the planner reads it: its name (for the format) and its bytes. */
    public record GoldenInput(String name, InputStream in) {}

    /** A golden line that cannot become a request: the golden file is curated, so the run stops on it. */
    public static final class GoldenFileException extends IllegalArgumentException {
        public GoldenFileException(String message) {
            super(message);
        }
    }

    /**
     * Plans one attempt of a run from its input; writes shards, shard indexes, the failed part and the plan
     * itself to the store, and returns the plan. An I/O failure of the input or the store is thrown (the run
     * fails, nothing half-written is published as complete: shards are only closed once full or at the end).
     * With a canary in the job, attempt 1's first canary.items requests go into shards of their own, numbered
     * first ({@link Plan#canaryShards()}); golden items, result cache and checkpoints: see {@link PlanRequest}.
     */
    public Plan plan(PlanRequest request) {
        JobSpec job = request.job();
        String runId = request.runId();
        int attempt = request.attempt();
        ObjectStore store = request.store();
        GoldenInput golden = request.golden();
        io.batchline.cache.ResultCache.Lookup cache = request.cache();
        Run run = new Run(job, new PromptRenderer(job, catalogue, apiVersion), runId, attempt, store, faults);
        run.cache = cache;
        if (attempt == 1 && job.canary() != null) run.canaryLeft = job.canary().items();
        run.checkpointEvery = request.checkpointEvery();
        if (run.checkpointEvery > 0) FormatCheckpoint.read(store, runId, attempt).ifPresent(run::resume);
        InputReader.Summary summary;
        try {
            // parsing and rendering on this thread, serialising and writing on another (for speed)
            summary = io.batchline.input.PipelinedRead.read(InputReader.forJob(job, request.inputName()),
                    request.input(), run);
            if (cache != null) cache.finish(); // the items still pending a lookup go into shards before the canary ends
            run.endCanary();
            run.checkTemplateFieldsSeen(); // a field no line has is the spec's problem: stop before anything is sent
            run.checkpointEvery = 0; // the golden items come after the input: a resume starts in the input
            if (golden != null && run.valid == 0) { // golden items alone would be paid for nothing
                run.goldenSkipped = "the input has no valid item to send, so the golden items were not sent either";
            } else if (golden != null) {
                InputReader.forJob(job, golden.name()).read(golden.in(), run.golden(golden.name()));
            }
            run.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        return store(store, run.plan(request.inputName(), summary.lines(), summary.nonBlank()));
    }

    /**
     * Plans a retry round (attempt n+1) from the retry parts collect wrote: each line is an item with what it carries
     * and the params to send again (a repair round may have changed them; see {@link ItemCarryCodec}). Requests get
     * new custom_ids for the new attempt and {@code attempts + 1} in the index.
     * {@code items} counts the retry lines; their outcomes were not counted anywhere else yet.
     */
    public Plan planRetry(JobSpec job, String runId, int attempt, List<String> retryParts, ObjectStore store) {
        if (attempt < 2) throw new IllegalArgumentException("a retry round is attempt 2 or later, got " + attempt);
        Run run = new Run(job, new PromptRenderer(job, catalogue, apiVersion), runId, attempt, store, faults);
        long lines = 0;
        for (String key : retryParts) {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(store.open(key), StandardCharsets.UTF_8), 64 * 1024)) {
                long lineNumber = 0;
                for (String text; (text = reader.readLine()) != null; ) {
                    lineNumber++;
                    if (text.isBlank()) continue;
                    lines++;
                    ItemCarryCodec.RetryLine retry = ItemCarryCodec.readRetryLine(text, attempt - 1,
                            "retry part " + key + " line " + lineNumber);
                    ItemCarry item = retry.item();
                    run.request(item.withAttempts(item.attempts() + 1), (ObjectNode) retry.params());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading retry part " + key, e);
            }
        }
        try {
            run.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        return store(store, run.plan(RunKeys.retryPrefix(runId, attempt), lines, lines));
    }

    private static Plan store(ObjectStore store, Plan plan) {
        store.put(RunKeys.plan(plan.runId(), plan.attempt()), Json.bytes(plan), "application/json");
        return plan;
    }

    /** The state of one planning pass; receives the reader's items and errors. */
    private static final class Run implements io.batchline.input.PipelinedRead.PreparingVisitor<Object> {
        private final io.batchline.chaos.FaultPoints faults;
        private final JobSpec job;
        private final String runId;
        private final int attempt;
        private final ObjectStore store;
        private final PromptRenderer renderer;
        /** long inputs and strata; both null for most jobs, which then keep the one-request-per-item path */
        private final LongInputs longInputs;
        private final Strata strata;
        private final int maxRequests;
        private final long maxBodyBytes;
        private final String maxBodyName;

        final String failedKey;
        private final SegmentedPart failed;
        /** chunks that failed before submission, in line and chunk order; written only when there is one */
        private final SegmentedPart chunkFailures;
        final List<Plan.ShardPlan> shards = new ArrayList<>();
        final List<Plan.Invalid> firstInvalid = new ArrayList<>();
        long valid;
        long invalid;
        /** the result cache lookup of this pass; null = off */
        io.batchline.cache.ResultCache.Lookup cache;
        /** golden requests: in the shards, not in items/valid */
        long golden;
        /** why the job's golden items were not added (no valid input item); null when they were */
        String goldenSkipped;
        /** requests still to put in the canary's own shards; canaryShards = how many shards the canary filled */
        int canaryLeft;
        int canaryShards;
        long totalTokens;
        /** the largest request's estimated input tokens: whether the worst case reaches a prompt tier */
        long largestRequestTokens;
        long maxOutputTokens;
        /** lines between format checkpoints (0 = none), the last one's line, and where a resumed pass starts */
        int checkpointEvery;
        private long checkpointedLine = 1;
        private long resumeLine = 1;
        private int resumeChunk;
        private Long resumedFrom;

        /** Reused for every request: the line must be measured before we know which shard takes it. */
        private final RequestLineWriter requestWriter;
        private Shard current;

        Run(JobSpec job, PromptRenderer renderer, String runId, int attempt, ObjectStore store,
            io.batchline.chaos.FaultPoints faults) {
            this.faults = faults;
            this.job = job;
            this.runId = runId;
            this.attempt = attempt;
            this.store = store;
            this.renderer = renderer;
            this.longInputs = LongInputs.of(job);
            this.strata = Strata.of(job);
            this.requestWriter = new RequestLineWriter(renderer.systemText());
            this.maxRequests = Math.min(job.shard().maxRequests(), PROVIDER_MAX_REQUESTS);
            boolean jobLimitIsLower = job.shard().maxBytes() < PROVIDER_MAX_BODY_BYTES;
            this.maxBodyBytes = jobLimitIsLower ? job.shard().maxBytes() : PROVIDER_MAX_BODY_BYTES;
            this.maxBodyName = jobLimitIsLower ? "shard.max_bytes" : "the provider's batch limit";
            this.failedKey = RunKeys.planPart(runId, attempt, OutcomeKind.FAILED);
            // always written, so readers find the part even when nothing failed
            this.failed = new SegmentedPart(store, failedKey, n -> RunKeys.planSegment(runId, attempt, "failed", n), true);
            this.chunkFailures = new SegmentedPart(store, RunKeys.planChunkPart(runId, attempt),
                    n -> RunKeys.planSegment(runId, attempt, "chunks", n), false);
        }

        /** A pass after a kill: the checkpoint's shards, counts and segments; its lines before are skipped. */
        void resume(FormatCheckpoint c) {
            shards.addAll(c.shards());
            firstInvalid.addAll(c.firstInvalid());
            valid = c.valid();
            invalid = c.invalid();
            totalTokens = c.totalTokens();
            largestRequestTokens = c.largestRequestTokens() == null ? 0 : c.largestRequestTokens();
            maxOutputTokens = c.maxOutputTokens();
            canaryLeft = c.canaryLeft();
            canaryShards = c.canaryShards();
            failed.restore(c.segmentsOf("failed"));
            chunkFailures.restore(c.segmentsOf("chunks"));
            if (cache != null) cache.restore(c.segments(), c.cacheHits());
            checkpointedLine = resumeLine = c.line();
            resumeChunk = c.chunk();
            resumedFrom = c.line();
            c.resumed(c.line()).write(store, runId, attempt); // says a resume happened even if no checkpoint follows
        }

        /**
         * At a shard's close: records the position when at least checkpointEvery lines passed since the last
         * record. Called between two requests, when everything before (line, chunk) is written and nothing after.
         */
        private void checkpoint(long line, int chunk) {
            if (checkpointEvery <= 0 || line - checkpointedLine < checkpointEvery) return;
            java.util.Map<String, List<Integer>> segments = new java.util.HashMap<>();
            if (cache != null) segments.putAll(cache.checkpoint());
            segments.put("failed", failed.checkpoint());
            segments.put("chunks", chunkFailures.checkpoint());
            faults.point("format.before_checkpoint");
            new FormatCheckpoint(checkpointEvery, line, chunk, List.copyOf(shards), valid, invalid, totalTokens,
                    maxOutputTokens, canaryLeft, canaryShards, List.copyOf(firstInvalid), cache == null ? 0 : cache.hits(),
                    segments, resumedFrom, largestRequestTokens).write(store, runId, attempt);
            checkpointedLine = line;
        }

        /** Whether a resumed pass did this line's requests before its checkpoint. */
        private boolean done(long line) {
            return line < resumeLine;
        }

        /** With the result cache, a step waits for the items offered before it, so outputs keep input order. */
        private void inOrder(Runnable step) {
            if (cache == null) step.run();
            else cache.defer(step);
        }

        /**
         * Renders a plain item's params, on the reading thread when the read is pipelined: its
         * params, or the RenderException to report in order. Null for strata and long inputs, which
         * {@link #shapedItem} renders on the visiting thread, so the renderer is never used by two threads at once.
         */
        @Override
        public Object prepare(InputItem item) {
            if (done(item.line())) return null; // a resumed pass renders nothing before its checkpoint
            if (longInputs != null || strata != null) return null;
            if (item.flat() != null) return renderer.plainContent(item.flat()); // fast path: no tree, no params
            try {
                return renderer.params(item);
            } catch (RenderException e) {
                return e;
            }
        }

        /** Items rendered by this pass, and per template field how many of them lacked it. */
        private long itemsRendered;
        private final java.util.Map<String, Long> lackingField = new java.util.HashMap<>();
        private static final java.util.regex.Pattern MISSING_FIELD =
                java.util.regex.Pattern.compile("template field '(.+)' is missing");

        private void countMissingField(RenderException e) {
            java.util.regex.Matcher m = MISSING_FIELD.matcher(e.getMessage() == null ? "" : e.getMessage());
            if (m.matches()) lackingField.merge(m.group(1), 1L, Long::sum);
        }

        /**
         * A user_template field that none of the input's items has is a problem of the job spec, not of each line:
         * the plan stops, naming it, before any batch is created. (A resumed pass saw only part of the input.)
         */
        void checkTemplateFieldsSeen() {
            if (itemsRendered == 0 || resumeLine > 1) return;
            List<String> problems = new ArrayList<>();
            for (java.util.Map.Entry<String, Long> e : new java.util.TreeMap<>(lackingField).entrySet()) {
                if (e.getValue() == itemsRendered) {
                    problems.add("$.user_template: field '" + e.getKey() + "' is in none of the input's " + itemsRendered
                            + " items; check the template against the input's fields (or id_field/CSV header)");
                }
            }
            if (!problems.isEmpty()) throw new io.batchline.job.JobSpecException(problems);
        }

        @Override
        public void item(InputItem item, Object prepared) {
            if (done(item.line())) return;
            itemsRendered++;
            faults.point("format.line");
            int firstPiece = item.line() == resumeLine ? resumeChunk : 0; // a resume inside a chunked item
            if (longInputs != null || strata != null) {
                shapedItem(item, firstPiece);
                return;
            }
            if (firstPiece > 0) return; // its one request was done
            if (prepared instanceof RenderException e) {
                countMissingField(e);
                inOrder(() -> fail(item.id(), item.line(), e.getMessage()));
                return;
            }
            ItemCarry carry = ItemCarry.of(item.id(), item.line(), attempt).withLabel(label(item));
            if (prepared instanceof io.batchline.render.EscapedText content) {
                request(carry, renderer.plainShape(), content);
                return;
            }
            ObjectNode params = (ObjectNode) prepared;
            if (cache == null) request(carry, params);
            else cache.offer(carry, params, () -> request(carry, params));
        }

        /**
         * An item of a job with strata or long_inputs: its stratum's settings, then its long field
         * truncated or chunked; a chunked item becomes one request per chunk, all with the item's line.
         */
        private void shapedItem(InputItem item, int firstPiece) {
            List<ObjectNode> params = new ArrayList<>();
            List<LongInputs.Piece> pieces;
            JobSpec.Stratum stratum;
            try {
                stratum = strata == null ? null : strata.select(renderer.userText(item));
                pieces = longInputs == null ? List.of(new LongInputs.Piece(item.fields(), false, null, null))
                        : longInputs.pieces(item.fields());
                for (LongInputs.Piece piece : pieces) params.add(renderer.params(piece.fields(), stratum));
            } catch (RenderException e) {
                if (firstPiece == 0) {
                    countMissingField(e);
                    inOrder(() -> fail(item.id(), item.line(), e.getMessage()));
                }
                return;
            }
            if (firstPiece >= pieces.size()) return;
            ItemCarry whole = ItemCarry.of(item.id(), item.line(), attempt).withLabel(label(item))
                    .withStratum(stratum == null ? null : stratum.name());
            if (cache != null && pieces.size() == 1 && pieces.get(0).chunk() == null) { // one request: cacheable
                ItemCarry carry = whole.withTruncated(pieces.get(0).truncated());
                cache.offer(carry, params.get(0), () -> request(carry, params.get(0)));
                return;
            }
            inOrder(() -> {
                for (int i = firstPiece; i < pieces.size(); i++) {
                    LongInputs.Piece piece = pieces.get(i);
                    request(whole.withTruncated(piece.truncated()).withChunk(piece.chunk(), piece.chunks()),
                            params.get(i));
                }
            });
        }

        /**
         * Plain items are read as flat lines (the fast path) when the job renders them with nothing but the user
         * template's top-level fields: no strata, long inputs or result cache, which need the item's tree.
         */
        @Override
        public io.batchline.input.FlatLine.Fields flatFields() {
            if (longInputs != null || strata != null || cache != null || !requestWriter.usesOwnEscaping()) return null;
            return renderer.flatFields(job.idField(), job.groundTruthField());
        }

        /** Adds one request to the current shard, opening the next shard when it would not fit. */
        void request(ItemCarry carry, ObjectNode params) {
            request(carry, params, null);
        }

        /**
         * As above; with {@code content}, a plain item's escaped user message, {@code params} are the job's
         * {@link PromptRenderer#plainShape} and the request is those with this message, built without a tree.
         */
        void request(ItemCarry carry, ObjectNode params, io.batchline.render.EscapedText content) {
            long line = carry.line();
            boolean isGolden = carry.golden();
            String customId = isGolden ? goldenCustomId(attempt, line) : customId(attempt, line);
            if (carry.chunk() != null) customId = chunkCustomId(customId, carry.chunk());
            ByteArrayOutputStream requestBytes;
            try {
                requestBytes = content == null ? requestWriter.write(customId, params)
                        : requestWriter.writePlain(customId, params, content);
            } catch (IOException e) {
                throw new UncheckedIOException("serialising request " + customId, e);
            }
            int lineBytes = requestBytes.size();
            String problem = RequestCheck.problem(customId, lineBytes, params); // pre-flight checks, per request
            if (problem != null) {
                if (isGolden) throw new GoldenFileException("golden line " + line + ": pre-flight: " + problem);
                failRequest("pre-flight: " + problem, carry);
                return;
            }
            if (ENVELOPE_BYTES + (long) lineBytes > maxBodyBytes) {
                String reason = String.format(Locale.ROOT,
                        "rendered request is %,d bytes, too large for one batch (%s: %,d bytes)",
                        ENVELOPE_BYTES + (long) lineBytes, maxBodyName, maxBodyBytes);
                if (isGolden) throw new GoldenFileException("golden line " + line + ": " + reason); // never an outcome
                failRequest(reason, carry);
                return;
            }
            int chunk = carry.chunk() == null ? 0 : carry.chunk();
            if (current != null && !current.fits(lineBytes)) {
                closeCurrent();
                checkpoint(line, chunk); // off while golden items are planned (checkpointEvery = 0)
            }
            if (current == null) current = new Shard(shards.size());
            if (!current.customIds.add(customId)) {
                failRequest("pre-flight: custom_id " + customId + " is already used in shard " + current.number
                        + " (custom_ids must be unique in a batch)", carry);
                return;
            }
            long tokens = content == null ? TokenEstimator.estimate(params)
                    : TokenEstimator.estimate(params, content.utf8Length());
            current.add(requestBytes, new ShardIndexLine(customId, carry), tokens);
            if (isGolden) golden++;
            else if (carry.chunk() == null || carry.chunk() == 0) valid++; // an item, not a request: chunk 0 counts it
            totalTokens += tokens;
            largestRequestTokens = Math.max(largestRequestTokens, tokens);
            maxOutputTokens += params.path("max_tokens").asLong(job.maxTokens());
            if (canaryLeft > 0 && --canaryLeft == 0) {
                endCanary();
                checkpoint(line, chunk + 1);
            }
        }

        /** Closes the canary's last shard, so nothing else (later items, golden items) shares a batch with it. */
        void endCanary() {
            canaryLeft = 0;
            if (canaryShards == 0 && current != null && job.canary() != null && attempt == 1) {
                closeCurrent();
                canaryShards = shards.size();
            }
        }

        /** Receives the golden file's items: labelled requests of their own namespace; a bad line stops planning. */
        InputVisitor golden(String name) {
            String labelField = job.golden().labelFieldOr(job.groundTruthField());
            return new InputVisitor() {
                @Override
                public void item(InputItem item) {
                    JsonNode label = item.fields().get(labelField);
                    if (label == null || label.isNull() || label.isContainerNode() || label.asText().isEmpty()) {
                        throw new GoldenFileException("golden file " + name + " line " + item.line() + ": no label in"
                                + " field '" + labelField + "' (golden.label_field)");
                    }
                    ObjectNode params;
                    try {
                        params = renderer.params(item);
                    } catch (RenderException e) {
                        throw new GoldenFileException("golden file " + name + " line " + item.line() + ": "
                                + e.getMessage());
                    }
                    request(ItemCarry.of(item.id(), item.line(), attempt).withLabel(label.asText()).withGolden(true),
                            params);
                }

                @Override
                public void error(InputError error) {
                    throw new GoldenFileException("golden file " + name + " line " + error.line() + ": " + error.reason());
                }
            };
        }

        /** The ground-truth label: read here, carried in the index, never rendered into the request. */
        private String label(InputItem item) {
            if (job.groundTruthField() == null) return null;
            if (item.flat() != null) return item.flat().label();
            JsonNode value = item.fields().get(job.groundTruthField());
            return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
        }

        @Override
        public void error(InputError error) {
            if (done(error.line())) return;
            inOrder(() -> fail(error.id(), error.line(), error.reason()));
        }

        private void fail(String id, long line, String reason) {
            invalid++;
            if (firstInvalid.size() < Plan.FIRST_INVALID_LIMIT) firstInvalid.add(new Plan.Invalid(line, reason));
            io.batchline.json.JsonLines.write(failed.stream(), OutcomeLine.failedBeforeSubmit(id, line, reason));
        }

        Plan plan(String input, long lines, long items) {
            return new Plan(runId, attempt, input, lines, items, valid, invalid, List.copyOf(shards), totalTokens,
                    maxOutputTokens, failedKey, List.copyOf(firstInvalid), golden, canaryShards, renderer.shapes(),
                    largestRequestTokens, goldenSkipped);
        }

        void finish() throws IOException {
            if (current != null) closeCurrent();
            failed.finish();
            chunkFailures.finish();
        }

        /**
         * A request that cannot be sent. A chunk's failure is parked as that chunk's outcome, so the item
         * still ends in one line when finalize merges its chunks; anything else fails its item here.
         */
        private void failRequest(String reason, ItemCarry carry) {
            String id = carry.id();
            long line = carry.line();
            if (carry.chunk() == null) {
                fail(id, line, reason);
                return;
            }
            if (carry.chunk() == 0) invalid++; // chunk 0 counts the item, valid or invalid, once
            if (firstInvalid.size() < Plan.FIRST_INVALID_LIMIT) firstInvalid.add(new Plan.Invalid(line, reason));
            io.batchline.json.JsonLines.write(chunkFailures.stream(), new io.batchline.outcome.ChunkOutcome(line, carry.chunk(),
                    carry.chunks(), OutcomeLine.failedBeforeSubmit(id, line, reason)
                            .withStratumAndChunks(carry.stratum(), null)));
        }

        private void closeCurrent() {
            try {
                shards.add(current.close());
            } catch (IOException e) {
                throw new UncheckedIOException("writing shard " + current.number + " of run " + runId, e);
            }
            current = null;
        }

        /** One shard being written: the request lines and, alongside, their index lines. */
        private final class Shard {
            final int number;
            final String key;
            final String indexKey;
            private final OutputStream requests;
            private final OutputStream index;
            /** Unique in a batch, as the provider requires; bounded by the shard size. */
            final java.util.Set<String> customIds = new java.util.HashSet<>();
            private int count;
            private long lineBytes;
            private long tokens;

            Shard(int number) {
                this.number = number;
                this.key = RunKeys.shard(runId, attempt, number);
                this.indexKey = RunKeys.shardIndex(runId, attempt, number);
                this.requests = new BufferedOutputStream(store.create(key, JSONL), 64 * 1024);
                this.index = new BufferedOutputStream(store.create(indexKey, JSONL), 16 * 1024);
            }

            /** The create body once this line joins: envelope + lines + one comma between each two. */
            long bodyBytesWith(int nextLineBytes) {
                return ENVELOPE_BYTES + lineBytes + nextLineBytes + count;
            }

            boolean fits(int nextLineBytes) {
                return count < maxRequests && bodyBytesWith(nextLineBytes) <= maxBodyBytes;
            }

            void add(ByteArrayOutputStream line, ShardIndexLine indexLine, long estimatedTokens) {
                try {
                    line.writeTo(requests);
                    requests.write('\n');
                    index.write(ItemCarryCodec.indexLine(indexLine));
                    index.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException("writing " + key, e);
                }
                count++;
                lineBytes += line.size();
                tokens += estimatedTokens;
            }

            Plan.ShardPlan close() throws IOException {
                requests.close();
                index.close();
                long fileBytes = lineBytes + count;
                long bodyBytes = ENVELOPE_BYTES + lineBytes + Math.max(0, count - 1);
                return new Plan.ShardPlan(number, key, indexKey, count, fileBytes, bodyBytes, tokens);
            }
        }
    }
}
