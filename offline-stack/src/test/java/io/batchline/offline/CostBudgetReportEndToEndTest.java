package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.aws.AwsClients;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.offline.report.HeadlessChromium;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.outcome.OutcomeKind;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import io.batchline.run.RunIds;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * Cost, budget and report, on the offline stack with the packaged functions: the bundled sample run's costs are
 * exact and add up, its report.html renders with charts in a real headless Chromium, the functions' logs are
 * JSON and free of ticket text, and a job whose budget is below its worst case stops before any batch exists.
 */
@OfflineStackOnly(OfflineStackOnly.PACKAGED_FUNCTIONS)
class CostBudgetReportEndToEndTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path SAMPLE = HOME.resolve("samples/ticket-triage");
    private static final BigDecimal TOLERANCE = new BigDecimal("0.000001");
    private static OfflineStack stack;
    private static ObjectStore bucket;
    private static SfnClient sfn;
    private static AnthropicBatchesClient provider;
    private static String sampleRun;

    @BeforeAll
    static void runTheSample() throws Exception {
        stack = OfflineStack.start(OfflineStack.Options.forRun(HOME, null));
        AwsClients clients = stack.endpoints().clients();
        bucket = new S3ObjectStore(clients.s3(), stack.endpoints().bucket());
        sfn = clients.sfn();
        provider = new AnthropicBatchesClient(ProviderConfig.of(stack.endpoints().anthropic(), () -> "sk-test"));
        InboxRuns.putJob(bucket, HOME, "ticket-triage", Files.readAllBytes(SAMPLE.resolve("job.yaml")));
        sampleRun = drop("inbox/ticket-triage/tickets.jsonl", Files.readAllBytes(SAMPLE.resolve("tickets.jsonl")));
        DescribeExecutionResponse end = awaitEnd(sampleRun, Duration.ofMinutes(5));
        assertThat(end.status()).as("cause: %s", end.cause()).isEqualTo(ExecutionStatus.SUCCEEDED);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) stack.close();
    }

    @Test
    void everyOutcomeLineCostsItsUsageTimesTheReportsPriceAndTheReportCostIsTheirSum() {
        JsonNode report = Json.tree(bucket.read(RunKeys.report(sampleRun)));
        JsonNode price = report.get("price");
        assertThat(price.get("model").asText()).isEqualTo("claude-haiku-5-5"); // the sample's model
        assertThat(price.get("as_of").asText()).isNotBlank();
        BigDecimal sum = BigDecimal.ZERO;
        long lines = 0;
        for (OutcomeKind kind : OutcomeKind.values()) {
            List<JsonNode> outcomes = new ArrayList<>();
            JsonLines.forEachLine(bucket.open(RunKeys.outcome(sampleRun, kind)),
                    l -> outcomes.add(Json.tree(l.getBytes(StandardCharsets.UTF_8))));
            for (JsonNode o : outcomes) {
                JsonNode u = o.get("usage");
                BigDecimal expected = tokens(u, "input_tokens").multiply(rate(price, "input_per_mtok"))
                        .add(tokens(u, "output_tokens").multiply(rate(price, "output_per_mtok")))
                        .add(tokens(u, "cache_creation_input_tokens").multiply(rate(price, "cache_write_per_mtok")))
                        .add(tokens(u, "cache_read_input_tokens").multiply(rate(price, "cache_read_per_mtok")))
                        .movePointLeft(6);
                BigDecimal actual = o.get("cost_usd").decimalValue();
                assertThat(actual.subtract(expected).abs()).as("line %s: cost %s vs usage x price %s",
                        o.get("line"), actual, expected).isLessThanOrEqualTo(TOLERANCE);
                sum = sum.add(actual);
                lines++;
            }
        }
        assertThat(lines).isEqualTo(1200);
        // the sample's 50 golden items are paid for too: named apart, inside cost_usd
        BigDecimal golden = report.get("golden_cost_usd").decimalValue();
        assertThat(golden).isPositive();
        assertThat(report.at("/golden_quality/cost_usd").decimalValue()).isEqualByComparingTo(golden);
        sum = sum.add(golden);
        assertThat(report.get("cost_usd").decimalValue()).isEqualByComparingTo(sum);
        assertThat(sum).isPositive();
        // the monthly forecast and the settled budget reservation
        assertThat(report.get("cost_per_item_usd").decimalValue()).isPositive();
        assertThat(report.get("items_per_hour").decimalValue()).isPositive();
        assertThat(report.get("projected_monthly_cost_usd").decimalValue()).isGreaterThanOrEqualTo(sum);
        assertThat(report.at("/budget/guard").asText()).isEqualTo("on");
        assertThat(report.at("/budget/spent_usd").decimalValue()).isEqualByComparingTo(sum);
        assertThat(report.at("/budget/reserved_usd").decimalValue()).isGreaterThan(sum);
        assertThat(report.at("/budget/month_spent_usd").decimalValue()).isGreaterThanOrEqualTo(sum);
    }

    @Test
    void reportHtmlRendersItsChartsInHeadlessChromium(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("report.html");
        Files.write(page, bucket.read(RunKeys.reportPage(sampleRun)));
        String html = Files.readString(page);
        assertThat(html).doesNotContain("<script").doesNotContain("http://").doesNotContain("https://")
                .doesNotContain("@import").doesNotContain("url(");

        HeadlessChromium.Result dom = HeadlessChromium.run(page, dir, "--dump-dom");
        assertThat(dom.exit()).as("chromium stderr: %s", dom.stderr()).isZero();
        assertThat(dom.stderr()).doesNotContain("Refused to").doesNotContain("net::ERR").doesNotContain("Uncaught");
        for (String chart : List.of("chart-outcomes", "chart-confidence", "chart-cost", "chart-timeline")) {
            Matcher svg = Pattern.compile("<svg id=\"" + chart + "\"[^>]*>(.*?)</svg>", Pattern.DOTALL)
                    .matcher(dom.stdout());
            assertThat(svg.find()).as("chart %s in the rendered DOM", chart).isTrue();
            assertThat(svg.group(1)).as("chart %s has bars", chart).contains("<rect class=\"bar\"");
        }
        assertThat(dom.stdout()).contains("data-kind=\"accepted\"");

        Path shot = dir.resolve("report.png");
        HeadlessChromium.Result png = HeadlessChromium.run(page, dir, "--screenshot=" + shot,
                "--window-size=900,2600", "--hide-scrollbars");
        assertThat(png.exit()).as("chromium stderr: %s", png.stderr()).isZero();
        assertThat(Files.size(shot)).isGreaterThan(10_000);
    }

    @Test
    void functionLogsAreJsonLinesWithRunContextAndNoTicketText() throws Exception {
        Set<String> ticketText = new HashSet<>();
        JsonLines.forEachLine(Files.newInputStream(SAMPLE.resolve("tickets.jsonl")), l -> {
            JsonNode t = Json.tree(l.getBytes(StandardCharsets.UTF_8));
            ticketText.add(t.get("subject").asText());
            String firstLine = t.get("body").asText().lines().findFirst().orElse("");
            if (firstLine.length() >= 20) ticketText.add(firstLine);
        });
        List<Path> logs;
        try (Stream<Path> files = Files.list(Path.of(stack.endpoints().logDir()))) {
            logs = files.filter(f -> f.toString().endsWith(".log")).toList();
        }
        assertThat(logs).isNotEmpty();
        boolean sawRunContext = false;
        boolean sawEmf = false;
        for (Path log : logs) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                JsonNode n;
                try {
                    n = Json.tree(line.getBytes(StandardCharsets.UTF_8));
                } catch (RuntimeException notJson) {
                    throw new AssertionError(log.getFileName() + " has a line that is not JSON: " + line, notJson);
                }
                assertThat(n.isObject()).as("%s: %s", log.getFileName(), line).isTrue();
                for (String text : ticketText) {
                    assertThat(line).as("%s leaks ticket text", log.getFileName()).doesNotContain(text);
                }
                if (sampleRun.equals(n.path("mdc").path("run_id").asText(null))
                        && n.path("mdc").has("stage") && n.path("mdc").has("function_request_id")
                        && n.path("mdc").has("cold_start")) {
                    sawRunContext = true;
                }
                if (n.at("/_aws/CloudWatchMetrics/0/Namespace").asText("").equals("Batchline")
                        && sampleRun.equals(n.path("run_id").asText(null))) {
                    sawEmf = true;
                }
            }
        }
        assertThat(sawRunContext).as("a log line carrying run_id, stage, function_request_id, cold_start").isTrue();
        assertThat(sawEmf).as("the run's EMF metrics line").isTrue();
    }

    @Test
    void aJobWhoseBudgetIsBelowItsWorstCaseStopsBeforeCreatingAnyBatch() throws Exception {
        String yaml = Files.readString(SAMPLE.resolve("job.yaml")).replace("name: ticket-triage", "name: tight-budget")
                + "\nbudget:\n  max_usd: 0.01\n";
        InboxRuns.putJob(bucket, HOME, "tight-budget", yaml.getBytes(StandardCharsets.UTF_8));
        int batchesBefore = batchesAtProvider();

        String runId = drop("inbox/tight-budget/tickets.jsonl", Files.readAllBytes(SAMPLE.resolve("tickets.jsonl")));
        DescribeExecutionResponse end = awaitEnd(runId, Duration.ofMinutes(3));

        assertThat(end.status()).isEqualTo(ExecutionStatus.FAILED);
        assertThat(end.error()).isEqualTo("BudgetExceeded");
        assertThat(end.cause()).contains("budget.max_usd of $0.0100").contains("1,257 requests") // 1,200 tickets + 7 second chunks + 50 golden
                .contains("nothing was submitted");
        assertThat(batchesAtProvider()).isEqualTo(batchesBefore);
    }

    @Test
    void statusAndHistoryShowTheRunsAsTheConsoleDoes(@TempDir Path state) throws Exception {
        StackHandle.StackFile.write(state, stack.endpoints()); // as `local up --state DIR` leaves it
        java.io.ByteArrayOutputStream status = new java.io.ByteArrayOutputStream();
        int code = Cli.run(new String[] {"local", "status", "--state", state.toString()},
                new java.io.PrintStream(status, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        assertThat(status.toString(StandardCharsets.UTF_8)).contains("using the stack")
                .containsPattern(sampleRun + "\\s+SUCCEEDED .* 1,200 ");

        java.io.ByteArrayOutputStream history = new java.io.ByteArrayOutputStream();
        code = Cli.run(new String[] {"local", "history", sampleRun, "--state", state.toString()},
                new java.io.PrintStream(history, true, StandardCharsets.UTF_8), System.err);
        assertThat(code).isZero();
        String events = history.toString(StandardCharsets.UTF_8);
        assertThat(events).contains("ExecutionStarted", "Plan and format", "Submit batches", "Check batches",
                "Finalize run", "ExecutionSucceeded");
        assertThat(events.indexOf("Plan and format")).isLessThan(events.indexOf("Finalize run"));
    }

    private static int batchesAtProvider() {
        int n = 0;
        for (var it = provider.listAll(100); it.hasNext(); it.next()) n++;
        return n;
    }

    private static BigDecimal tokens(JsonNode usage, String field) {
        return BigDecimal.valueOf(usage.path(field).asLong());
    }

    private static BigDecimal rate(JsonNode price, String field) {
        return price.get(field).decimalValue();
    }

    private static String drop(String key, byte[] bytes) {
        return InboxRuns.drop(stack, bucket, key, bytes);
    }

    private static DescribeExecutionResponse awaitEnd(String runId, Duration timeout) throws InterruptedException {
        return InboxRuns.awaitEnd(stack, sfn, runId, timeout);
    }
}
