package io.batchline.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.escalate.EscalationRound;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeLine;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;

/**
 * report.json's {@code escalation} block, for a job with an escalation (else null): the round's {@code model},
 * {@code on}, {@code items} escalated, {@code moved} ({@code "<first tier> -> <final outcome>": n}), {@code stayed}
 * (items whose escalated answer ended in the tier they left), {@code cost_usd} of the escalation rounds (the lines'
 * cost minus their first rounds'), {@code first_round_cost_usd} of those items, and {@code price}: the escalation
 * model's price entry, which prices the history entries naming that model. Golden items are not counted (they are
 * no items). Memory grows with tiers, not items.
 */
final class EscalationCounts {
    private JobSpec.Escalation escalation;
    private Price price;
    private long items;
    private long stayed;
    private final Map<String, Long> moved = new TreeMap<>();
    private BigDecimal cost = BigDecimal.ZERO.setScale(Price.COST_SCALE);
    private BigDecimal firstRoundCost = BigDecimal.ZERO.setScale(Price.COST_SCALE);

    void job(JobSpec.Escalation escalation, Price price) {
        this.escalation = escalation;
        this.price = price;
    }

    void accept(OutcomeLine line) {
        JsonNode from = line.escalatedFrom();
        if (from == null) return;
        items++;
        String tier = from.path("tier").asText();
        if (tier.equals(line.outcome())) stayed++;
        moved.merge(tier + " -> " + line.outcome(), 1L, Long::sum);
        JsonNode first = EscalationRound.escalatedFrom(line.history());
        BigDecimal firstCost = first == null || !first.path("cost_usd").isNumber() ? BigDecimal.ZERO
                : first.get("cost_usd").decimalValue();
        firstRoundCost = firstRoundCost.add(firstCost);
        if (line.costUsd() != null) cost = cost.add(line.costUsd().subtract(firstCost));
    }

    void writeTo(ObjectNode report) {
        if (escalation == null) return; // no block for a job without an escalation
        ObjectNode node = report.putObject("escalation");
        node.put("model", escalation.model());
        node.set("on", Json.MAPPER.valueToTree(escalation.on() == null
                ? java.util.List.of(JobSpec.Escalation.REJECTED) : escalation.on()));
        node.put("items", items);
        ObjectNode m = node.putObject("moved");
        moved.forEach(m::put);
        node.put("stayed", stayed);
        node.put("cost_usd", cost);
        node.put("first_round_cost_usd", firstRoundCost);
        if (price != null) node.set("price", Json.MAPPER.valueToTree(price));
    }
}
