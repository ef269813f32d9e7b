package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Golden and canary at planning: the canary's items get shards of their own, first; golden items are added apart. */
class GoldenCanaryPlanTest {
    static final String RUN = "golden-canary-000000000001";

    @TempDir
    Path dir;

    static JobSpec job(String extra) {
        return JobSpecLoader.load(("""
                name: gc
                model: claude-haiku-4-5-20251001
                user_template: "{{subject}}: {{body}}"
                max_tokens: 100
                ground_truth_field: label
                output_schema:
                  type: object
                  required: [primary_category, confidence]
                  properties:
                    primary_category: {type: string, enum: [billing, technical, other]}
                    confidence: {type: number}
                shard: {max_requests: 4}
                """ + extra).getBytes(StandardCharsets.UTF_8),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    static byte[] tickets(String prefix, int n, boolean labelled) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            sb.append("{\"id\":\"").append(prefix).append(i).append("\",\"subject\":\"s").append(i)
                    .append("\",\"body\":\"b\"").append(labelled ? ",\"label\":\"billing\"" : "").append("}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Plan plan(JobSpec job, FileObjectStore store, byte[] input, byte[] golden) {
        InputStream g = golden == null ? null : new ByteArrayInputStream(golden);
        return new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, RUN, 1, new ByteArrayInputStream(input), "in.jsonl", store)
                .withGolden(g == null ? null : new Planner.GoldenInput("golden.jsonl", g)));
    }

    private List<JsonNode> index(FileObjectStore store, Plan.ShardPlan shard) {
        return PlannerTest.jsonLines(store, shard.indexKey());
    }

    @Test
    void anInputWithNoValidItemAddsNoGoldenItemAndNoCanaryShardAndSaysWhy() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        JobSpec job = job("canary: {items: 6}\ngolden: {file: golden.jsonl}\n");
        byte[] input = "{oops\n[1,2]\n\n\"text\"\n".getBytes(StandardCharsets.UTF_8);

        Plan plan = plan(job, store, input, tickets("G", 3, true));

        assertThat(plan.items()).isEqualTo(3);
        assertThat(plan.valid()).isZero();
        assertThat(plan.invalid()).isEqualTo(3);
        assertThat(plan.golden()).as("golden items alone would be paid for nothing").isZero();
        assertThat(plan.shards()).isEmpty();
        assertThat(plan.canaryShards()).isZero();
        assertThat(plan.goldenSkipped()).contains("no valid item");
        JsonNode stored = io.batchline.json.Json.tree(store.read(RunKeys.plan(RUN, 1)));
        assertThat(stored.get("golden_skipped").asText()).contains("no valid item");

        // one valid item is enough for the golden items to go
        Plan one = plan(job, new FileObjectStore(dir.resolve("one")), tickets("T", 1, true), tickets("G", 3, true));
        assertThat(one.golden()).isEqualTo(3);
        assertThat(one.goldenSkipped()).isNull();
    }

    @Test
    void theCanarysItemsFillShardsOfTheirOwnFirstAndGoldenItemsComeAfterApart() throws Exception {
        FileObjectStore store = new FileObjectStore(dir);
        JobSpec job = job("canary: {items: 6}\ngolden: {file: golden.jsonl}\n");

        Plan plan = plan(job, store, tickets("T", 11, true), tickets("G", 3, true));

        // 6 canary items: shards 0 (4) and 1 (2, closed early); the other 5 items + 3 golden: shards 2 and 3
        assertThat(plan.canaryShards()).isEqualTo(2);
        assertThat(plan.shards()).extracting(Plan.ShardPlan::requests).containsExactly(4, 2, 4, 4);
        assertThat(plan.items()).isEqualTo(11);
        assertThat(plan.valid()).isEqualTo(11);
        assertThat(plan.golden()).isEqualTo(3);
        List<JsonNode> canary = new ArrayList<>(index(store, plan.shards().get(0)));
        canary.addAll(index(store, plan.shards().get(1)));
        assertThat(canary).extracting(n -> n.get("line").asLong()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(canary).noneMatch(n -> n.has("golden"));

        List<JsonNode> last = index(store, plan.shards().get(3));
        List<JsonNode> golden = last.stream().filter(n -> n.path("golden").asBoolean()).toList();
        assertThat(golden).extracting(n -> n.get("custom_id").asText()).containsExactly("a1-g1", "a1-g2", "a1-g3");
        assertThat(golden).allSatisfy(n -> assertThat(n.get("label").asText()).isEqualTo("billing"));
        assertThat(golden).allSatisfy(n -> assertThat(n.get("custom_id").asText()).matches(Planner.CUSTOM_ID));
        // labels are never sent: the golden requests hold only the template's fields
        String requests = store.readString(plan.shards().get(3).key());
        assertThat(requests).contains("\"custom_id\":\"a1-g1\"").contains("\"content\":\"s1: b\"")
                .doesNotContain("label");
        assertThat(plan.requests()).isEqualTo(14);
        // golden items are no outcome lines: nothing in the plan's failed part
        assertThat(store.readString(RunKeys.planPart(RUN, 1, io.batchline.outcome.OutcomeKind.FAILED))).isEmpty();
    }

    @Test
    void withoutCanaryTheShardsAreFilledAsBeforeAndACanaryLargerThanTheInputTakesItAll() {
        Plan plain = plan(job(""), new FileObjectStore(dir.resolve("a")), tickets("T", 6, false), null);
        assertThat(plain.canaryShards()).isZero();
        assertThat(plain.shards()).extracting(Plan.ShardPlan::requests).containsExactly(4, 2);

        Plan all = plan(job("canary: {items: 50}\n"), new FileObjectStore(dir.resolve("b")), tickets("T", 6, false), null);
        assertThat(all.canaryShards()).isEqualTo(2);
        assertThat(all.shards()).hasSize(2);
    }

    @Test
    void aGoldenLineWithoutLabelOrWithBadJsonStopsPlanningNamingTheLine() {
        JobSpec job = job("golden: {file: golden.jsonl, label_field: truth}\n");
        byte[] unlabelled = tickets("G", 2, true); // labelled in "label", not in "truth"
        assertThatThrownBy(() -> plan(job, new FileObjectStore(dir.resolve("c")), tickets("T", 2, false), unlabelled))
                .isInstanceOf(Planner.GoldenFileException.class)
                .hasMessage("golden file golden.jsonl line 1: no label in field 'truth' (golden.label_field)");
        byte[] broken = "{\"id\":\"G1\",\"subject\":\"s\",\"body\":\"b\",\"truth\":\"x\"}\n{\"id\":".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> plan(job, new FileObjectStore(dir.resolve("d")), tickets("T", 2, false), broken))
                .isInstanceOf(Planner.GoldenFileException.class).hasMessageStartingWith("golden file golden.jsonl line 2: ");
    }
}
