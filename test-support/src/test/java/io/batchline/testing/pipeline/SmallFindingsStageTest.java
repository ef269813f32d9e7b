package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.run.RunKeys;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.TicketTriage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** A corrupt .gz input and an input with no valid item, on the real stages, the in-memory ports and the scripted provider. */
class SmallFindingsStageTest {

    private static long batchesAtProvider(InMemoryPipeline p) {
        return p.provider.batches().size();
    }

    @Test
    void aTruncatedGzipInputFailsTheRunPermanentlyWithItsReason() throws Exception {
        {
            InMemoryPipeline p = new InMemoryPipeline();
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
                out.write(TicketTriage.tickets(200));
            }
            byte[] truncated = Arrays.copyOf(gz.toByteArray(), gz.size() / 2);
            String runId = "corrupt-000000001";
            String inputKey = RunKeys.INBOX + "quality-test/" + runId + ".jsonl.gz";
            p.store().put(RunKeys.jobSpec("quality-test"), TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                    "application/yaml");
            p.store().put(inputKey, truncated, "application/gzip");
            new RegisterStage(p.ctxFor(StageNames.REGISTER)).register(new RunStart(runId, InMemoryPipeline.BUCKET, inputKey, p.store().head(inputKey).orElseThrow().etag(),
                    "quality-test"));

            assertThatThrownBy(() -> new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(runId, InMemoryPipeline.BUCKET, 1, null)))
                    .isInstanceOf(PermanentStageException.class)
                    .hasMessageStartingWith("InputCorrupt: reading input " + inputKey + ": corrupt input:")
                    .hasMessageContaining("truncated");
            assertThat(batchesAtProvider(p)).isZero();
        }
    }

    @Test
    void anInputWithNoValidItemSendsNoGoldenItemAndNoCanaryAndTheReportSaysWhy() throws Exception {
        {
            InMemoryPipeline p = new InMemoryPipeline();
            p.store().put(RunKeys.goldenSource("quality-test", "golden.jsonl"),
                    java.nio.file.Files.readAllBytes(java.nio.file.Path.of("../samples/ticket-triage/golden.jsonl")),
                    "application/x-ndjson");
            InMemoryRunDriver driver = new InMemoryRunDriver(p);
            String job = TicketTriage.job("""
                    ground_truth_field: label
                    golden: {file: golden.jsonl}
                    canary: {items: 5, min_pass_rate: 0.8}
                    """);
            byte[] input = "{oops\n[1]\n\n\"text\"\n{\"id\":\n".getBytes(StandardCharsets.UTF_8);

            String runId = driver.run("nogolden-00000001", job.getBytes(StandardCharsets.UTF_8), input);

            assertThat(batchesAtProvider(p)).as("nothing is sent, so nothing is paid").isZero();
            assertThat(driver.outcomes(runId, io.batchline.outcome.OutcomeKind.FAILED))
                    .extracting(n -> n.get("line").asLong()).containsExactlyInAnyOrder(1L, 2L, 4L, 5L);
            com.fasterxml.jackson.databind.JsonNode report = driver.report(runId);
            assertThat(report.at("/golden_quality/count").asLong()).isZero();
            assertThat(report.at("/golden_quality/skipped").asText()).contains("no valid item");
            assertThat(report.path("golden_cost_usd").decimalValue()).isZero();
            assertThat(driver.canary).isNull();
        }
    }
}
