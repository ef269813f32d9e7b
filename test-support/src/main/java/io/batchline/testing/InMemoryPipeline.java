package io.batchline.testing;

import io.batchline.budget.BudgetGuard;
import io.batchline.cost.PriceTable;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.pipeline.PipelineContext;
import io.batchline.store.ObjectStore;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The domain's stages wired to in-memory ports and a {@link ScriptedBatchProvider}, with a {@link TestClock} that
 * stands still until moved: what a stage test that is not about AWS needs, built in microseconds. One
 * {@link InMemoryObjectStore} per bucket; the result cache and report pages are wired, the review queue and the
 * budget guard only when asked for ({@link #withReviewQueue}, {@link #withBudget}), as in the handlers.
 */
public final class InMemoryPipeline {
    public static final String BUCKET = "stage-test";
    public static final String TABLE = "batchline";
    /** Where the clock starts: a fixed instant, so runs are repeatable. */
    public static final Instant START = Instant.parse("2026-12-01T10:00:00Z");

    public final TestClock clock = new TestClock(START);
    public final ScriptedBatchProvider provider = new ScriptedBatchProvider(clock);
    public final InMemoryRunStore runs = new InMemoryRunStore();
    public final InMemoryIdempotencyStore idempotency = new InMemoryIdempotencyStore();
    public final InMemoryResultCacheStore resultCache = new InMemoryResultCacheStore();
    public final InMemoryBudgetLedger budget = new InMemoryBudgetLedger();
    public final InMemoryUsageStore usage = new InMemoryUsageStore();
    public final InMemoryReviewQueue reviewQueue = new InMemoryReviewQueue();
    public final InMemoryExecutionStarter executions = new InMemoryExecutionStarter();
    public final RecordingReportPages reportPages = new RecordingReportPages();
    /** What a stage did in a bucket that its deployed function's role does not grant ({@link #ctxFor}). */
    public final List<String> bucketAccessRefused = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<String, InMemoryObjectStore> buckets = new ConcurrentHashMap<>();
    private final Map<String, PipelineContext> stageContexts = new ConcurrentHashMap<>();
    private PipelineContext ctx;
    private boolean withReviewQueue;
    private BudgetGuard budgetGuard = BudgetGuard.off();

    /** The object store of {@link #BUCKET}. */
    public InMemoryObjectStore store() {
        return store(BUCKET);
    }

    public InMemoryObjectStore store(String bucket) {
        return buckets.computeIfAbsent(bucket, InMemoryObjectStore::new);
    }

    /** Sends review items to {@link #reviewQueue} too; call before {@link #ctx()}. */
    public InMemoryPipeline withReviewQueue() {
        requireNoContext();
        withReviewQueue = true;
        return this;
    }

    /** Guards spending with {@link #budget} and this monthly limit (null: recorded, no limit); before {@link #ctx()}. */
    public InMemoryPipeline withBudget(BigDecimal monthlyLimit) {
        requireNoContext();
        budgetGuard = new BudgetGuard(budget, monthlyLimit, clock);
        return this;
    }

    /** The context every stage of this pipeline shares; built on first use. */
    public synchronized PipelineContext ctx() {
        if (ctx == null) ctx = context(this::store);
        return ctx;
    }

    /**
     * The context of the stage named {@code stage} (one of {@code StageNames}): like {@link #ctx()}, but each bucket
     * seen through the grants of that stage's function ({@link GrantedObjectStore}), refusals kept in
     * {@link #bucketAccessRefused}.
     */
    public PipelineContext ctxFor(String stage) {
        return stageContexts.computeIfAbsent(stage, s ->
                context(bucket -> new GrantedObjectStore(store(bucket), s, bucketAccessRefused)));
    }

    /**
     * A context like {@link #ctx()} on the same ports, but whose buckets are all {@code store}: a store that fails
     * on purpose, say, for a process that dies part-way.
     */
    public PipelineContext ctxOver(ObjectStore store) {
        return context(bucket -> store);
    }

    private PipelineContext context(Function<String, ObjectStore> stores) {
        PipelineContext c = new PipelineContext(stores, runs, provider, PriceTable.bundled(),
                new PipelineConfig(TABLE, null, 1, 5), clock, budgetGuard);
        c.reportPages(reportPages).resultCache(resultCache);
        if (withReviewQueue) c.reviewQueue(reviewQueue);
        return c;
    }

    private void requireNoContext() {
        if (ctx != null || !stageContexts.isEmpty()) throw new IllegalStateException("the PipelineContext is built already");
    }
}
