package io.batchline.testing.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.pipeline.CancelStage;
import io.batchline.pipeline.CancelStage.CancelRequest;
import io.batchline.pipeline.CancelStage.Canceled;
import io.batchline.pipeline.CollectStage;
import io.batchline.pipeline.FinalizeStage;
import io.batchline.pipeline.FormatStage;
import io.batchline.pipeline.PermanentStageException;
import io.batchline.pipeline.PollStage;
import io.batchline.pipeline.RegisterStage;
import io.batchline.pipeline.StageNames;
import io.batchline.pipeline.StagePayloads.CollectRequest;
import io.batchline.pipeline.StagePayloads.FormatRequest;
import io.batchline.pipeline.StagePayloads.Formatted;
import io.batchline.pipeline.StagePayloads.PollRequest;
import io.batchline.pipeline.StagePayloads.PollState;
import io.batchline.pipeline.StagePayloads.RunRef;
import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.pipeline.StagePayloads.SubmitRequest;
import io.batchline.pipeline.SubmitStage;
import io.batchline.provider.MessageBatch;
import io.batchline.run.RunKeys;
import io.batchline.run.RunRecord;
import io.batchline.run.ShardRecord.ShardStatus;
import io.batchline.testing.InMemoryPipeline;
import io.batchline.testing.ScriptedBatchProvider.Answer;
import io.batchline.testing.ScriptedBatchProvider.Errored;
import io.batchline.testing.ScriptedBatchProvider.Expired;
import io.batchline.testing.TicketTriage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Cancel on the real stages, the in-memory ports and a scripted provider: a run canceled while its batches are in
 * flight, or between a retry round's planning and its submission, or before the retry round is
 * planned, ends with every input line in exactly one outcome file: what finished as usual, the rest failed with
 * reason canceled; no batch is created after the cancel, and report.json says the run was canceled.
 */
class CancelStageTest {
    private static final String BUCKET = InMemoryPipeline.BUCKET;

    /** The stages in the order batchline-run.asl.json calls them, one step at a time. */
    private record Steps(InMemoryPipeline p, String runId) {
        Formatted start(int items) throws Exception {
            String inputKey = RunKeys.INBOX + "cancel-test/" + runId + ".jsonl";
            p.store().put(RunKeys.jobSpec("cancel-test"), TicketTriage.job("").getBytes(StandardCharsets.UTF_8),
                    "application/yaml");
            p.store().put(inputKey, TicketTriage.tickets(items), "application/x-ndjson");
            new RegisterStage(p.ctxFor(StageNames.REGISTER)).register(new RunStart(runId, BUCKET, inputKey, p.store().head(inputKey).orElseThrow().etag(), "cancel-test"));
            return new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(runId, BUCKET, 1, null));
        }

        PollState submit(int attempt) {
            return new SubmitStage(p.ctxFor(StageNames.SUBMIT)).submit(new SubmitRequest(runId, BUCKET, attempt));
        }

        /** Check batches until all ended, then Collect results; returns the next plan (Plan retry round). */
        Formatted waitCollectAndPlanNext(int attempt, PollState poll) {
            for (int i = 0; !poll.allEnded(); i++) {
                if (i > 600) throw new AssertionError("batches of attempt " + attempt + " never ended");
                p.clock.advance(Duration.ofSeconds(poll.waitSeconds())); // the state machine's wait
                poll = new PollStage(p.ctxFor(StageNames.POLL)).poll(new PollRequest(runId, BUCKET, attempt, poll.polls()));
            }
            for (int shard : poll.endedShards()) {
                new CollectStage(p.ctxFor(StageNames.COLLECT)).collect(new CollectRequest(runId, BUCKET, attempt, shard));
            }
            return new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(runId, BUCKET, null, attempt));
        }

        Canceled cancel() {
            return new CancelStage(p.ctxFor(StageNames.CANCEL)).cancel(new CancelRequest(runId));
        }

        JsonNode finish() {
            new FinalizeStage(p.ctxFor(StageNames.FINALIZE)).finalize(new RunRef(runId, BUCKET));
            return new InMemoryRunDriver(p).report(runId);
        }

        /** line -> outcome line, asserting that no line is in two files or twice in one. */
        Map<Long, JsonNode> outcomes() {
            Map<Long, JsonNode> byLine = new HashMap<>();
            for (OutcomeKind kind : OutcomeKind.values()) {
                for (JsonNode n : new InMemoryRunDriver(p).outcomes(runId, kind)) {
                    assertThat(byLine.put(n.get("line").asLong(), n)).as("line %s twice", n.get("line")).isNull();
                }
            }
            return byLine;
        }

        List<MessageBatch> batches() {
            return p.ctx().provider().listSince(java.time.Instant.EPOCH);
        }
    }

    @Test
    void canceledMidFlightKeepsWhatFinishedAndFailsTheRestWithReasonCanceled() throws Exception {
        // GIVEN batches in progress that have processed 1 request in 3, some requests erroring transiently
        {
            InMemoryPipeline p = new InMemoryPipeline();
            p.provider.endOnRetrieve(20).processedBeforeCancel(cid -> TicketTriage.lineOf(cid) % 3 == 0)
                    .script((cid, params) -> TicketTriage.lineOf(cid) % 5 == 0
                            ? new Errored("overloaded_error", "Overloaded")
                            : new Answer(TicketTriage.answer(TicketTriage.categoryOf(params), 0.95)));
            Steps run = new Steps(p, "cancel-midflight-01");
            Formatted plan = run.start(200);
            assertThat(plan.shards()).isEqualTo(4);
            PollState poll = run.submit(1);
            p.clock.advance(Duration.ofMillis(2500));

            // WHEN an operator cancels it while the batches are in progress, twice
            Canceled first = run.cancel();
            Canceled second = run.cancel();
            assertThat(first.status()).isEqualTo("cancel_requested");
            assertThat(first.batchesCanceling()).isEqualTo(4);
            assertThat(second.status()).isEqualTo("already_requested");
            assertThat(second.requestedAt()).isEqualTo(first.requestedAt());
            Instant canceledAt = Instant.parse(first.requestedAt());

            // THEN the execution carries on to its end with no further round
            Formatted next = run.waitCollectAndPlanNext(1, poll);
            assertThat(next.shards()).as("no retry round after a cancel").isZero();
            JsonNode report = run.finish();

            Map<Long, JsonNode> outcomes = run.outcomes();
            assertThat(outcomes).hasSize(200);
            List<JsonNode> finished = outcomes.values().stream()
                    .filter(n -> !"failed".equals(n.get("outcome").asText())).toList();
            List<JsonNode> failed = outcomes.values().stream()
                    .filter(n -> "failed".equals(n.get("outcome").asText())).toList();
            assertThat(finished).as("answers that ended before the cancel are kept").isNotEmpty();
            assertThat(failed).as("requests the cancel stopped").hasSizeGreaterThan(50);
            assertThat(failed).allSatisfy(n -> {
                assertThat(n.get("reason").asText()).isEqualTo(FailureReason.CANCELED_UNFINISHED);
                assertThat(n.get("attempts").asInt()).isEqualTo(1);
                JsonNode last = n.get("history").get(n.get("history").size() - 1);
                assertThat(last.get("result").asText()).isIn("canceled", "errored", "invalid_output");
            });
            assertThat(failed).anySatisfy(n -> assertThat(n.get("history").get(0).get("result").asText())
                    .isEqualTo("canceled"));
            // canceled at the provider: the batches ended with canceled requests, and none was created after
            List<MessageBatch> batches = run.batches();
            assertThat(batches).hasSize(4).allSatisfy(b -> {
                assertThat(b.createdInstant()).isBefore(canceledAt);
                assertThat(b.cancelInitiatedAt()).isNotNull();
            });
            assertThat(p.runs.shards(run.runId(), 2)).isEmpty();

            assertThat(report.get("status").asText()).isEqualTo("canceled");
            assertThat(Instant.parse(report.get("canceled_at").asText())).isEqualTo(canceledAt);
            assertThat(report.get("failed").asLong()).isEqualTo(failed.size());
            assertThat(report.at("/error_classes/canceled/count").asLong()).isEqualTo(failed.size());
            assertThat(p.runs.run(run.runId()).orElseThrow().status()).isEqualTo(RunRecord.RunStatus.CANCELED);

            // AND a run that ended cannot be canceled, and says so
            assertThatThrownBy(run::cancel).isInstanceOf(PermanentStageException.class)
                    .hasMessageStartingWith("RunEnded: run " + run.runId() + " already ended as CANCELED");
        }
    }

    @Test
    void aRetryRoundPlannedBeforeTheCancelIsNeverSent() throws Exception {
        // GIVEN attempt 1 ended with transient failures and attempt 2 is planned
        {
            InMemoryPipeline p = new InMemoryPipeline();
            p.provider.script((cid, params) -> TicketTriage.lineOf(cid) % 3 == 0
                    ? new Errored("overloaded_error", "Overloaded")
                    : new Answer(TicketTriage.answer(TicketTriage.categoryOf(params), 0.95)));
            Steps run = new Steps(p, "cancel-planned-001");
            run.start(100);
            Formatted retry = run.waitCollectAndPlanNext(1, run.submit(1));
            assertThat(retry.attempt()).isEqualTo(2);
            assertThat(retry.shards()).isPositive();
            int batchesBefore = run.batches().size();

            // WHEN the run is canceled before the retry round is submitted
            Canceled c = run.cancel();
            assertThat(c.batchesCanceling()).isZero();
            PollState poll = run.submit(2);

            // THEN no batch is created; the planned shards are canceled and their items fail, unsent
            assertThat(poll.openBatches()).isZero();
            assertThat(run.batches()).hasSize(batchesBefore);
            assertThat(p.runs.shards(run.runId(), 2)).allSatisfy(s -> assertThat(s.status()).isEqualTo(ShardStatus.CANCELED));
            assertThat(run.waitCollectAndPlanNext(2, poll).shards()).isZero();
            JsonNode report = run.finish();

            Map<Long, JsonNode> outcomes = run.outcomes();
            assertThat(outcomes).hasSize(100);
            List<JsonNode> unsent = outcomes.values().stream()
                    .filter(n -> FailureReason.CANCELED_NOT_SENT.equals(n.path("reason").asText())).toList();
            assertThat(unsent).hasSize((int) retry.requests()).allSatisfy(n -> {
                assertThat(n.get("outcome").asText()).isEqualTo("failed");
                assertThat(n.get("attempts").asInt()).as("sent once: attempt 2 never happened").isEqualTo(1);
                assertThat(n.get("history")).hasSize(1);
                assertThat(n.get("history").get(0).get("result").asText()).isEqualTo("errored");
            });
            assertThat(report.get("status").asText()).isEqualTo("canceled");
        }
    }

    @Test
    void aCancelBeforeTheRetryRoundIsPlannedFailsItsItemsWithTheirHistory() throws Exception {
        {
            // 1 request in 3 expires
            InMemoryPipeline p = new InMemoryPipeline();
            p.provider.script((cid, params) -> TicketTriage.lineOf(cid) % 3 == 0 ? new Expired()
                    : new Answer(TicketTriage.answer(TicketTriage.categoryOf(params), 0.95)));
            Steps run = new Steps(p, "cancel-beforeplan1");
            run.start(80);
            PollState poll = run.submit(1);
            for (int i = 0; !poll.allEnded(); i++) {
                if (i > 600) throw new AssertionError("never ended");
                p.clock.advance(Duration.ofSeconds(poll.waitSeconds()));
                poll = new PollStage(p.ctxFor(StageNames.POLL)).poll(new PollRequest(run.runId(), BUCKET, 1, poll.polls()));
            }
            for (int shard : poll.endedShards()) {
                new CollectStage(p.ctxFor(StageNames.COLLECT)).collect(new CollectRequest(run.runId(), BUCKET, 1, shard));
            }
            // WHEN the cancel lands after collect wrote its retry parts, before "Plan retry round"
            run.cancel();
            Formatted next = new FormatStage(p.ctxFor(StageNames.FORMAT)).format(new FormatRequest(run.runId(), BUCKET, null, 1));

            assertThat(next.shards()).isZero();
            JsonNode report = run.finish();
            Map<Long, JsonNode> outcomes = run.outcomes();
            assertThat(outcomes).hasSize(80);
            List<JsonNode> canceled = outcomes.values().stream()
                    .filter(n -> FailureReason.CANCELED_UNFINISHED.equals(n.path("reason").asText())).toList();
            assertThat(canceled).isNotEmpty().allSatisfy(n -> {
                assertThat(n.get("attempts").asInt()).isEqualTo(1);
                assertThat(n.get("history")).hasSize(1);
                assertThat(n.get("history").get(0).get("result").asText()).isEqualTo("expired");
                assertThat(n.get("custom_id").asText()).isEqualTo("a1-l" + n.get("line").asLong());
                assertThat(n.get("batch_id").asText()).startsWith("msgbatch_");
            });
            assertThat(report.get("failed").asLong()).isEqualTo(canceled.size());
            assertThat(report.get("status").asText()).isEqualTo("canceled");
        }
    }
}
