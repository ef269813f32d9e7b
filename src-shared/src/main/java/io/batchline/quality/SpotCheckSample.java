package io.batchline.quality;

import io.batchline.job.JobSpec;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The spot-check sample for human review: a seeded uniform random choice of the processed items (accepted, review and
 * rejected: the ones with a model answer to check), {@code max(min, ceil(rate * items))} of them, or all when
 * fewer. Reservoir sampling over the outcome lines as the finalizer streams them, so one pass suffices; memory
 * holds only the sample itself. The same run gives the same sample.
 */
public final class SpotCheckSample {
    public static final double DEFAULT_RATE = 0.01;
    public static final int DEFAULT_MIN = 100;

    private record Entry(long line, byte[] bytes) {}

    private final int size;
    private final SplittableRandom random;
    private final List<Entry> reservoir;
    private long seen;

    /** @param expectedItems the run's item count (an upper bound of the processed items) */
    public SpotCheckSample(JobSpec.Sample sample, String runId, long expectedItems) {
        double rate = sample == null || sample.rate() == null ? DEFAULT_RATE : sample.rate();
        int min = sample == null || sample.min() == null ? DEFAULT_MIN : sample.min();
        long seed = sample == null || sample.seed() == null ? runId.hashCode() : sample.seed();
        this.size = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(min, (long) Math.ceil(rate * expectedItems)));
        this.random = new SplittableRandom(seed);
        this.reservoir = new ArrayList<>(Math.min(size, 10_000));
    }

    public static String key(String runId) {
        return RunKeys.run(runId) + "out/sample.jsonl";
    }

    public int size() {
        return size;
    }

    /** Offers one outcome line (its JSON bytes); failed items have no answer to check and are skipped. */
    public void offer(OutcomeKind kind, long line, byte[] bytes) {
        if (kind == OutcomeKind.FAILED) return;
        seen++;
        if (reservoir.size() < size) {
            reservoir.add(new Entry(line, bytes));
        } else {
            long j = random.nextLong(seen);
            if (j < size) reservoir.set((int) j, new Entry(line, bytes));
        }
    }

    /** Writes sample.jsonl, ordered by input line, and returns how many items it holds. */
    public int write(ObjectStore store, String runId) {
        reservoir.sort(Comparator.comparingLong(Entry::line));
        try (OutputStream out = store.create(key(runId), "application/x-ndjson")) {
            for (Entry e : reservoir) {
                out.write(e.bytes());
                out.write('\n');
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing " + key(runId) + ": " + e.getMessage(), e);
        }
        return reservoir.size();
    }

}
