package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.render.TokenEstimator;
import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long inputs' truncation and chunking, and stratum selection, as the planner writes them into requests. */
class LongInputsTest {
    static final String RUN = "long-inputs-0123456789ab";

    @TempDir
    Path dir;

    static JobSpec job(String extra) {
        return JobSpecLoader.load(("""
                name: long-test
                model: claude-haiku-4-5-20251001
                max_tokens: 100
                user_template: "Subject: {{subject}}\\n{{body}}"
                output_schema:
                  type: object
                  required: [category, confidence]
                  properties:
                    category: {type: string}
                    confidence: {type: number}
                """ + extra).getBytes(StandardCharsets.UTF_8),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    /** Words "w0001 w0002 ..." so every cut and overlap can be located. */
    static String words(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) sb.append(i == 1 ? "" : " ").append(String.format("w%04d", i));
        return sb.toString();
    }

    static String line(String id, String body) {
        return Json.string(Json.MAPPER.createObjectNode().put("id", id).put("subject", "s").put("body", body));
    }

    Plan plan(JobSpec job, FileObjectStore store, String... lines) {
        byte[] input = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        return new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, new ByteArrayInputStream(input), "inbox/long-test/x.jsonl",
                store));
    }

    static List<JsonNode> lines(FileObjectStore store, String key) {
        List<JsonNode> out = new ArrayList<>();
        for (String l : store.readString(key).split("\n")) if (!l.isEmpty()) out.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)));
        return out;
    }

    static String user(JsonNode request) {
        return request.at("/params/messages/0/content").asText();
    }

    @Test
    void aFieldOverTheLimitIsCutWithTheMarkerAndFlaggedAndAShortOneIsLeftAlone() {
        FileObjectStore store = new FileObjectStore(dir);
        JobSpec job = job("long_inputs: {field: body, max_input_tokens: 100, mode: truncate}\n");
        String body = words(200); // 1,199 bytes ~ 343 tokens
        plan(job, store, line("short", "just a few words"), line("long", body));

        List<JsonNode> requests = lines(store, RunKeys.shard(RUN, 1, 0));
        List<JsonNode> index = lines(store, RunKeys.shardIndex(RUN, 1, 0));
        assertThat(requests).hasSize(2);
        assertThat(user(requests.get(0))).isEqualTo("Subject: s\njust a few words");
        assertThat(index.get(0).has("truncated")).isFalse();

        String cut = user(requests.get(1));
        assertThat(cut).startsWith("Subject: s\nw0001 w0002").endsWith(LongInputs.DEFAULT_MARKER);
        String kept = cut.substring("Subject: s\n".length(), cut.length() - LongInputs.DEFAULT_MARKER.length());
        assertThat(TokenEstimator.tokensForBytes(TokenEstimator.utf8Length(kept))).isLessThanOrEqualTo(100);
        assertThat(body).startsWith(kept.strip()); // a prefix, cut between words
        assertThat(kept.strip()).matches(".*w\\d{4}");
        assertThat(index.get(1).get("truncated").asBoolean()).isTrue();
        assertThat(index.get(1).get("custom_id").asText()).isEqualTo("a1-l2");
    }

    @Test
    void chunksOverlapCoverTheWholeFieldAndEachIsItsOwnRequestOfTheSameLine() {
        FileObjectStore store = new FileObjectStore(dir);
        JobSpec job = job("""
                long_inputs: {field: body, max_input_tokens: 100, mode: chunk, chunk_tokens: 60, overlap_tokens: 12}
                """);
        String body = words(120); // 719 bytes ~ 206 tokens
        Plan plan = plan(job, store, line("short", "tiny"), line("long", body));

        assertThat(plan.items()).isEqualTo(2);
        assertThat(plan.valid()).isEqualTo(2); // items, not requests
        List<JsonNode> requests = lines(store, RunKeys.shard(RUN, 1, 0));
        List<JsonNode> index = lines(store, RunKeys.shardIndex(RUN, 1, 0));
        int chunks = requests.size() - 1;
        assertThat(chunks).isBetween(4, 6);
        List<String> seen = new ArrayList<>();
        for (int k = 0; k < chunks; k++) {
            JsonNode request = requests.get(k + 1);
            assertThat(request.get("custom_id").asText()).isEqualTo("a1-l2-c" + k).matches(Planner.CUSTOM_ID);
            assertThat(index.get(k + 1).get("line").asLong()).isEqualTo(2);
            assertThat(index.get(k + 1).get("chunk").asInt()).isEqualTo(k);
            assertThat(index.get(k + 1).get("chunks").asInt()).isEqualTo(chunks);
            String text = user(request).substring("Subject: s\n".length());
            String heading = String.format(LongInputs.CHUNK_HEADING, k + 1, chunks);
            assertThat(text).startsWith(heading);
            String part = text.substring(heading.length());
            assertThat(TokenEstimator.tokensForBytes(TokenEstimator.utf8Length(part))).isLessThanOrEqualTo(60);
            List<String> partWords = List.of(part.strip().split(" "));
            assertThat(partWords).allMatch(w -> w.matches("w\\d{4}")); // whole words only
            if (k > 0) assertThat(seen).contains(partWords.get(0)); // overlaps the previous chunk
            seen.addAll(partWords);
        }
        assertThat(new java.util.TreeSet<>(seen)).containsExactlyElementsOf(new java.util.TreeSet<>(List.of(body.split(" "))));
    }

    @Test
    void anItemNeedingMoreThanMaxChunksFailsWithTheReason() {
        FileObjectStore store = new FileObjectStore(dir);
        JobSpec job = job("long_inputs: {field: body, max_input_tokens: 20, mode: chunk, max_chunks: 3}\n");
        Plan plan = plan(job, store, line("long", words(120)));
        assertThat(plan.invalid()).isEqualTo(1);
        JsonNode failed = lines(store, RunKeys.planPart(RUN, 1, OutcomeKind.FAILED)).get(0);
        assertThat(failed.get("reason").asText()).contains("more than long_inputs.max_chunks (3)");
    }

    @Test
    void aChunkThatCannotBeSentIsParkedAsThatChunksOutcomeSoTheItemStillEndsInOneLine() {
        FileObjectStore store = new FileObjectStore(dir);
        JobSpec job = job("""
                long_inputs: {field: body, max_input_tokens: 100, mode: chunk, chunk_tokens: 60, overlap_tokens: 12}
                shard: {max_bytes: 300}
                """);
        Plan plan = plan(job, store, line("short", "tiny"), line("long", words(120)));
        assertThat(plan.invalid()).isEqualTo(2); // items, each once
        List<JsonNode> failed = lines(store, RunKeys.planPart(RUN, 1, OutcomeKind.FAILED));
        assertThat(failed).extracting(n -> n.get("line").asLong()).containsExactly(1L);
        List<JsonNode> parked = lines(store, RunKeys.planChunkPart(RUN, 1));
        assertThat(parked).hasSizeGreaterThan(1).allSatisfy(c -> {
            assertThat(c.get("line").asLong()).isEqualTo(2);
            assertThat(c.at("/outcome/outcome").asText()).isEqualTo("failed");
            assertThat(c.at("/outcome/reason").asText()).contains("too large for one batch");
        });
        io.batchline.outcome.OutcomeLine merged = new io.batchline.outcome.ChunkMerge(job).merge(parked.stream()
                .map(c -> Json.convert(c, io.batchline.outcome.ChunkOutcome.class)).toList());
        assertThat(merged.outcome()).isEqualTo("failed");
        assertThat(merged.reason()).contains("too large for one batch").endsWith("(chunk 1 of " + parked.size() + ")");
    }

    @Test
    void itemsGoToTheFirstStratumTheyReachWithItsTemplateModelAndMaxTokens() {
        FileObjectStore store = new FileObjectStore(dir);
        JobSpec job = job("""
                strata:
                  - name: huge
                    when: {min_tokens: 1000}
                    model: claude-sonnet-4-5-20250929
                  - name: long
                    when: {min_tokens: 50}
                    max_tokens: 400
                    user_template: "LONG {{subject}}: {{body}}"
                """);
        plan(job, store, line("short", "tiny"), line("long", words(40)), line("huge", words(700)));
        List<JsonNode> requests = lines(store, RunKeys.shard(RUN, 1, 0));
        List<JsonNode> index = lines(store, RunKeys.shardIndex(RUN, 1, 0));

        assertThat(requests.get(0).at("/params/model").asText()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(requests.get(0).at("/params/max_tokens").asInt()).isEqualTo(100);
        assertThat(index.get(0).has("stratum")).isFalse();

        assertThat(requests.get(1).at("/params/model").asText()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(requests.get(1).at("/params/max_tokens").asInt()).isEqualTo(400);
        assertThat(user(requests.get(1))).startsWith("LONG s: w0001");
        assertThat(index.get(1).get("stratum").asText()).isEqualTo("long");

        assertThat(requests.get(2).at("/params/model").asText()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(requests.get(2).at("/params/max_tokens").asInt()).isEqualTo(100);
        assertThat(user(requests.get(2))).startsWith("Subject: s\n");
        assertThat(index.get(2).get("stratum").asText()).isEqualTo("huge");
    }
}
