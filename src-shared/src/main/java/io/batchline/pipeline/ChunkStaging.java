package io.batchline.pipeline;

import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.json.JsonLines;
import io.batchline.outcome.ChunkOutcome;
import io.batchline.outcome.OutcomeLine;
import io.batchline.plan.ShardIndexLine;
import io.batchline.plan.Strata;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The collector's side of long inputs and strata. A chunk's final verdict does not become an outcome
 * line: it is parked in the shard's chunk part, sorted by line and chunk, and finalize merges all chunks of an
 * item into its one line ({@link FinalizeStage}, {@link io.batchline.outcome.ChunkMerge}). Chunks of one item
 * may be answered in different shards and attempts; only finalize sees them all. Memory is bounded by the shard.
 * An item of a stratum gets its stratum on the line and is priced at its own model's price.
 */
final class ChunkStaging {
    private final JobSpec job;
    private final Map<String, Price> prices;
    private final boolean chunking;
    private final List<ChunkOutcome> staged = new ArrayList<>();

    /** job and table null: only stage (a canceled shard's lines are already priced at zero) */
    ChunkStaging(JobSpec job, PriceTable table) {
        this.job = job;
        this.prices = job == null || job.strata() == null ? null : Strata.prices(job, table);
        this.chunking = job != null && job.longInputs() != null && "chunk".equals(job.longInputs().mode());
    }

    /** The line with its item's stratum, costed at that stratum's model when it is not the job's. */
    OutcomeLine inStratum(ShardIndexLine item, OutcomeLine line) {
        if (item.carry().stratum() == null || job == null) return line;
        line = line.withStratumAndChunks(item.carry().stratum(), null);
        String model = Strata.model(job, item.carry().stratum());
        if (prices == null || model.equals(job.model()) || line.usage() == null) return line;
        if (line.escalatedFrom() != null) return line; // priced per round by the collector already
        return line.withCost(prices.get(model).cost(line.usage()));
    }

    /** Parks a chunk's verdict; false when the item is not chunked (its line is final). */
    boolean stage(ShardIndexLine item, OutcomeLine line) {
        if (item.carry().chunks() == null) return false;
        staged.add(new ChunkOutcome(item.carry().line(), item.carry().chunk(), item.carry().chunks(), line));
        return true;
    }

    /** Writes the shard's chunk part whole (a repeated collect rewrites it), when the job chunks or any was parked. */
    void write(ObjectStore store, String runId, int attempt, int shard) throws IOException {
        if (staged.isEmpty()) { // nothing to park: a chunked job's repeated collect leaves no older part (DELETE is free)
            if (chunking) store.delete(RunKeys.chunkPart(runId, attempt, shard));
            return;
        }
        staged.sort(ChunkOutcome.ORDER);
        try (OutputStream out = store.create(RunKeys.chunkPart(runId, attempt, shard), "application/x-ndjson")) {
            for (ChunkOutcome c : staged) JsonLines.write(out, c);
        }
    }
}
