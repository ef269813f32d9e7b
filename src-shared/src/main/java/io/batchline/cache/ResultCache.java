package io.batchline.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.idempotency.Idempotency;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.pipeline.TransientStageException;
import io.batchline.route.ConfidenceRouter;
import io.batchline.route.Routing;
import io.batchline.run.RunKeys;
import io.batchline.run.ShardRecord;
import io.batchline.store.ObjectStore;
import io.batchline.validate.InvalidOutput;
import io.batchline.validate.OutputValidator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The result cache (opt-in with the job's {@code result_cache: {window: 7d}}): an item whose
 * request, i.e. its params (model, parameters and rendered prompt), hashes (SHA-256 of canonical JSON) to an
 * answer stored by an earlier run within the window is not sent: its outcome line is written from that answer at
 * planning, routed by this job's confidence thresholds, with {@code cached: true} and cost 0. Collect stores
 * every valid answer of a first request shape.
 */
public final class ResultCache {
    private ResultCache() {}

    /** The cache key of a request: its params as canonical JSON (keys sorted), hashed. */
    public static String requestHash(JsonNode params) {
        return Idempotency.payloadHash(params);
    }

    /** The planner's side for one run, or null when the job does not ask for the cache or it is not configured. */
    public static Lookup lookup(ResultCacheStore cache, JobSpec job, String runId, ObjectStore store, Clock clock) {
        if (cache == null || job.resultCache() == null) return null;
        return new Lookup(cache, job, runId, store, clock);
    }

    /**
     * Looks items up in bounded batches while the planner streams (memory: at most {@link
     * ResultCacheStore#MAX_KEYS_PER_LOOKUP} pending items): a hit becomes a cached outcome line, a miss is handed back
     * to the planner through its {@code send}, in input order.
     */
    public static final class Lookup {
        /** An item to look up ({@code hash} set), or another step of planning kept in input order (hash null). */
        private record Pending(io.batchline.plan.ItemCarry item, String hash, Runnable send) {}

        private final ResultCacheStore cache;
        private final long oldestStoredAt;
        private final OutputValidator validator;
        private final ConfidenceRouter router;
        private final Map<OutcomeKind, io.batchline.plan.SegmentedPart> parts = new EnumMap<>(OutcomeKind.class);
        private final List<Pending> pending = new ArrayList<>(ResultCacheStore.MAX_KEYS_PER_LOOKUP);
        private long hits;

        Lookup(ResultCacheStore cache, JobSpec job, String runId, ObjectStore store, Clock clock) {
            this.cache = cache;
            this.oldestStoredAt = clock.instant().minus(job.resultCache().windowDuration()).getEpochSecond();
            this.validator = new OutputValidator(job.outputSchema());
            this.router = new ConfidenceRouter(job.confidence());
            // always written whole: a repeated planning never leaves an earlier pass's lines behind
            for (OutcomeKind kind : List.of(OutcomeKind.ACCEPTED, OutcomeKind.REVIEW, OutcomeKind.REJECTED)) {
                parts.put(kind, new io.batchline.plan.SegmentedPart(store, RunKeys.cachedPart(runId, kind),
                        n -> RunKeys.planSegment(runId, 1, partName(kind), n), true));
            }
        }

        /**
         * One rendered item (its one request); {@code send} puts it into a shard when it is not answered from the
         * cache. Its label, stratum and truncated flag go on its cached line as on a sent item's.
         */
        public void offer(io.batchline.plan.ItemCarry item, ObjectNode params, Runnable send) {
            pending.add(new Pending(item, requestHash(params), send));
            if (pending.size() >= ResultCacheStore.MAX_KEYS_PER_LOOKUP) flush();
        }

        /**
         * Runs a step of planning (a failed line, a long item's requests) after every item offered before it is
         * decided, so planning's outputs stay in input order and a format checkpoint has one position.
         */
        public void defer(Runnable step) {
            pending.add(new Pending(null, null, step));
            if (pending.size() >= ResultCacheStore.MAX_KEYS_PER_LOOKUP) flush();
        }

        /** Decides every pending item and writes the cached parts; call once, after the last item. */
        public void finish() {
            flush();
            for (io.batchline.plan.SegmentedPart part : parts.values()) part.finish();
        }

        /** A format checkpoint: the segments of each cached part so far, by part name. */
        public Map<String, List<Integer>> checkpoint() {
            Map<String, List<Integer>> segments = new HashMap<>();
            parts.forEach((kind, part) -> segments.put(partName(kind), part.checkpoint()));
            return segments;
        }

        /** A resumed planning pass: what the checkpoint recorded, before any item. */
        public void restore(Map<String, List<Integer>> segments, long hitsBefore) {
            parts.forEach((kind, part) -> part.restore(segments.getOrDefault(partName(kind), List.of())));
            hits = hitsBefore;
        }

        private static String partName(OutcomeKind kind) {
            return "cached-" + kind.label();
        }

        public long hits() {
            return hits;
        }

        private void flush() {
            if (pending.isEmpty()) return;
            List<String> hashes = new ArrayList<>(pending.size());
            for (Pending p : pending) {
                if (p.hash() != null) hashes.add(p.hash());
            }
            Map<String, CachedAnswer> found = hashes.isEmpty() ? Map.of() : cache.getAll(hashes);
            for (Pending p : pending) {
                OutcomeLine cached = p.hash() == null ? null : answer(p, found.get(p.hash()));
                if (cached == null) {
                    p.send().run();
                } else {
                    JsonLines.write(parts.get(cached.kind()).stream(), cached);
                    hits++;
                }
            }
            pending.clear();
        }

        /** The cached line, or null when there is no answer, it is older than the window, or breaks this schema. */
        private OutcomeLine answer(Pending p, CachedAnswer a) {
            if (a == null || a.storedAt() < oldestStoredAt || !validator.validate(a.output()).isEmpty()) return null;
            Routing routing = router.route(a.output());
            io.batchline.plan.ItemCarry item = p.item();
            return OutcomeLine.of(item.id(), item.line(), routing.kind()).reason(routing.reason()).output(a.output())
                    .confidence(routing.confidence()).free().truncated(item.truncated())
                    .groundTruth(item.label()).stratum(item.stratum()).cached(true).build();
        }
    }

    /**
     * Sends the cached review items to the review queue, as collect does for a shard's (once per run: a marker
     * keeps a repeated planning from sending again).
     */
    public static void publishReviews(io.batchline.quality.ReviewQueue queue, JobSpec job, ObjectStore store,
                                      String runId) {
        if (queue == null || job.resultCache() == null || !store.exists(RunKeys.cachedPart(runId, OutcomeKind.REVIEW))) {
            return;
        }
        try {
            io.batchline.quality.ReviewPublisher.publishCached(queue, store, runId);
        } catch (io.batchline.quality.ReviewQueue.ReviewQueueException e) {
            throw new TransientStageException(e.getMessage(), e);
        }
    }

    /**
     * Collect's side: stores this shard's valid answers (accepted, review, and rejected for confidence only; not
     * repaired ones, whose request was the repair) under the hash of the request that got them. Reads the shard's
     * requests (bounded by the shard) and the outcome parts collect just wrote.
     */
    public static long storeCollected(ResultCacheStore cache, JobSpec job, ObjectStore store, ShardRecord shard,
                                      Clock clock) {
        if (cache == null || job.resultCache() == null) return 0;
        Map<String, String> hashByCustomId = new HashMap<>();
        JsonLines.forEachLine(store.open(shard.requestsKey()), line -> {
            JsonNode request = Json.tree(line.getBytes(StandardCharsets.UTF_8));
            hashByCustomId.put(request.path("custom_id").asText(), requestHash(request.get("params")));
        });
        long now = clock.instant().getEpochSecond();
        long expiresAt = now + job.resultCache().windowDuration().toSeconds();
        long[] stored = {0};
        // one listing of the shard's segments for the three kinds (a large shard's checkpointed segments too)
        for (String part : io.batchline.pipeline.CollectCheckpoint.shardParts(store, shard.runId(), shard.attempt(),
                shard.shard(), List.of(OutcomeKind.ACCEPTED, OutcomeKind.REVIEW, OutcomeKind.REJECTED))) {
            JsonLines.forEachLine(store.open(part), text -> {
                OutcomeLine line = Json.read(text.getBytes(StandardCharsets.UTF_8), OutcomeLine.class);
                String hash = line.customId() == null ? null : hashByCustomId.get(line.customId());
                if (hash == null || line.output() == null || Boolean.TRUE.equals(line.repaired())
                        || InvalidOutput.isInvalidOutputReason(line.reason())) {
                    return;
                }
                try {
                    cache.put(hash, new CachedAnswer(line.output(), shard.runId(), line.customId(), now), expiresAt);
                    stored[0]++;
                } catch (RuntimeException e) {
                    throw new TransientStageException("storing answer " + line.customId() + " in the result cache: "
                            + e.getMessage(), e);
                }
            });
        }
        return stored[0];
    }
}
