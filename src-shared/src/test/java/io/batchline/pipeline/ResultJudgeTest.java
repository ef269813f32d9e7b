package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.cost.PriceTable;
import io.batchline.cost.Usage;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.outcome.OutcomeLine;
import io.batchline.pipeline.ResultJudge.Verdict;
import io.batchline.plan.ItemCarry;
import io.batchline.plan.ShardIndexLine;
import io.batchline.provider.BatchResult;
import io.batchline.validate.InvalidOutput;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Collect's judge on its own: one item and its result in, one verdict out, nothing read or written. */
class ResultJudgeTest {
    private static final String BATCH = "msgbatch_01";

    private static JobSpec job(String extra) {
        return JobSpecLoader.load(("""
                name: j
                model: claude-haiku-4-5-20251001
                user_template: "{{subject}}"
                max_tokens: 10
                max_attempts: 3
                output_schema: {type: object, required: [team, confidence], properties: {team: {type: string},
                  confidence: {type: number}}}
                confidence: {field: confidence, accept_at: 0.9, review_at: 0.6}
                """ + extra).getBytes(StandardCharsets.UTF_8),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    private static ResultJudge judge(JobSpec job, boolean canceled) {
        return new ResultJudge(job, PriceTable.bundled(), BATCH, canceled);
    }

    /** Line 7 in its {@code attempts}th attempt. */
    private static ShardIndexLine item(int attempts) {
        return new ShardIndexLine("a" + attempts + "-l7", ItemCarry.of("T-7", 7, attempts));
    }

    private static BatchResult answered(String customId, String text) {
        return new BatchResult(customId, BatchResult.Type.SUCCEEDED, text, null, "end_turn", "m",
                new Usage(100, 20, 0, 0), null, null);
    }

    private static BatchResult errored(String customId) {
        return new BatchResult(customId, BatchResult.Type.ERRORED, null, null, null, null, null, "overloaded_error",
                "Overloaded");
    }

    private static OutcomeLine line(Verdict verdict) {
        assertThat(verdict.sendsAgain()).as("sent again: %s", verdict.retry()).isFalse();
        return verdict.line();
    }

    @Test
    void aValidConfidentAnswerIsAccepted() {
        ShardIndexLine item = item(1);
        OutcomeLine line = line(judge(job(""), false).verdict(item,
                answered(item.customId(), "{\"team\":\"billing\",\"confidence\":0.95}")));
        assertThat(line.kind()).isEqualTo(OutcomeKind.ACCEPTED);
        assertThat(line.reason()).isNull();
        assertThat(line.output().get("team").asText()).isEqualTo("billing");
        assertThat(line.confidence()).isEqualTo(0.95);
        assertThat(line.batchId()).isEqualTo(BATCH);
        assertThat(line.customId()).isEqualTo("a1-l7");
        assertThat(line.costUsd()).isPositive();
        assertThat(line.history()).as("a first attempt carries no history").isNull();
    }

    @Test
    void aLowConfidenceAnswerGoesToReviewOrIsRejected() {
        ResultJudge judge = judge(job(""), false);
        ShardIndexLine item = item(1);
        OutcomeLine review = line(judge.verdict(item, answered(item.customId(), "{\"team\":\"x\",\"confidence\":0.7}")));
        assertThat(review.kind()).isEqualTo(OutcomeKind.REVIEW);
        assertThat(review.reason()).contains("below accept_at 0.9");
        OutcomeLine rejected = line(judge.verdict(item, answered(item.customId(), "{\"team\":\"x\",\"confidence\":0.2}")));
        assertThat(rejected.kind()).isEqualTo(OutcomeKind.REJECTED);
        assertThat(rejected.reason()).contains("below review_at 0.6");
    }

    @Test
    void anInvalidAnswerIsSentAgainAsItsRepair() {
        ShardIndexLine item = item(1);
        Verdict verdict = judge(job(""), false).verdict(item, answered(item.customId(), "{\"team\":3}"));
        assertThat(verdict.sendsAgain()).isTrue();
        ResultJudge.Retry retry = verdict.retry();
        assertThat(retry.isRepair()).isTrue();
        assertThat(retry.escalation()).isFalse();
        assertThat(retry.answer()).isEqualTo("{\"team\":3}");
        assertThat(retry.why()).startsWith(InvalidOutput.SCHEMA);
        assertThat(retry.history()).hasSize(1);
        assertThat(retry.history().get(0).get("result").asText()).isEqualTo("invalid_output");
    }

    @Test
    void anInvalidRepairIsRejected() {
        ShardIndexLine repair = new ShardIndexLine("a2-l7", ItemCarry.of("T-7", 7, 2).withRepair(true));
        OutcomeLine line = line(judge(job(""), false).verdict(repair, answered(repair.customId(), "not json at all")));
        assertThat(line.kind()).isEqualTo(OutcomeKind.REJECTED);
        assertThat(line.reason()).startsWith(InvalidOutput.AFTER_REPAIR + InvalidOutput.NOT_JSON);
        assertThat(line.repaired()).isNotEqualTo(Boolean.TRUE);
    }

    @Test
    void anInvalidAnswerWithRepairOffIsRejected() {
        ShardIndexLine item = item(1);
        OutcomeLine line = line(judge(job("repair: false\n"), false).verdict(item,
                answered(item.customId(), "{\"team\":3}")));
        assertThat(line.kind()).isEqualTo(OutcomeKind.REJECTED);
        assertThat(line.reason()).startsWith(InvalidOutput.SCHEMA);
    }

    @Test
    void anErroredRequestWithAttemptsLeftIsSentAgainAsItWas() {
        ShardIndexLine item = item(2);
        Verdict verdict = judge(job(""), false).verdict(item, errored(item.customId()));
        assertThat(verdict.sendsAgain()).isTrue();
        assertThat(verdict.retry().isRepair()).isFalse();
        assertThat(verdict.retry().escalation()).isFalse();
        assertThat(verdict.retry().why()).isEqualTo("provider error overloaded_error: Overloaded");
        JsonNode entry = verdict.retry().history().get(0);
        assertThat(entry.get("attempt").asInt()).isEqualTo(2);
        assertThat(entry.get("custom_id").asText()).isEqualTo("a2-l7");
        assertThat(entry.get("batch_id").asText()).isEqualTo(BATCH);
        assertThat(entry.get("error_type").asText()).isEqualTo("overloaded_error");
    }

    @Test
    void anErroredRequestInItsLastAttemptFails() {
        ShardIndexLine item = item(3);
        OutcomeLine line = line(judge(job(""), false).verdict(item, errored(item.customId())));
        assertThat(line.kind()).isEqualTo(OutcomeKind.FAILED);
        assertThat(line.reason()).isEqualTo("provider error overloaded_error: Overloaded (gave up after 3 attempts)");
        assertThat(line.history()).hasSize(1);
    }

    @Test
    void aRejectedRequestFailsAtOnce() {
        ShardIndexLine item = item(1);
        BatchResult rejected = new BatchResult(item.customId(), BatchResult.Type.ERRORED, null, null, null, null, null,
                "invalid_request_error", "prompt is too long");
        OutcomeLine line = line(judge(job(""), false).verdict(item, rejected));
        assertThat(line.kind()).isEqualTo(OutcomeKind.FAILED);
        assertThat(line.reason()).startsWith("provider rejected the request: invalid_request_error");
    }

    @Test
    void aCanceledRunSendsNothingAgain() {
        ResultJudge judge = judge(job(""), true);
        ShardIndexLine item = item(1);
        OutcomeLine transientFailure = line(judge.verdict(item, errored(item.customId())));
        assertThat(transientFailure.kind()).isEqualTo(OutcomeKind.FAILED);
        assertThat(transientFailure.reason()).isEqualTo(FailureReason.CANCELED_UNFINISHED);
        OutcomeLine invalid = line(judge.verdict(item, answered(item.customId(), "{\"team\":3}")));
        assertThat(invalid.kind()).isEqualTo(OutcomeKind.FAILED);
        assertThat(invalid.reason()).isEqualTo(FailureReason.CANCELED_UNFINISHED);
        OutcomeLine unanswered = line(judge.unanswered(item));
        assertThat(unanswered.reason()).isEqualTo(FailureReason.CANCELED_UNFINISHED);
        OutcomeLine valid = line(judge.verdict(item, answered(item.customId(), "{\"team\":\"a\",\"confidence\":1}")));
        assertThat(valid.kind()).as("a finished answer is kept").isEqualTo(OutcomeKind.ACCEPTED);
    }

    @Test
    void anUnansweredItemIsSentAgainUntilItsAttemptsAreUsedUp() {
        ResultJudge judge = judge(job(""), false);
        Verdict first = judge.unanswered(item(1));
        assertThat(first.sendsAgain()).isTrue();
        assertThat(first.retry().why()).isEqualTo("no result returned for a1-l7");
        OutcomeLine last = line(judge.unanswered(item(3)));
        assertThat(last.kind()).isEqualTo(OutcomeKind.FAILED);
        assertThat(last.reason()).isEqualTo("no result returned by the provider (gave up after 3 attempts)");
        assertThat(last.history().get(0).get("result").asText()).isEqualTo("missing");
    }

    @Test
    void aLowConfidenceAnswerIsEscalatedWhenTheJobEscalatesIt() {
        JobSpec job = job("escalation: {model: claude-opus-4-6, on: [rejected]}\n");
        ShardIndexLine item = item(1);
        Verdict verdict = judge(job, false).verdict(item, answered(item.customId(), "{\"team\":\"x\",\"confidence\":0.2}"));
        assertThat(verdict.sendsAgain()).isTrue();
        assertThat(verdict.retry().escalation()).isTrue();
        JsonNode entry = verdict.retry().history().get(0);
        assertThat(entry.get("tier").asText()).isEqualTo("rejected");
        assertThat(entry.get("model").asText()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(entry.get("output").get("team").asText()).isEqualTo("x");
    }
}
