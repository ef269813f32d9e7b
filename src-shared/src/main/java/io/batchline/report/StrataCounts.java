package io.batchline.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.outcome.OutcomeLine;
import io.batchline.plan.Strata;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * report.json's view of long inputs and strata: {@code truncated} and {@code chunked} items, and
 * {@code strata} {name: {items, accepted, review, rejected, failed, cost_usd}} (items of no stratum under
 * "default"), or null when no item belongs to a stratum. Memory grows with strata, not items.
 */
final class StrataCounts {
    private long truncated;
    private long chunked;
    private boolean anyStratum;
    private final Map<String, Counts> strata = new TreeMap<>();

    private static final class Counts {
        long items;
        final Map<String, Long> outcomes = new TreeMap<>();
        BigDecimal cost = BigDecimal.ZERO.setScale(Price.COST_SCALE);
    }

    void accept(OutcomeLine line) {
        if (Boolean.TRUE.equals(line.truncated())) truncated++;
        if (line.chunks() != null) chunked++;
        if (line.stratum() != null) anyStratum = true;
        Counts c = strata.computeIfAbsent(line.stratum() == null ? Strata.DEFAULT : line.stratum(), k -> new Counts());
        c.items++;
        c.outcomes.merge(line.outcome(), 1L, Long::sum);
        if (line.costUsd() != null) c.cost = c.cost.add(line.costUsd());
    }

    void writeTo(ObjectNode report) {
        report.put("truncated", truncated);
        report.put("chunked", chunked);
        if (!anyStratum) {
            report.putNull("strata");
            return;
        }
        ObjectNode node = report.putObject("strata");
        strata.forEach((name, c) -> {
            ObjectNode s = node.putObject(name);
            s.put("items", c.items);
            for (String outcome : new String[] {"accepted", "review", "rejected", "failed"}) {
                s.put(outcome, c.outcomes.getOrDefault(outcome, 0L));
            }
            s.put("cost_usd", c.cost);
        });
    }
}
