package io.batchline.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Builds report.json, the run report, from a run's outcome lines, streamed through {@link #accept} one at a time.
 * Only counters are kept, so memory does not grow with items (the batch list grows with shards). Not
 * thread-safe: one finalizer feeds one builder.
 *
 * <p>The field names written by {@link #build()} are a public contract: add fields, never rename them.
 */
public final class RunReportBuilder {

    /** Distinct reason groups shown under failed_reasons / rejected_reasons; the rest add up under OTHER_REASONS. */
    public static final int TOP_REASONS = 20;
    public static final String OTHER_REASONS = "(other reasons)";
    /** Groups tracked before new ones go straight to OTHER_REASONS: keeps memory flat on pathological runs. */
    private static final int TRACKED_REASONS = 500;
    private static final int REASON_KEY_CHARS = 100;
    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final int HISTOGRAM_BUCKETS = 10;

    private final EnumMap<OutcomeKind, Long> counts = new EnumMap<>(OutcomeKind.class);
    private long items;
    private long retriedItems;
    /** items whose answer only became valid in the repair round, and rejections for an invalid answer */
    private long repaired;
    private long rejectedInvalid;
    /** every invalid answer (the first of a repaired item too), by what made it invalid */
    private final java.util.Map<String, Long> invalidCauses = new java.util.TreeMap<>();
    /** items billed at a prompt tier of the price entry */
    private long tierItems;

    /** Each invalid answer of the line: its history's invalid_output attempts, or its own reason. */
    private void countInvalidAnswers(OutcomeLine line, OutcomeKind kind) {
        if (line.history() != null && line.history().isArray()) {
            for (com.fasterxml.jackson.databind.JsonNode attempt : line.history()) {
                if (!"invalid_output".equals(attempt.path("result").asText())) continue;
                String cause = io.batchline.validate.InvalidOutput.cause(attempt.path("reason").asText(null));
                invalidCauses.merge(cause == null ? "other" : cause, 1L, Long::sum);
            }
            return;
        }
        String cause = kind == OutcomeKind.REJECTED ? io.batchline.validate.InvalidOutput.cause(line.reason()) : null;
        if (cause != null) invalidCauses.merge(cause, 1L, Long::sum);
    }
    /** items answered from the result cache (nothing sent, cost 0) */
    private long cached;
    private Usage usage = Usage.ZERO;
    private BigDecimal costUsd = BigDecimal.ZERO.setScale(Price.COST_SCALE);
    /** what the golden items cost; inside costUsd and usage, they are paid for like any other request */
    private BigDecimal goldenCostUsd = BigDecimal.ZERO.setScale(Price.COST_SCALE);
    private final long[] confidenceHistogram = new long[HISTOGRAM_BUCKETS];
    private final ReasonCounts failedReasons = new ReasonCounts();
    private final ReasonCounts rejectedReasons = new ReasonCounts();
    private final StrataCounts strataCounts = new StrataCounts();
    private final EscalationCounts escalationCounts = new EscalationCounts();

    private String runId;
    private String job;
    private String input;
    private Price price;
    private Double acceptAt;
    private Double reviewAt;
    private final List<BatchSummary> batches = new ArrayList<>();
    private Instant startedAt;
    private String status = "succeeded";
    private Instant canceledAt;
    private Instant finishedAt;
    // error classes (for error-rate metrics), the monthly forecast and the budget
    private final EnumMap<ErrorClass, Long> errorClasses = new EnumMap<>(ErrorClass.class);
    private Forecast forecast;
    private com.fasterxml.jackson.databind.JsonNode budget;
    private com.fasterxml.jackson.databind.JsonNode calibration;

    public RunReportBuilder() {
        for (OutcomeKind kind : OutcomeKind.values()) {
            counts.put(kind, 0L);
        }
    }

    /**
     * A golden item's result: its usage and cost join the run's totals (so the budget settles what was
     * really spent); it is not an item, so no count, histogram or reason changes.
     */
    public RunReportBuilder golden(OutcomeLine line) {
        if (line.usage() != null) usage = usage.plus(line.usage());
        if (line.costUsd() != null) {
            costUsd = costUsd.add(line.costUsd());
            goldenCostUsd = goldenCostUsd.add(line.costUsd());
        }
        return this;
    }

    /** Counts one outcome line; every input line of the run must come through here exactly once. */
    public RunReportBuilder accept(OutcomeLine line) {
        Objects.requireNonNull(line, "outcome line");
        OutcomeKind kind;
        try {
            kind = line.kind();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("outcome line " + line.id() + " (input line " + line.line()
                    + ") has an unknown outcome '" + line.outcome() + "'", e);
        }
        counts.merge(kind, 1L, Long::sum);
        items++;
        strataCounts.accept(line); // truncated and chunked items, strata
        escalationCounts.accept(line);
        if (line.attempts() > 1) {
            retriedItems++;
        }
        if (Boolean.TRUE.equals(line.repaired())) {
            repaired++;
        }
        if (Boolean.TRUE.equals(line.cached())) {
            cached++;
        }
        if (kind == OutcomeKind.REJECTED && io.batchline.validate.InvalidOutput.isInvalidOutputReason(line.reason())) {
            rejectedInvalid++;
        }
        countInvalidAnswers(line, kind);
        if (price != null && line.usage() != null && price.tierFor(line.usage()) != null) tierItems++;
        if (line.usage() != null) {
            usage = usage.plus(line.usage());
        }
        if (line.costUsd() != null) {
            costUsd = costUsd.add(line.costUsd());
        }
        if (line.confidence() != null) {
            confidenceHistogram[bucket(line.confidence())]++;
        }
        ErrorClass errorClass = ErrorClass.of(line);
        if (errorClass != null) {
            errorClasses.merge(errorClass, 1L, Long::sum);
        }
        if (kind == OutcomeKind.FAILED) {
            failedReasons.add(line.reason());
        } else if (kind == OutcomeKind.REJECTED) {
            rejectedReasons.add(line.reason());
        }
        return this;
    }

    public RunReportBuilder runId(String runId) {
        this.runId = runId;
        return this;
    }

    public RunReportBuilder job(String job) {
        this.job = job;
        return this;
    }

    /** The input object the run was started from, e.g. "inbox/tickets/2026-11-03.jsonl". */
    public RunReportBuilder input(String input) {
        this.input = input;
        return this;
    }

    public RunReportBuilder price(Price price) {
        this.price = price;
        return this;
    }

    /** The job's escalation and its model's price: report.json then has an {@code escalation} block. */
    public RunReportBuilder escalation(JobSpec.Escalation escalation, Price price) {
        escalationCounts.job(escalation, price);
        return this;
    }

    public RunReportBuilder thresholds(JobSpec.Confidence confidence) {
        return thresholds(confidence.acceptAt(), confidence.reviewAt());
    }

    public RunReportBuilder thresholds(double acceptAt, double reviewAt) {
        this.acceptAt = acceptAt;
        this.reviewAt = reviewAt;
        return this;
    }

    public RunReportBuilder batch(BatchSummary batch) {
        batches.add(Objects.requireNonNull(batch, "batch"));
        return this;
    }

    /**
     * How the run ended: {@code succeeded}, or {@code canceled} with when an operator requested the cancel;
     * either way the outcome files account for every input line.
     */
    public RunReportBuilder status(String status, Instant canceledAt) {
        this.status = status;
        this.canceledAt = canceledAt;
        return this;
    }

    public RunReportBuilder startedAt(Instant startedAt) {
        this.startedAt = startedAt;
        return this;
    }

    /** Forecast: how the account's month is going; see {@link Forecast}. */
    public RunReportBuilder forecast(Forecast forecast) {
        this.forecast = forecast;
        return this;
    }

    /** The token estimator's error on a counted sample (plan-a1.json's calibration); null = none. */
    public RunReportBuilder calibration(com.fasterxml.jackson.databind.JsonNode calibration) {
        this.calibration = calibration;
        return this;
    }

    /** The run's budget reservation and its month, as the budget guard settled them. */
    public RunReportBuilder budget(com.fasterxml.jackson.databind.JsonNode budget) {
        this.budget = budget;
        return this;
    }

    public long errorCount(ErrorClass errorClass) {
        return errorClasses.getOrDefault(errorClass, 0L);
    }

    /**
     * Items per hour of wall time from start to finish, null before both are known or for a zero-length
     * run. Wall time includes the provider's queueing: it is the throughput a user sees, not the model's speed.
     */
    public BigDecimal itemsPerHour() {
        if (startedAt == null || finishedAt == null || !finishedAt.isAfter(startedAt)) {
            return null;
        }
        BigDecimal hours = BigDecimal.valueOf(java.time.Duration.between(startedAt, finishedAt).toMillis())
                .divide(BigDecimal.valueOf(3_600_000L), 12, RoundingMode.HALF_UP);
        return BigDecimal.valueOf(items).divide(hours, 1, RoundingMode.HALF_UP);
    }

    /**
     * Share of answered items whose output was valid JSON meeting the schema (pass rate): accepted, review and
     * low-confidence rejects over those plus invalid-output and schema rejects; null when nothing was answered.
     */
    public BigDecimal validationPassRate() {
        long invalid = errorCount(ErrorClass.INVALID_OUTPUT) + errorCount(ErrorClass.SCHEMA_MISMATCH);
        long valid = count(OutcomeKind.ACCEPTED) + count(OutcomeKind.REVIEW) + errorCount(ErrorClass.LOW_CONFIDENCE);
        if (valid + invalid == 0) {
            return null;
        }
        return BigDecimal.valueOf(valid).divide(BigDecimal.valueOf(valid + invalid), 4, RoundingMode.HALF_UP);
    }

    public long[] confidenceHistogram() {
        return confidenceHistogram.clone();
    }

    public RunReportBuilder finishedAt(Instant finishedAt) {
        this.finishedAt = finishedAt;
        return this;
    }

    public long items() {
        return items;
    }

    public long count(OutcomeKind kind) {
        return counts.get(kind);
    }

    public long retriedItems() {
        return retriedItems;
    }

    public Usage usage() {
        return usage;
    }

    public BigDecimal costUsd() {
        return costUsd;
    }

    /** Cost per item, scale 8; zero for a run without items. */
    public BigDecimal costPerItemUsd() {
        if (items == 0) {
            return BigDecimal.ZERO.setScale(Price.COST_SCALE);
        }
        return costUsd.divide(BigDecimal.valueOf(items), Price.COST_SCALE, RoundingMode.HALF_UP);
    }

    /**
     * Item conservation: the run accounted for exactly {@code expectedItems} items (its input line
     * count) and the four outcome counts add up to it.
     */
    public boolean conserves(long expectedItems) {
        long sum = counts.values().stream().mapToLong(Long::longValue).sum();
        return items == expectedItems && sum == expectedItems;
    }

    /** report.json. Fields never set are written as null so the shape is the same for every run. */
    public ObjectNode build() {
        ObjectNode report = Json.MAPPER.createObjectNode();
        report.put("run_id", runId);
        report.put("job", job);
        report.put("input", input);
        report.put("status", status);
        if (canceledAt != null) report.put("canceled_at", canceledAt.toString());
        report.put("items", items);
        report.put("accepted", count(OutcomeKind.ACCEPTED));
        report.put("review", count(OutcomeKind.REVIEW));
        report.put("rejected", count(OutcomeKind.REJECTED));
        report.put("failed", count(OutcomeKind.FAILED));
        report.put("retried_items", retriedItems);
        // escalated: items that failed transiently on every allowed attempt (alarm on the EscalatedItems metric)
        report.put("escalated_items", errorCount(ErrorClass.PROVIDER_TRANSIENT));
        report.put("repaired", repaired);
        report.put("rejected_invalid", rejectedInvalid);
        // what made answers invalid: with structured outputs only refusals, max_tokens stops and the constraints
        // the API does not enforce (schema) are expected
        ObjectNode causes = report.putObject("invalid_output_causes");
        invalidCauses.forEach(causes::put);
        report.put("cached", cached);

        ObjectNode usageNode = report.putObject("usage");
        usageNode.put("input_tokens", usage.inputTokens());
        usageNode.put("output_tokens", usage.outputTokens());
        usageNode.put("cache_creation_input_tokens", usage.cacheCreationInputTokens());
        usageNode.put("cache_read_input_tokens", usage.cacheReadInputTokens());
        if (usage.outputTokensDetails() != null) {
            usageNode.putObject("output_tokens_details").put("thinking_tokens", usage.thinkingTokens());
        }

        report.put("cost_usd", costUsd);
        report.put("golden_cost_usd", goldenCostUsd);
        report.put("cost_per_item_usd", costPerItemUsd());
        if (price == null) {
            report.putNull("price");
        } else {
            report.set("price", Json.MAPPER.valueToTree(price));
            if (price.hasTiers()) ((ObjectNode) report.get("price")).put("items_at_a_prompt_tier", tierItems);
        }

        if (acceptAt == null) {
            report.putNull("thresholds");
        } else {
            ObjectNode thresholds = report.putObject("thresholds");
            thresholds.put("accept_at", acceptAt);
            thresholds.put("review_at", reviewAt);
        }

        ArrayNode batchArray = report.putArray("batches");
        for (BatchSummary batch : batches) {
            batchArray.add(Json.MAPPER.<ObjectNode>valueToTree(batch));
        }

        report.put("started_at", startedAt == null ? null : startedAt.toString());
        report.put("finished_at", finishedAt == null ? null : finishedAt.toString());

        report.set("failed_reasons", failedReasons.toJson());
        report.set("rejected_reasons", rejectedReasons.toJson());

        ObjectNode classes = report.putObject("error_classes");
        for (ErrorClass c : ErrorClass.values()) {
            long n = errorCount(c);
            classes.putObject(c.label()).put("count", n).put("rate", items == 0 ? BigDecimal.ZERO
                    : BigDecimal.valueOf(n).divide(BigDecimal.valueOf(items), 4, RoundingMode.HALF_UP));
        }
        report.put("validation_pass_rate", validationPassRate());
        report.put("items_per_hour", itemsPerHour());
        if (forecast == null) {
            report.putNull("projected_monthly_cost_usd");
            report.putNull("forecast");
        } else {
            report.put("projected_monthly_cost_usd", forecast.projectedMonthlyCostUsd());
            report.set("forecast", Json.MAPPER.valueToTree(forecast));
        }
        report.set("budget", budget);
        if (calibration != null) report.set("calibration", calibration);

        ArrayNode histogram = report.putArray("confidence_histogram");
        for (int i = 0; i < HISTOGRAM_BUCKETS; i++) {
            histogram.addObject()
                    .put("from", BigDecimal.valueOf(i, 1))
                    .put("to", BigDecimal.valueOf(i + 1, 1))
                    .put("count", confidenceHistogram[i]);
        }
        strataCounts.writeTo(report);
        escalationCounts.writeTo(report);
        return report;
    }

    /** Bucket i holds [i/10, (i+1)/10); 1.0 goes in the last. Decimal arithmetic so 0.7 lands in bucket 7. */
    private static int bucket(double confidence) {
        if (!(confidence >= 0)) {
            return 0;
        }
        int index = BigDecimal.valueOf(confidence).movePointRight(1).intValue();
        return Math.min(index, HISTOGRAM_BUCKETS - 1);
    }

    /**
     * Reason counts grouped by a key with the numbers masked ("line 12: ..." and "line 40: ..." are one
     * group), bounded both in the groups tracked and in the groups reported.
     */
    private static final class ReasonCounts {
        private final Map<String, Long> byKey = new HashMap<>();
        private long untracked;

        void add(String reason) {
            String key = key(reason);
            if (byKey.containsKey(key) || byKey.size() < TRACKED_REASONS) {
                byKey.merge(key, 1L, Long::sum);
            } else {
                untracked++;
            }
        }

        private static String key(String reason) {
            if (reason == null || reason.isBlank()) {
                return "(no reason given)";
            }
            String masked = DIGITS.matcher(reason.strip()).replaceAll("#");
            return masked.length() > REASON_KEY_CHARS ? masked.substring(0, REASON_KEY_CHARS) + "..." : masked;
        }

        ArrayNode toJson() {
            List<Map.Entry<String, Long>> sorted = new ArrayList<>(byKey.entrySet());
            sorted.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey()));
            ArrayNode array = Json.MAPPER.createArrayNode();
            long other = untracked;
            for (int i = 0; i < sorted.size(); i++) {
                if (i < TOP_REASONS) {
                    array.addObject().put("reason", sorted.get(i).getKey()).put("count", sorted.get(i).getValue());
                } else {
                    other += sorted.get(i).getValue();
                }
            }
            if (other > 0) {
                array.addObject().put("reason", OTHER_REASONS).put("count", other);
            }
            return array;
        }
    }
}
