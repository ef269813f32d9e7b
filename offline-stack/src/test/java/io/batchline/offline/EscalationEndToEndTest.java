package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.batchline.aws.AwsClients;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * The cheap-model-first cascade through the offline stack and the state machine: the sample job on Haiku 5.5, once
 * as shipped and once escalating its rejected items to Opus 4.6. The simulator's first answers are the same in both
 * runs (same custom_ids), so the escalated items are exactly the plain run's rejected ones; after escalation fewer
 * stay rejected, every line still has one outcome, and each line's cost is each round's usage at its model's price.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
class EscalationEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path SAMPLE = HOME.resolve("samples/ticket-triage");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String SMALL = "claude-haiku-5-5";
    private static final String LARGE = "claude-opus-4-6";
    private static final BigDecimal MICRO = new BigDecimal("0.000001");
    private static final long CANARY_ITEMS = 50;

    private static OfflineStack stack;
    private static ObjectStore bucket;
    private static SfnClient sfn;
    private static byte[] input;
    private static String plainRun;
    private static String escalatedRun;

    @BeforeAll
    static void dropBothRuns() throws Exception {
        stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, null)));
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        List<String> lines = new ArrayList<>(Files.readAllLines(SAMPLE.resolve("tickets.jsonl")).subList(0, 160));
        lines.add(""); // a blank line: no outcome
        input = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        InboxRuns.putJob(bucket, HOME, "esc-plain", jobYaml("esc-plain", false));
        InboxRuns.putJob(bucket, HOME, "esc-large", jobYaml("esc-large", true));
        plainRun = InboxRuns.drop(stack, bucket, "inbox/esc-plain/tickets.jsonl", input);
        escalatedRun = InboxRuns.drop(stack, bucket, "inbox/esc-large/tickets.jsonl", input);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) stack.close();
    }

    @Test
    void rejectedItemsEscalatedToALargerModelLeaveRejectedWithOneLineEachAndCostsThatAddUp() throws Exception {
        for (String run : List.of(plainRun, escalatedRun)) {
            DescribeExecutionResponse end = InboxRuns.awaitEnd(stack, sfn, run, Duration.ofMinutes(5));
            assertThat(end.status()).as("%s cause: %s", run, end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
        }
        Map<Long, JsonNode> plain = outcomesByLine(plainRun);
        Map<Long, JsonNode> escalated = outcomesByLine(escalatedRun);

        Set<Long> plainRejected = linesIn(plain, OutcomeKind.REJECTED);
        assertThat(plainRejected).as("the small model rejects some tickets").hasSizeGreaterThanOrEqualTo(5);

        // exactly the first-round rejected items were escalated, each with its first answer and both custom_ids
        Set<Long> wasEscalated = new TreeSet<>();
        escalated.forEach((line, n) -> {
            if (n.has("escalated_from")) wasEscalated.add(line);
        });
        assertThat(wasEscalated).isEqualTo(plainRejected);
        for (long line : wasEscalated) {
            JsonNode n = escalated.get(line);
            JsonNode from = n.get("escalated_from");
            JsonNode first = plain.get(line);
            assertThat(from.get("tier").asText()).isEqualTo("rejected");
            assertThat(from.get("model").asText()).isEqualTo(SMALL);
            assertThat(from.get("custom_id").asText()).isEqualTo(first.get("custom_id").asText());
            assertThat(from.get("confidence").asDouble()).isEqualTo(first.get("confidence").asDouble());
            assertThat(from.get("output")).isEqualTo(first.get("output"));
            assertThat(n.get("custom_id").asText()).isNotEqualTo(first.get("custom_id").asText());
            List<String> ids = new ArrayList<>();
            n.get("history").forEach(h -> ids.add(h.get("custom_id").asText()));
            assertThat(ids).contains(first.get("custom_id").asText(), n.get("custom_id").asText());
        }
        // the items not escalated are answered as in the plain run
        escalated.forEach((line, n) -> {
            if (!wasEscalated.contains(line)) {
                assertThat(n.get("outcome").asText()).as("line %s", line).isEqualTo(plain.get(line).get("outcome").asText());
            }
        });
        Set<Long> stillRejected = linesIn(escalated, OutcomeKind.REJECTED);
        assertThat(stillRejected.size()).as("rejected after escalation").isLessThan(plainRejected.size());

        // cost identity: each line's cost is its rounds' usage at each round's model price, usage the rounds' sum
        JsonNode report = Json.tree(bucket.read(RunKeys.report(escalatedRun)));
        PriceTable prices = PriceTable.bundled().on(Instant.parse(report.get("started_at").asText())
                .atZone(ZoneOffset.UTC).toLocalDate());
        Map<String, Price> byModel = Map.of(SMALL, prices.priceFor(SMALL), LARGE, prices.priceFor(LARGE));
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal roundCost = BigDecimal.ZERO;
        for (JsonNode n : escalated.values()) {
            BigDecimal cost = n.get("cost_usd").decimalValue();
            sum = sum.add(cost);
            if (!n.has("escalated_from")) {
                assertThat(cost.subtract(byModel.get(SMALL).cost(usage(n.get("usage")))).abs())
                        .as("line %s", n.get("line")).isLessThanOrEqualTo(MICRO);
                continue;
            }
            BigDecimal rounds = BigDecimal.ZERO;
            io.batchline.cost.Usage summed = io.batchline.cost.Usage.ZERO;
            for (JsonNode h : n.get("history")) {
                if (!h.has("usage")) continue;
                io.batchline.cost.Usage u = usage(h.get("usage"));
                BigDecimal c = byModel.get(h.get("model").asText()).cost(u);
                assertThat(h.get("cost_usd").decimalValue().subtract(c).abs()).isLessThanOrEqualTo(MICRO);
                rounds = rounds.add(c);
                summed = summed.plus(u);
                if (h.get("model").asText().equals(LARGE)) roundCost = roundCost.add(c);
            }
            assertThat(cost.subtract(rounds).abs()).as("line %s cost vs its rounds", n.get("line"))
                    .isLessThanOrEqualTo(MICRO);
            assertThat(usage(n.get("usage"))).as("line %s usage = its rounds' sum", n.get("line")).isEqualTo(summed);
        }
        BigDecimal golden = report.path("golden_cost_usd").isNumber() ? report.get("golden_cost_usd").decimalValue()
                : BigDecimal.ZERO;
        assertThat(report.get("cost_usd").decimalValue().subtract(sum.add(golden)).abs()).isLessThanOrEqualTo(MICRO);
        assertThat(report.get("rejected").asLong()).isEqualTo(stillRejected.size());

        // report.json's escalation block agrees with the outcome files
        JsonNode block = report.get("escalation");
        assertThat(block.get("model").asText()).isEqualTo(LARGE);
        assertThat(block.get("items").asLong()).isEqualTo(wasEscalated.size());
        long movedOut = 0;
        long movedTotal = 0;
        for (var it = block.get("moved").fields(); it.hasNext(); ) {
            var m = it.next();
            assertThat(m.getKey()).startsWith("rejected -> ");
            String to = m.getKey().substring("rejected -> ".length());
            long expected = wasEscalated.stream().filter(l -> escalated.get(l).get("outcome").asText().equals(to)).count();
            assertThat(m.getValue().asLong()).as(m.getKey()).isEqualTo(expected);
            movedTotal += m.getValue().asLong();
            if (!to.equals("rejected")) movedOut += m.getValue().asLong();
        }
        assertThat(movedTotal).isEqualTo(wasEscalated.size());
        assertThat(movedOut).isEqualTo(plainRejected.size() - stillRejected.size());
        assertThat(block.get("stayed").asLong()).isEqualTo(stillRejected.size());
        assertThat(block.get("cost_usd").decimalValue().subtract(roundCost).abs()).isLessThanOrEqualTo(MICRO);
        assertThat(block.at("/price/model").asText()).isEqualTo(LARGE);
        assertThat(Json.tree(bucket.read(RunKeys.report(plainRun))).has("escalation")).isFalse();

        // the canary's verdict counts its items set aside for escalation and estimates their round
        long canaryEscalated = wasEscalated.stream().filter(l -> l <= CANARY_ITEMS).count();
        assertThat(canaryEscalated).as("canary items escalated").isPositive();
        assertThat(report.at("/canary/escalating").asLong()).isEqualTo(canaryEscalated);
        assertThat(report.at("/canary/escalation_estimate_usd").decimalValue()).isPositive();
        assertThat(report.at("/canary/passed").asBoolean()).isTrue();

        // golden items go through the same round, and stay out of the outcome files (checked above)
        long plainGoldenRejected = goldenLines(plainRun).stream()
                .filter(g -> g.get("outcome").asText().equals("rejected")).count();
        List<JsonNode> goldenOut = goldenLines(escalatedRun);
        long goldenEscalated = goldenOut.stream().filter(g -> g.has("escalated_from")).count();
        assertThat(goldenEscalated).isEqualTo(plainGoldenRejected).isPositive();
        BigDecimal goldenSum = goldenOut.stream().map(g -> g.get("cost_usd").decimalValue())
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(report.get("golden_cost_usd").decimalValue().subtract(goldenSum).abs()).isLessThanOrEqualTo(MICRO);

        String html = new String(bucket.read(io.batchline.run.RunKeys.reportPage(escalatedRun)), StandardCharsets.UTF_8);
        assertThat(html).contains("id=\"escalation\"", "items escalated to " + LARGE);

        System.out.printf("[escalation] %d items: rejected by %s %d, escalated to %s %d, still rejected %d; "
                        + "escalation rounds $%s, run $%s (plain run $%s)%n",
                escalated.size(), SMALL, plainRejected.size(), LARGE, wasEscalated.size(), stillRejected.size(),
                roundCost.toPlainString(), report.get("cost_usd").decimalValue().toPlainString(),
                Json.tree(bucket.read(RunKeys.report(plainRun))).get("cost_usd").decimalValue().toPlainString());
    }

    /** The golden items' lines of a run (every attempt's golden parts). */
    private static List<JsonNode> goldenLines(String runId) {
        List<JsonNode> lines = new ArrayList<>();
        for (String key : bucket.list(RunKeys.goldenPartsPrefix(runId))) {
            io.batchline.json.JsonLines.forEachLine(bucket.open(key),
                    l -> lines.add(Json.tree(l.getBytes(StandardCharsets.UTF_8))));
        }
        return lines;
    }

    private static io.batchline.cost.Usage usage(JsonNode u) {
        return Json.MAPPER.convertValue(u, io.batchline.cost.Usage.class);
    }

    private static Set<Long> linesIn(Map<Long, JsonNode> byLine, OutcomeKind kind) {
        Set<Long> lines = new TreeSet<>();
        byLine.forEach((line, n) -> {
            if (n.get("outcome").asText().equals(kind.label())) lines.add(line);
        });
        return lines;
    }

    /** Every non-blank input line ends in exactly one outcome line. */
    private static Map<Long, JsonNode> outcomesByLine(String runId) {
        Map<Long, JsonNode> byLine = new TreeMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            for (JsonNode n : InboxRuns.outcomeLines(bucket, runId, kind)) {
                JsonNode previous = byLine.put(n.get("line").asLong(), n);
                assertThat(previous).as("line %s in two outcome lines", n.get("line")).isNull();
            }
        }
        List<Long> nonBlank = new ArrayList<>();
        String[] lines = new String(input, StandardCharsets.UTF_8).split("\n", -1);
        for (int i = 0; i < lines.length; i++) if (!lines[i].isBlank()) nonBlank.add(i + 1L);
        assertThat(byLine.keySet()).containsExactlyElementsOf(nonBlank);
        return byLine;
    }

    /** The sample job on the small model, without chunking; escalating rejected or not. */
    private static byte[] jobYaml(String name, boolean escalate) throws Exception {
        ObjectNode job = (ObjectNode) YAML.readTree(SAMPLE.resolve("job.yaml").toFile());
        job.put("name", name);
        job.put("model", SMALL);
        job.remove(List.of("long_inputs")); // golden items and the canary (the first 50 tickets) as in the sample
        job.put("max_line_bytes", 1_048_576);
        if (escalate) {
            ObjectNode e = job.putObject("escalation");
            e.putArray("on").add("rejected");
            e.put("model", LARGE);
        }
        return YAML.writeValueAsBytes(job);
    }
}
