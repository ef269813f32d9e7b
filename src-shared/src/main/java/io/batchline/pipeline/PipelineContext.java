package io.batchline.pipeline;

import io.batchline.budget.BudgetGuard;
import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecException;
import io.batchline.job.JobSpecLoader;
import io.batchline.provider.BatchProvider;
import io.batchline.run.RunKeys;
import io.batchline.run.RunStore;
import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** What the stages share: stores, the batch provider, prices, settings. Built once per function instance. */
public final class PipelineContext {
    private final Function<String, ObjectStore> storeForBucket;
    private final Map<String, ObjectStore> stores = new ConcurrentHashMap<>();
    private final RunStore runs;
    private final BatchProvider provider;
    private final PriceTable prices;
    private final PipelineConfig config;
    private final Clock clock;
    private final BudgetGuard budget;
    /** Where the stages let a fault be injected: armed by the configuration's chaos file, none in AWS. */
    private final io.batchline.chaos.FaultPoints faults;

    public PipelineContext(Function<String, ObjectStore> storeForBucket, RunStore runs,
                           BatchProvider provider, PriceTable prices, PipelineConfig config, Clock clock) {
        this(storeForBucket, runs, provider, prices, config, clock, BudgetGuard.off());
    }

    /** With the budget guard; the six-argument form leaves it off, for stage tests that do not need it. */
    public PipelineContext(Function<String, ObjectStore> storeForBucket, RunStore runs,
                           BatchProvider provider, PriceTable prices, PipelineConfig config, Clock clock,
                           BudgetGuard budget) {
        this.storeForBucket = storeForBucket;
        this.runs = runs;
        this.provider = provider;
        this.prices = prices;
        this.config = config;
        this.clock = clock;
        this.budget = budget;
        this.faults = io.batchline.chaos.Chaos.of(config.chaosFile());
    }

    public io.batchline.chaos.FaultPoints faults() {
        return faults;
    }

    public ObjectStore store(String bucket) {
        return stores.computeIfAbsent(bucket, storeForBucket);
    }

    public RunStore runs() {
        return runs;
    }

    public BatchProvider provider() {
        return provider;
    }

    public PriceTable prices() {
        return prices;
    }

    /** The last run priced, with its table: a function instance mostly serves one run at a time. */
    private volatile Map.Entry<String, PriceTable> runPrices;

    /**
     * The prices a run is charged at: the catalogue entries in force on the day it started (its run record's
     * {@code startedAt}), so every stage of a run that spans a price change prices it alike. Today's when the
     * run has no record.
     */
    public PriceTable pricesForRun(String runId) {
        Map.Entry<String, PriceTable> last = runPrices;
        if (last != null && last.getKey().equals(runId)) return last.getValue();
        PriceTable table = runs.run(runId)
                .filter(r -> r.startedAt() != null)
                .map(r -> prices.on(r.startedAt().atZone(java.time.ZoneOffset.UTC).toLocalDate()))
                .orElse(prices);
        runPrices = Map.entry(runId, table);
        return table;
    }

    public PipelineConfig config() {
        return config;
    }

    public Clock clock() {
        return clock;
    }

    /** Where review items are sent besides review.jsonl; null when no queue is configured. */
    private volatile io.batchline.quality.ReviewQueue reviewQueue;

    public PipelineContext reviewQueue(io.batchline.quality.ReviewQueue queue) {
        this.reviewQueue = queue;
        return this;
    }

    public io.batchline.quality.ReviewQueue reviewQueue() {
        return reviewQueue;
    }

    /** The idempotency records the handlers wrap their stage call in; null in stage tests. */
    private volatile io.batchline.idempotency.IdempotentStage idempotency;

    public PipelineContext idempotency(io.batchline.idempotency.IdempotentStage idempotency) {
        this.idempotency = idempotency;
        return this;
    }

    public io.batchline.idempotency.IdempotentStage idempotency() {
        return idempotency;
    }

    /** Where the result cache lives (used only by jobs with result_cache); null in stage tests. */
    private volatile io.batchline.cache.ResultCacheStore resultCache;

    public PipelineContext resultCache(io.batchline.cache.ResultCacheStore cache) {
        this.resultCache = cache;
        return this;
    }

    public io.batchline.cache.ResultCacheStore resultCache() {
        return resultCache;
    }

    /**
     * Where the fields a stage learns mid-invocation (the batch id of a shard) go so that every later log line of
     * the invocation carries them: the functions' logging MDC; nowhere unless wired.
     */
    private volatile java.util.function.BiConsumer<String, String> logFields = (key, value) -> { };

    public PipelineContext logFields(java.util.function.BiConsumer<String, String> mdcPut) {
        this.logFields = mdcPut;
        return this;
    }

    /** Adds {@code key} to the invocation's later log lines; a null value adds nothing. */
    public void logField(String key, String value) {
        if (value != null) logFields.accept(key, value);
    }

    /** Renders report.html for the finalizer; every process that finalizes runs is wired with one. */
    private volatile io.batchline.report.ReportPages reportPages;

    public PipelineContext reportPages(io.batchline.report.ReportPages pages) {
        this.reportPages = pages;
        return this;
    }

    public io.batchline.report.ReportPages reportPages() {
        if (reportPages == null) {
            throw new IllegalStateException("no ReportPages wired into the PipelineContext: report.html cannot be"
                    + " rendered");
        }
        return reportPages;
    }

    public BudgetGuard budget() {
        return budget;
    }

    /** The job spec snapshot the run started with. */
    public JobSpec jobOfRun(String bucket, String runId) {
        return loadJob(store(bucket), RunKeys.jobSnapshot(runId));
    }

    /** The job spec at {@code key}, checked against the configured catalogue and API version. */
    JobSpec loadJob(ObjectStore store, String key) {
        try (InputStream in = store.open(key)) {
            return JobSpecLoader.load(in, config.catalogue(), config.anthropicVersion());
        } catch (NoSuchObjectException e) {
            throw new PermanentStageException("JobSpecMissing", "no job spec at " + key, e);
        } catch (JobSpecException e) {
            throw new PermanentStageException("JobSpecInvalid", key + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
