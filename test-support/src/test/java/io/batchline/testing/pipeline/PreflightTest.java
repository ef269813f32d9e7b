package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.Preflight;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderModelInfo;
import io.batchline.run.ShardRecord;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pre-flight on the real stages, the in-memory ports and a scripted provider: the provider's word on each model and
 * the written shards are checked before any batch is created.
 */
class PreflightTest {

    private static List<MessageBatch> batchesAtProvider(InMemoryPipeline p) {
        return p.provider.batches();
    }

    /** Registers and formats a run of the sample's first {@code items} tickets; returns its id. */
    private static String formatted(InMemoryPipeline p, String runId, String jobYaml, int items) throws Exception {
        new InMemoryRunDriver(p).start(runId, jobYaml.getBytes(StandardCharsets.UTF_8), TicketTriage.tickets(items));
        return runId;
    }

    @Test
    void preflightAsksTheProviderAboutEachModelBeforeAnyBatch() throws Exception {
        // GIVEN a provider whose Haiku 4.5 writes at most 200 tokens and has no structured outputs, unlike the catalogue
        {
            InMemoryPipeline p = new InMemoryPipeline();
            p.provider.model("claude-haiku-4-5-20251001", new ProviderModelInfo("claude-haiku-4-5-20251001", 200,
                    200_000, false, List.of(), List.of()));
            String runId = formatted(p, "preflight-000000005",
                    TicketTriage.job("preflight: true\nstructured_output: on\n"), 30);

            // THEN the provider's model info shows the disagreement and the run stops before any batch or message
            assertThatThrownBy(() -> new SubmitStage(p.ctxFor(StageNames.SUBMIT)).submit(new SubmitRequest(runId, InMemoryPipeline.BUCKET, 1)))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                        assertThat(e.code()).isEqualTo(Preflight.ERROR);
                        assertThat(e.getMessage()).contains("claude-haiku-4-5-20251001")
                                .contains("max_tokens 300 is above its limit of 200")
                                .contains("does not support structured outputs").contains("No batch was created");
                    });
            assertThat(batchesAtProvider(p)).isEmpty();
        }
        // AND with the provider as the catalogue describes it, the same job is submitted
        {
            InMemoryPipeline p = new InMemoryPipeline();
            String runId = formatted(p, "preflight-000000006", TicketTriage.job("preflight: true\n"), 30);
            new SubmitStage(p.ctxFor(StageNames.SUBMIT)).submit(new SubmitRequest(runId, InMemoryPipeline.BUCKET, 1));
            assertThat(batchesAtProvider(p)).isNotEmpty();
        }
    }

    @Test
    void aWrittenShardThatDoesNotMapBackToItsItemsIsNeverSent() throws Exception {
        {
            InMemoryPipeline p = new InMemoryPipeline();
            String runId = formatted(p, "preflight-000000002", TicketTriage.job(""), 12);
            ShardRecord shard = p.runs.shards(runId, 1).get(0);
            // GIVEN a shard whose first request's custom_id was changed after planning (not in the index)
            // and whose second request has a custom_id the provider would refuse
            List<String> lines = new ArrayList<>(List.of(new String(p.store().read(shard.requestsKey()),
                    StandardCharsets.UTF_8).split("\n")));
            lines.set(0, lines.get(0).replace("\"custom_id\":\"a1-l1\"", "\"custom_id\":\"a1-l1-c9\""));
            lines.set(1, lines.get(1).replace("\"custom_id\":\"a1-l2\"", "\"custom_id\":\"a1-l2.0\""));
            p.store().put(shard.requestsKey(), (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8),
                    "application/x-ndjson");

            assertThatThrownBy(() -> new SubmitStage(p.ctxFor(StageNames.SUBMIT)).submit(new SubmitRequest(runId, InMemoryPipeline.BUCKET, 1)))
                    .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                        assertThat(e.code()).isEqualTo(Preflight.ERROR);
                        assertThat(e.getMessage()).contains("custom_id a1-l1-c9 maps to no item")
                                .contains("custom_id 'a1-l2.0' has '.'")
                                .contains("item of line 1 (custom_id a1-l1) has no request");
                    });
            assertThat(batchesAtProvider(p)).isEmpty();
        }
    }
}
