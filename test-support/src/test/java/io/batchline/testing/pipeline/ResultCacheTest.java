package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.cache.ResultCache;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.json.Json;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.InMemoryResultCacheStore;
import io.batchline.testing.ScriptedBatchProvider;
import io.batchline.testing.ScriptedBatchProvider.Answer;
import io.batchline.testing.TicketTriage;
import io.batchline.validate.InvalidOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The result cache on the in-memory ports and a scripted provider: a second file sharing items with an earlier run pays
 * only for the items it does not share; the provider's own record of what it received is the witness.
 */
class ResultCacheTest {
    private static final Path TICKETS = Path.of("..").toAbsolutePath().normalize()
            .resolve("samples/ticket-triage/tickets.jsonl");

    private static byte[] tickets(int from, int to) throws Exception {
        List<String> lines = Files.readAllLines(TICKETS).subList(from - 1, to);
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Every request the provider received, in every batch of every run. */
    private static List<JsonNode> paramsReceivedByProvider(InMemoryPipeline p) {
        List<JsonNode> all = new ArrayList<>();
        for (ScriptedBatchProvider.Created batch : p.provider.created()) {
            batch.requests().forEach(r -> all.add(r.get("params")));
        }
        return all;
    }

    /** Valid answers, 1 in 4 needing review. */
    private static InMemoryPipeline answering() {
        InMemoryPipeline p = new InMemoryPipeline();
        p.provider.script((cid, params) -> new Answer(TicketTriage.answer(TicketTriage.categoryOf(params),
                TicketTriage.lineOf(cid) % 4 == 0 ? 0.8 : 0.95)));
        return p;
    }

    /** id -> the params the run sent for it in attempt 1 (from its shards and their indexes). */
    private static Map<String, JsonNode> paramsById(InMemoryPipeline p, InMemoryRunDriver driver, String runId) {
        Map<String, JsonNode> byId = new HashMap<>();
        for (int shard = 0; p.store().exists(RunKeys.shard(runId, 1, shard)); shard++) {
            Map<String, String> idByCustomId = new HashMap<>();
            for (JsonNode ix : driver.lines(RunKeys.shardIndex(runId, 1, shard))) {
                idByCustomId.put(ix.get("custom_id").asText(), ix.get("id").asText());
            }
            for (JsonNode r : driver.lines(RunKeys.shard(runId, 1, shard))) {
                byId.put(idByCustomId.get(r.get("custom_id").asText()), r.get("params"));
            }
        }
        return byId;
    }

    private static Map<String, JsonNode> outcomesById(InMemoryRunDriver driver, String runId) {
        Map<String, JsonNode> byId = new HashMap<>();
        for (OutcomeKind kind : OutcomeKind.values()) {
            for (JsonNode line : driver.outcomes(runId, kind)) {
                assertThat(byId.put(line.get("id").asText(), line)).as("one outcome per item").isNull();
            }
        }
        return byId;
    }

    @Test
    void aSecondFileReusesTheValidAnswersOfTheItemsItSharesWithinTheWindow() throws Exception {
        {
            InMemoryPipeline p = answering();
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            byte[] job = TicketTriage.job("result_cache: {window: 7d}\n").getBytes(StandardCharsets.UTF_8);

            // GIVEN a first run of tickets 1-20, which pays for every item and fills the cache
            String first = driver.run("cache-first-00001", job, tickets(1, 20));
            Map<String, JsonNode> firstOutcomes = outcomesById(driver, first);
            Map<String, JsonNode> firstParams = paramsById(p, driver, first);
            assertThat(firstOutcomes).hasSize(20);
            assertThat(driver.report(first).get("cached").asLong()).isZero();

            // AND the answer of one shared item made older than the window (ticket 12's line)
            String aged = Json.tree(tickets(12, 12)).get("id").asText();
            p.resultCache.storedAt(ResultCache.requestHash(firstParams.get(aged)),
                    p.clock.instant().minus(Duration.ofDays(8)).getEpochSecond());

            // WHEN a different file, tickets 11-30, runs (a new run: 10 items shared, 10 new)
            String second = driver.run("cache-second-0001", job, tickets(11, 30));

            // THEN every line of the second file has exactly one outcome line, with its own line number
            Map<String, JsonNode> secondOutcomes = outcomesById(driver, second);
            assertThat(secondOutcomes).hasSize(20);
            assertThat(secondOutcomes.values().stream().map(l -> l.get("line").asLong()).sorted().toList())
                    .isEqualTo(java.util.stream.LongStream.rangeClosed(1, 20).boxed().toList());

            // AND the shared items whose first answer was valid are answered from the cache, not sent again
            List<String> expectCached = new ArrayList<>();
            for (String id : secondOutcomes.keySet()) {
                JsonNode before = firstOutcomes.get(id);
                if (before == null || id.equals(aged) || before.get("output") == null
                        || before.path("repaired").asBoolean(false)
                        || InvalidOutput.isInvalidOutputReason(before.path("reason").asText(null))) continue;
                expectCached.add(id);
            }
            assertThat(expectCached).hasSizeGreaterThanOrEqualTo(5);
            List<String> cached = secondOutcomes.values().stream().filter(l -> l.path("cached").asBoolean(false))
                    .map(l -> l.get("id").asText()).toList();
            assertThat(cached).containsExactlyInAnyOrderElementsOf(expectCached);

            List<JsonNode> received = paramsReceivedByProvider(p);
            for (String id : cached) {
                JsonNode line = secondOutcomes.get(id);
                assertThat(line.get("output")).isEqualTo(firstOutcomes.get(id).get("output"));
                assertThat(line.get("outcome")).isEqualTo(firstOutcomes.get(id).get("outcome"));
                assertThat(line.get("cost_usd").decimalValue()).isZero();
                assertThat(line.has("batch_id")).isFalse();
                assertThat(received.stream().filter(firstParams.get(id)::equals).count())
                        .as("requests carrying the prompt of cached item %s", id).isEqualTo(1);
            }

            // AND the item whose answer is older than the window is sent (and paid) again
            assertThat(secondOutcomes.get(aged).has("cached")).isFalse();
            assertThat(received.stream().filter(firstParams.get(aged)::equals).count()).isEqualTo(2);

            // AND the report counts the cached items, and its counts still add up
            JsonNode report = driver.report(second);
            assertThat(report.get("cached").asLong()).isEqualTo(cached.size());
            assertThat(report.get("items").asLong()).isEqualTo(20);
            assertThat(report.get("accepted").asLong() + report.get("review").asLong()
                    + report.get("rejected").asLong() + report.get("failed").asLong()).isEqualTo(20);
        }
    }

    /**
     * Checkpoints with the cache on: a planning pass killed part-way resumes at its last format checkpoint and leaves
     * the same shards and cached parts as a pass that was never killed (lookups, failures and long items keep input
     * order, so the checkpoint has one position).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "killed at write {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {6, 13, 21})
    void aPlanningPassKilledWithTheCacheOnResumesToTheSameOutputs(int write, @TempDir Path stores) throws Exception {
        {
            InMemoryPipeline p = answering();
            InMemoryResultCacheStore cache = p.resultCache;
            String yaml = TicketTriage.job("result_cache: {window: 7d}\n").replace("max_requests: 60", "max_requests: 7");
            // GIVEN a cache holding the answers of tickets 1-40
            new InMemoryRunDriver(p).run("cache-fill-000001", yaml.getBytes(StandardCharsets.UTF_8), tickets(1, 40));
            io.batchline.job.JobSpec job = io.batchline.job.JobSpecLoader.load(yaml.getBytes(StandardCharsets.UTF_8),
                    ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
            byte[] input = (new String(tickets(1, 90), StandardCharsets.UTF_8).replaceFirst("\n", "\n{broken\n")
                    + "[1]\n").getBytes(StandardCharsets.UTF_8);
            var whole = new io.batchline.store.FileObjectStore(stores.resolve("whole"));
            var killed = new io.batchline.store.FileObjectStore(stores.resolve("killed"));
            plan(job, input, whole, whole, cache, p.clock);

            // WHEN a pass dies at one of its writes and the stage runs again
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> plan(job, input, diesAtWrite(killed, write),
                    killed, cache, p.clock)).hasMessageContaining("the test's kill");
            boolean checkpointed = killed.exists(RunKeys.formatCheckpoint("cache-resume", 1));
            plan(job, input, killed, killed, cache, p.clock);

            // THEN it resumed after its checkpoint and published exactly what the uninterrupted pass did
            assertThat(checkpointed).isTrue();
            assertThat(Json.tree(killed.read(RunKeys.formatCheckpoint("cache-resume", 1))).get("resumed_from").asLong())
                    .isGreaterThan(1);
            Map<String, String> published = published(killed);
            assertThat(published).isEqualTo(published(whole));
            assertThat(published.get(RunKeys.cachedPart("cache-resume", OutcomeKind.ACCEPTED))).isNotEmpty();
        }
    }

    private static void plan(io.batchline.job.JobSpec job, byte[] input, io.batchline.store.ObjectStore store,
                             io.batchline.store.ObjectStore lookupStore, InMemoryResultCacheStore cache,
                             java.time.Clock clock) {
        new io.batchline.plan.Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(io.batchline.plan.PlanRequest.of(job, "cache-resume", 1,
                        new java.io.ByteArrayInputStream(input), "in.jsonl", store)
                .withCache(ResultCache.lookup(cache, job, "cache-resume", lookupStore, clock))
                .withCheckpointEvery(5));
    }

    private static Map<String, String> published(io.batchline.store.ObjectStore store) {
        Map<String, String> objects = new java.util.TreeMap<>();
        for (String key : store.list(RunKeys.run("cache-resume"))) {
            if (!key.contains("/checkpoints/") && !key.contains("/plan-segments/")) objects.put(key, store.readString(key));
        }
        return objects;
    }

    /** The store as a process killed in its n-th write would see it: that create or put fails. */
    private static io.batchline.store.ObjectStore diesAtWrite(io.batchline.store.ObjectStore store, int n) {
        int[] left = {n};
        return (io.batchline.store.ObjectStore) java.lang.reflect.Proxy.newProxyInstance(
                io.batchline.store.ObjectStore.class.getClassLoader(), new Class<?>[] {io.batchline.store.ObjectStore.class},
                (proxy, method, args) -> {
                    if ((method.getName().equals("create") || method.getName().equals("put")) && --left[0] == 0) {
                        throw new java.io.UncheckedIOException(new java.io.IOException("the test's kill, writing " + args[0]));
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
