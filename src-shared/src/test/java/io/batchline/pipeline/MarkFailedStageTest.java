package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.pipeline.StagePayloads.CaughtError;
import io.batchline.pipeline.StagePayloads.RunFailure;
import org.junit.jupiter.api.Test;

class MarkFailedStageTest {

    @Test
    void awsLambdaCausesAreUnwrappedToOurCodeAndMessage() {
        String cause = "{\"errorMessage\":\"JobSpecInvalid: jobs/x.yaml: $.max_tokens: must be >= 1\","
                + "\"errorType\":\"io.batchline.pipeline.PermanentStageException\",\"stackTrace\":[\"a\"]}";

        RunFailure f = MarkFailedStage.describe(new CaughtError("io.batchline.pipeline.PermanentStageException", cause));

        assertThat(f.error()).isEqualTo("JobSpecInvalid");
        assertThat(f.cause()).isEqualTo("JobSpecInvalid: jobs/x.yaml: $.max_tokens: must be >= 1");
    }

    @Test
    void theLocalExecutorsNameColonMessageFormIsReadToo() {
        RunFailure f = MarkFailedStage.describe(new CaughtError("io.batchline.pipeline.PermanentStageException",
                "io.batchline.pipeline.PermanentStageException: InputMissing: no input at s3://b/inbox/j/x.jsonl"));

        assertThat(f.error()).isEqualTo("InputMissing");
        assertThat(f.cause()).isEqualTo("InputMissing: no input at s3://b/inbox/j/x.jsonl");
    }

    @Test
    void uncodedErrorsKeepTheirSimpleNameAndStatesErrorsStayWhole() {
        assertThat(MarkFailedStage.describe(new CaughtError("java.lang.IllegalStateException", "boom")))
                .isEqualTo(new RunFailure("IllegalStateException", "boom"));
        assertThat(MarkFailedStage.describe(new CaughtError("States.Timeout", null)))
                .isEqualTo(new RunFailure("States.Timeout", "States.Timeout"));
    }
}
