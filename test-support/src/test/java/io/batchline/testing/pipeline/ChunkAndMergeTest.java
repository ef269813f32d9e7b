package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import io.batchline.json.JsonLines;
import io.batchline.outcome.OutcomeKind;
import io.batchline.provider.BatchResult;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.ScriptedBatchProvider;
import io.batchline.testing.ScriptedBatchProvider.Answer;
import io.batchline.testing.ScriptedBatchProvider.Errored;
import io.batchline.testing.TicketTriage;
import io.batchline.validate.Extraction;
import io.batchline.validate.JsonExtractor;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Long inputs' chunk and merge on the real stages, the in-memory ports and a scripted provider: long tickets are split
 * into chunks sent as their own requests (spread over several small shards, some failing transiently and retried
 * alone), every chunk answer is validated, and finalize merges them into exactly ONE outcome line per input line, by
 * the job's merge rules, checked here against the chunk answers the provider really gave (the saved raw results).
 */
class ChunkAndMergeTest {
    static final Pattern CHUNK_ID = Pattern.compile("a(\\d+)-l(\\d+)-c(\\d+)");

    static final String JOB = """
            name: quality-test
            model: claude-haiku-4-5-20251001
            max_tokens: 300
            system: Sort the support ticket into a team and name its topics.
            user_template: "Subject: {{subject}}\\n\\n{{body}}"
            output_schema:
              type: object
              additionalProperties: false
              required: [primary_category, confidence, reasoning]
              properties:
                primary_category: {type: string, enum: [billing, technical, account, feature_request, other]}
                topics: {type: array, items: {enum: [refund, invoice, login, password, error, api, export, slow]}}
                confidence: {type: number, minimum: 0, maximum: 1}
                reasoning: {type: string, maxLength: 500}
            shard:
              max_requests: 7
            long_inputs:
              field: body
              max_input_tokens: 30
              mode: chunk
              chunk_tokens: 25
              overlap_tokens: 5
              max_chunks: 8
              merge: majority
              merge_fields: {topics: union, reasoning: first_non_null}
            """;

    private static final String[] TEAMS = {"billing", "technical", "account"};
    private static final String[] TOPICS = {"refund", "invoice", "login", "password", "error", "api", "export", "slow"};

    /**
     * 1 request in 5 of the first attempt fails with a transient error; every other answer is valid, its team,
     * topics and confidence differing from chunk to chunk so that the merge rules have something to decide.
     */
    private static ScriptedBatchProvider.Result chunkAnswer(String customId, JsonNode params) {
        int hash = Math.floorMod(customId.substring(customId.indexOf('-')).hashCode(), 1000);
        if (TicketTriage.attemptOf(customId) == 1 && Math.floorMod(customId.hashCode(), 5) == 0) {
            return new Errored("overloaded_error", "Overloaded");
        }
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.put("primary_category", TEAMS[hash % TEAMS.length]);
        if (hash % 4 != 0) answer.putArray("topics").add(TOPICS[hash % TOPICS.length]).add(TOPICS[hash / 10 % TOPICS.length]);
        answer.put("confidence", BigDecimal.valueOf(80 + hash % 20, 2));
        answer.put("reasoning", "Part " + customId + " reads like a " + TEAMS[hash % TEAMS.length] + " question.");
        return new Answer(Json.string(answer));
    }

    /** One chunk's last answer, as the provider gave it. */
    record ChunkAnswer(int attempt, BatchResult result, JsonNode output) {}

    @Test
    void chunkAnswersMergeIntoOneOutcomeLinePerInputLineByTheJobsRules() throws Exception {
        {
            InMemoryPipeline p = new InMemoryPipeline();
            p.provider.script(ChunkAndMergeTest::chunkAnswer);
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            int items = 40;
            String runId = driver.run("chunks-0000000001", JOB.getBytes(StandardCharsets.UTF_8),
                    TicketTriage.tickets(items));

            // GIVEN every chunk's last answer, from the raw results the poller saved
            Map<Long, TreeMap<Integer, ChunkAnswer>> chunks = new HashMap<>();
            JsonExtractor extractor = new JsonExtractor();
            for (String key : p.store().list(RunKeys.run(runId) + "raw/")) {
                JsonLines.forEachLine(p.store().open(key), text -> {
                    BatchResult r = BatchResult.parse(text);
                    Matcher m = CHUNK_ID.matcher(r.customId());
                    if (!m.matches()) return;
                    int attempt = Integer.parseInt(m.group(1));
                    Extraction e = r.succeeded() ? extractor.extract(r.answer()) : null;
                    ChunkAnswer answer = new ChunkAnswer(attempt, r, e != null && e.ok() ? e.json() : null);
                    chunks.computeIfAbsent(Long.parseLong(m.group(2)), l -> new TreeMap<>())
                            .merge(Integer.parseInt(m.group(3)), answer, (a, b) -> a.attempt() >= b.attempt() ? a : b);
                });
            }
            assertThat(chunks.size()).as("items that were chunked").isGreaterThan(10);
            assertThat(chunks.values().stream().mapToInt(Map::size).max().orElse(0)).isGreaterThanOrEqualTo(3);
            assertThat(chunks.values().stream().flatMap(c -> c.values().stream()).anyMatch(a -> a.attempt() > 1))
                    .as("some chunk was retried alone").isTrue();

            // THEN exactly one outcome line per input line
            Map<Long, JsonNode> byLine = new TreeMap<>();
            for (OutcomeKind kind : OutcomeKind.values()) {
                for (JsonNode n : driver.outcomes(runId, kind)) {
                    assertThat(byLine.put(n.get("line").asLong(), n)).as("line " + n.get("line") + " twice").isNull();
                }
            }
            assertThat(byLine.keySet()).containsExactlyElementsOf(
                    java.util.stream.LongStream.rangeClosed(1, items).boxed().toList());

            // the two long tickets (lines 5 and 14) would need more than max_chunks: failed at planning, alone
            for (long tooLong : new long[] {5, 14}) {
                assertThat(byLine.get(tooLong).get("outcome").asText()).isEqualTo("failed");
                assertThat(byLine.get(tooLong).get("reason").asText()).contains("more than long_inputs.max_chunks (8)");
            }

            Price price = PriceTable.bundled().priceFor("claude-haiku-4-5-20251001");
            int merged = 0;
            for (Map.Entry<Long, TreeMap<Integer, ChunkAnswer>> e : chunks.entrySet()) {
                JsonNode line = byLine.get(e.getKey());
                List<ChunkAnswer> answers = new ArrayList<>(e.getValue().values());
                assertThat(line.get("chunks").asInt()).isEqualTo(answers.size());
                assertThat(line.get("attempts").asInt())
                        .isEqualTo(answers.stream().mapToInt(ChunkAnswer::attempt).max().orElseThrow());
                Usage usage = Usage.ZERO;
                BigDecimal cost = BigDecimal.ZERO;
                for (ChunkAnswer a : answers) {
                    Usage u = a.result().usage() == null ? Usage.ZERO : a.result().usage();
                    usage = usage.plus(u);
                    cost = cost.add(price.cost(u));
                }
                assertThat(Json.convert(line.get("usage"), Usage.class)).isEqualTo(usage);
                assertThat(line.get("cost_usd").decimalValue()).isEqualByComparingTo(cost);
                if (answers.stream().anyMatch(a -> !a.result().succeeded())) {
                    assertThat(line.get("outcome").asText()).isEqualTo("failed");
                    assertThat(line.get("reason").asText()).containsPattern("\\(chunk \\d+ of " + answers.size() + "\\)$");
                    continue;
                }
                assertThat(line.get("output")).isEqualTo(expectedMerge(answers));
                assertThat(line.get("confidence").asDouble())
                        .isEqualTo(line.at("/output/confidence").asDouble());
                merged++;
            }
            assertThat(merged).isGreaterThan(3);

            JsonNode report = driver.report(runId);
            assertThat(report.get("items").asLong()).isEqualTo(items);
            assertThat(report.get("chunked").asLong()).isEqualTo(chunks.size());
            BigDecimal sum = BigDecimal.ZERO;
            for (JsonNode n : byLine.values()) sum = sum.add(n.get("cost_usd").decimalValue());
            assertThat(report.get("cost_usd").decimalValue()).isEqualByComparingTo(sum);
        }
    }

    /** The job's rules, applied by hand: topics union, reasoning first non-null, the rest majority, lowest confidence. */
    static ObjectNode expectedMerge(List<ChunkAnswer> answers) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        LinkedHashSet<String> topics = new LinkedHashSet<>();
        boolean anyTopics = false;
        Map<String, Integer> votes = new LinkedHashMap<>();
        JsonNode lowest = null;
        for (ChunkAnswer a : answers) {
            JsonNode o = a.output();
            if (o.has("topics")) {
                anyTopics = true;
                o.get("topics").forEach(t -> topics.add(t.asText()));
            }
            votes.merge(o.get("primary_category").asText(), 1, Integer::sum);
            JsonNode c = o.get("confidence");
            if (lowest == null || c.decimalValue().compareTo(lowest.decimalValue()) < 0) lowest = c;
        }
        String winner = null;
        for (Map.Entry<String, Integer> v : votes.entrySet()) if (winner == null || v.getValue() > votes.get(winner)) winner = v.getKey();
        out.put("primary_category", winner);
        if (anyTopics) {
            ArrayNode t = out.putArray("topics");
            topics.forEach(t::add);
        }
        out.set("confidence", lowest);
        out.put("reasoning", answers.get(0).output().get("reasoning").asText());
        return out;
    }
}
