package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cli.UsageException;
import io.batchline.functions.StagesInThisJvm;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.offline.sim.AnthropicSimulator;
import io.batchline.offline.sim.SimulatorConfig;
import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.anthropic.AnthropicBatchesClient;
import io.batchline.provider.anthropic.ProviderConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * `rerun` on the bundled sample job (its first 150 tickets), end to end on the offline stack: a first run, then its
 * review and rejected items rerun through the same job spec (nothing is sent again for them: their requests are
 * byte-identical, answered from the result cache the rerun seeds from the first run) and through a changed prompt
 * (every selected item is sent). The rerun's outcome lines carry exactly the selected lines, with the first run's
 * ids and line numbers, one outcome each, and the link to the first run is recorded. Requests are counted at the
 * simulator, from the batches it holds.
 */
@OfflineStackOnly(OfflineStackOnly.STAGES_IN_TEST_JVM)
@ExtendWith(StagesInThisJvm.ForCommands.class)
class RerunEndToEndTest {
    private static final Path HOME = CliRun.HOME;
    private static final Path SAMPLE = HOME.resolve("samples/ticket-triage");
    private static final Pattern GOLDEN = Pattern.compile("a\\d+-g\\d+");
    private static final Pattern ITEM = Pattern.compile("a\\d+-l(\\d+)(-c\\d+)?");
    @TempDir Path tmp;

    private static String runIdOf(String output) {
        Matcher m = Pattern.compile("Run (\\S+) finished").matcher(output);
        assertThat(m.find()).as("no summary in:%n%s", output).isTrue();
        return m.group(1);
    }

    /** custom_id of every request of every batch the simulator holds, by batch id. */
    private static Map<String, List<String>> requestsAtSimulator(Path state) {
        Map<String, List<String>> byBatch = new TreeMap<>();
        try (AnthropicSimulator sim = AnthropicSimulator.start(SimulatorConfig.builder()
                .stateDir(state.resolve("anthropic")).build())) {
            AnthropicBatchesClient client = new AnthropicBatchesClient(ProviderConfig.of(sim.baseUrl(), () -> "k"));
            List<MessageBatch> batches = new ArrayList<>();
            client.listAll(100).forEachRemaining(batches::add);
            for (MessageBatch b : batches) {
                List<String> ids = new ArrayList<>();
                JsonLines.forEachLine(client.results(b.id()), l -> ids.add(Json.tree(l.getBytes(StandardCharsets.UTF_8))
                        .path("custom_id").asText()));
                byBatch.put(b.id(), ids);
            }
        }
        return byBatch;
    }

    /** The item requests (not golden items) of the batches created since {@code before}, as input lines. */
    private static List<Long> newItemRequests(Map<String, List<String>> before, Map<String, List<String>> after) {
        List<Long> lines = new ArrayList<>();
        after.forEach((batch, ids) -> {
            if (before.containsKey(batch)) return;
            for (String id : ids) {
                if (GOLDEN.matcher(id).matches()) continue;
                Matcher m = ITEM.matcher(id);
                assertThat(m.matches()).as("custom_id %s", id).isTrue();
                lines.add(Long.parseLong(m.group(1)));
            }
        });
        return lines;
    }

    /** Every outcome line of a folder, by input line; one line per input line. */
    private static Map<Long, JsonNode> outcomes(Path dir) throws Exception {
        Map<Long, JsonNode> byLine = new TreeMap<>();
        for (String kind : List.of("accepted", "review", "rejected", "failed")) {
            for (String l : Files.readAllLines(dir.resolve(kind + ".jsonl"))) {
                if (l.isBlank()) continue;
                JsonNode o = Json.tree(l.getBytes(StandardCharsets.UTF_8));
                assertThat(byLine.put(o.get("line").asLong(), o)).as("two outcomes for line %s", o.get("line")).isNull();
            }
        }
        return byLine;
    }

    /** The sample job with another prompt, under another name: the message alone, and one more rule. */
    private Path promptV2() throws Exception {
        Path v2 = tmp.resolve("job-v2.yaml");
        Files.writeString(v2, Files.readString(SAMPLE.resolve("job.yaml"))
                .replace("name: ticket-triage", "name: ticket-triage-v2")
                .replace("choose the one that must act first.", "choose the one that must act first; a sign-in"
                        + " problem is always account.")
                .replaceAll("(?m)^ *Subject: \\{\\{subject}}\n\n", ""));
        Files.copy(SAMPLE.resolve("golden.jsonl"), tmp.resolve("golden.jsonl")); // golden.file is next to the spec
        return v2;
    }

    @Test
    void aGzippedCsvWhoseRecordsSpanLinesKeepsEveryRecordOnItsLine() throws Exception {
        // the sample's first 40 tickets as CSV: their bodies' newlines make records of several physical lines
        StringBuilder csv = new StringBuilder("id,subject,body,label\n");
        try (var lines = Files.lines(SAMPLE.resolve("tickets.jsonl"))) {
            for (String l : lines.limit(40).toList()) {
                JsonNode t = Json.tree(l.getBytes(StandardCharsets.UTF_8));
                for (String f : List.of("id", "subject", "body", "label")) {
                    csv.append('"').append(t.get(f).asText().replace("\"", "\"\"")).append('"')
                            .append(f.equals("label") ? "\n" : ",");
                }
            }
        }
        Path input = tmp.resolve("tickets.csv.gz");
        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(input))) {
            gz.write(csv.toString().getBytes(StandardCharsets.UTF_8));
        }
        Path state = tmp.resolve("state");
        CliRun first = CliRun.of("local", "run", "--job", SAMPLE.resolve("job.yaml").toString(), "--state",
                state.toString(), "--out", tmp.resolve("first").toString(), input.toString());
        assertThat(first.code()).as(first.out()).isZero();
        String firstRun = runIdOf(first.out());
        Map<Long, JsonNode> firstOutcomes = outcomes(tmp.resolve("first"));
        assertThat(firstOutcomes).hasSize(40);
        assertThat(firstOutcomes.keySet()).as("records start past line 41: they span lines").last()
                .matches(l -> l > 41);
        Set<Long> selected = new HashSet<>();
        firstOutcomes.forEach((line, o) -> {
            if (!o.get("outcome").asText().equals("accepted")) selected.add(line);
        });
        assertThat(selected).isNotEmpty();
        var before = requestsAtSimulator(state);

        CliRun rerun = CliRun.of("rerun", firstRun, "--job", promptV2().toString(), "--state", state.toString(), "--out",
                tmp.resolve("v2").toString());
        assertThat(rerun.code()).as(rerun.out()).isZero();
        assertThat(rerun.out()).contains("rerun-" + firstRun + "-").contains(".csv.gz uploaded");
        Map<Long, JsonNode> v2 = outcomes(tmp.resolve("v2"));
        assertThat(v2.keySet()).containsExactlyInAnyOrderElementsOf(selected);
        for (Long line : selected) {
            assertThat(v2.get(line).get("id")).isEqualTo(firstOutcomes.get(line).get("id"));
            assertThat(v2.get(line).get("ground_truth")).isEqualTo(firstOutcomes.get(line).get("ground_truth"));
        }
        assertThat(new HashSet<>(newItemRequests(before, requestsAtSimulator(state)))).isEqualTo(selected);
    }

    @Test
    void theSelectedItemsRunAgainOnTheirLinesAndAnIdenticalRequestIsNotPaidTwice() throws Exception {
        Path input = tmp.resolve("tickets.jsonl");
        try (var lines = Files.lines(SAMPLE.resolve("tickets.jsonl"))) {
            Files.write(input, lines.limit(150).toList());
        }
        Path state = tmp.resolve("state");
        String job = SAMPLE.resolve("job.yaml").toString();
        assertThat(Files.readString(SAMPLE.resolve("job.yaml"))).doesNotContain("result_cache");

        CliRun first = CliRun.of("local", "run", "--job", job, "--state", state.toString(), "--out",
                tmp.resolve("first").toString(), input.toString());
        assertThat(first.code()).as(first.out()).isZero();
        String firstRun = runIdOf(first.out());
        Map<Long, JsonNode> firstOutcomes = outcomes(tmp.resolve("first"));
        Set<Long> reviewOrRejected = new HashSet<>();
        Set<Long> rejected = new HashSet<>();
        firstOutcomes.forEach((line, o) -> {
            String kind = o.get("outcome").asText();
            if (kind.equals("review") || kind.equals("rejected")) reviewOrRejected.add(line);
            if (kind.equals("rejected")) rejected.add(line);
        });
        assertThat(rejected).as("the sample has rejected items in its first 150").isNotEmpty();
        assertThat(reviewOrRejected).hasSizeGreaterThan(rejected.size());
        var afterFirst = requestsAtSimulator(state);

        // the same job spec: every selected item is answered from the cache, identically
        CliRun same = CliRun.of("rerun", firstRun, "--job", job, "--state", state.toString(), "--out",
                tmp.resolve("same").toString());
        assertThat(same.code()).as(same.out()).isZero();
        assertThat(same.out()).contains("rerun of run " + firstRun + ": " + reviewOrRejected.size()
                + " item(s) selected (--only review,rejected)").contains("result_cache.window 2d added");
        String sameRun = runIdOf(same.out());
        var afterSame = requestsAtSimulator(state);
        Map<Long, JsonNode> sameOutcomes = outcomes(tmp.resolve("same"));
        assertThat(sameOutcomes.keySet()).containsExactlyInAnyOrderElementsOf(reviewOrRejected);
        List<Long> chunked = reviewOrRejected.stream().filter(l -> firstOutcomes.get(l).has("chunks")).toList();
        List<Long> sentAgain = newItemRequests(afterFirst, afterSame);
        System.out.printf("same spec: %d selected, %d item request(s) sent again (lines %s; chunked selected %s)%n",
                reviewOrRejected.size(), sentAgain.size(), new java.util.TreeSet<>(sentAgain), chunked);
        assertThat(sentAgain).as("only chunked items, which the cache does not hold, are sent again")
                .allMatch(chunked::contains);
        for (Long line : reviewOrRejected) {
            JsonNode a = firstOutcomes.get(line);
            JsonNode b = sameOutcomes.get(line);
            assertThat(b.get("id")).isEqualTo(a.get("id"));
            assertThat(b.get("outcome")).isEqualTo(a.get("outcome"));
            assertThat(b.get("output")).as("line %d", line).isEqualTo(a.get("output"));
            if (!chunked.contains(line)) {
                assertThat(b.path("cached").asBoolean()).as("line %d", line).isTrue();
                assertThat(b.get("cost_usd").decimalValue()).isZero();
            }
        }
        JsonNode sameReport = Json.tree(Files.readAllBytes(tmp.resolve("same/report.json")));
        assertThat(sameReport.get("rerun_of")).isEqualTo(Json.tree(("{\"run_id\":\"" + firstRun
                + "\",\"only\":\"review,rejected\",\"selected\":" + reviewOrRejected.size() + "}")
                .getBytes(StandardCharsets.UTF_8)));

        // the cache was this run's: its frozen spec has it, the job's own spec in the bucket is the file as written
        try (OfflineStack stack = OfflineStack.start(StagesInThisJvm.in(OfflineStack.Options.forRun(HOME, state)))) {
            var bucket = new io.batchline.aws.s3.S3ObjectStore(stack.endpoints().clients().s3(),
                    stack.endpoints().bucket());
            assertThat(bucket.readString(io.batchline.run.RunKeys.jobSnapshot(sameRun)))
                    .endsWith("result_cache:\n  window: 2d\n");
            assertThat(bucket.readString(io.batchline.run.RunKeys.jobSpec("ticket-triage")))
                    .isEqualTo(Files.readString(SAMPLE.resolve("job.yaml")));
        }

        // the same rerun again: the same run, no new batch
        CliRun again = CliRun.of("rerun", firstRun, "--job", job, "--state", state.toString(), "--out",
                tmp.resolve("again").toString());
        assertThat(again.code()).as(again.out()).isZero();
        assertThat(again.out()).contains("already processed as run " + sameRun);
        assertThat(requestsAtSimulator(state).keySet()).isEqualTo(afterSame.keySet());

        // a changed prompt, under another job name: every selected item is sent
        Path v2 = promptV2();
        CliRun changed = CliRun.of("rerun", firstRun, "--job", v2.toString(), "--only", "rejected", "--state",
                state.toString(), "--out", tmp.resolve("v2").toString());
        assertThat(changed.code()).as(changed.out()).isZero();
        String changedRun = runIdOf(changed.out());
        assertThat(changedRun).startsWith("ticket-triage-v2-");
        List<Long> sent = newItemRequests(afterSame, requestsAtSimulator(state));
        assertThat(new HashSet<>(sent)).as("every selected item sent, nothing else").isEqualTo(rejected);
        Map<Long, JsonNode> v2Outcomes = outcomes(tmp.resolve("v2"));
        assertThat(v2Outcomes.keySet()).containsExactlyInAnyOrderElementsOf(rejected);
        long changedAnswers = 0;
        for (Long line : rejected) {
            assertThat(v2Outcomes.get(line).get("id")).isEqualTo(firstOutcomes.get(line).get("id"));
            assertThat(v2Outcomes.get(line).has("cached")).isFalse();
            if (!v2Outcomes.get(line).at("/output/primary_category").equals(
                    firstOutcomes.get(line).at("/output/primary_category"))) {
                changedAnswers++;
            }
        }
        System.out.printf("prompt v2: %d of %d rejected items sent again, %d answered with another category%n",
                sent.size(), rejected.size(), changedAnswers);
        assertThat(changedAnswers).as("the message alone changes some answers").isPositive();
        JsonNode v2Report = Json.tree(Files.readAllBytes(tmp.resolve("v2/report.json")));
        assertThat(v2Report.at("/rerun_of/run_id").asText()).isEqualTo(firstRun);
        assertThat(v2Report.at("/rerun_of/only").asText()).isEqualTo("rejected");
        assertThat(v2Report.at("/rerun_of/selected").asLong()).isEqualTo(rejected.size());
        assertThat(v2Report.path("items").asLong()).isEqualTo(rejected.size());

        CliRun status = CliRun.of("local", "status", changedRun, "--state", state.toString());
        assertThat(status.out()).contains("rerun of   " + firstRun + " (--only rejected, " + rejected.size()
                + " item(s) selected)");

        // graded wrong: two sample items graded wrong are the selection
        List<JsonNode> sample = new ArrayList<>();
        for (String l : Files.readAllLines(tmp.resolve("first/sample.jsonl"))) {
            if (!l.isBlank()) sample.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)));
        }
        StringBuilder verdicts = new StringBuilder("line,verdict,correct_value\n");
        Set<Long> gradedWrong = new HashSet<>();
        for (JsonNode o : sample.subList(0, 3)) {
            boolean wrong = gradedWrong.size() < 2;
            String other = o.at("/output/primary_category").asText().equals("other") ? "billing" : "other";
            verdicts.append(o.get("line").asLong()).append(wrong ? ",wrong," + other : ",correct,").append('\n');
            if (wrong) gradedWrong.add(o.get("line").asLong());
        }
        Path verdictFile = Files.writeString(tmp.resolve("verdicts.csv"), verdicts);
        CliRun graded = CliRun.of("grade", firstRun, "--verdicts", verdictFile.toString(), "--grader", "qa",
                "--state", state.toString());
        assertThat(graded.code()).as(graded.out()).isZero();
        var beforeGradedRerun = requestsAtSimulator(state);
        CliRun wrongRerun = CliRun.of("rerun", firstRun, "--job", v2.toString(), "--only", "graded-wrong", "--state",
                state.toString(), "--out", tmp.resolve("graded-wrong").toString());
        assertThat(wrongRerun.code()).as(wrongRerun.out()).isZero();
        assertThat(outcomes(tmp.resolve("graded-wrong")).keySet()).containsExactlyInAnyOrderElementsOf(gradedWrong);
        assertThat(new HashSet<>(newItemRequests(beforeGradedRerun, requestsAtSimulator(state)))).isEqualTo(gradedWrong);

        // nothing to select: a clear message, no run
        CliRun none = CliRun.of("rerun", firstRun, "--job", job, "--only", "failed", "--state", state.toString());
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.out()).contains("run " + firstRun + " has no item in failed: nothing to rerun, no run started");
        assertThatThrownBy(() -> CliRun.of("rerun", firstRun, "--job", job, "--only", "rejected,wrong"))
                .isInstanceOf(UsageException.class).hasMessageContaining("unknown --only value 'wrong': allowed are"
                        + " accepted,review,rejected,failed,graded-wrong");
    }
}
