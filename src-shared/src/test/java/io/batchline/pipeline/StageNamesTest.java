package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StageNamesTest {

    @Test
    void everyStageIsListedOnceAndSaysWhatInvokesIt() {
        assertThat(StageNames.ALL).doesNotHaveDuplicates().hasSize(12);
        for (String stage : StageNames.ALL) assertThat(StageNames.invokedBy(stage)).isNotNull();
        assertThatThrownBy(() -> StageNames.invokedBy("reticulate")).hasMessageContaining("reticulate");
    }

    @Test
    void theStateMachineStagesAreTheOnesItsStatesInvoke() {
        assertThat(StageNames.STATE_MACHINE_STAGES).containsExactly(StageNames.REGISTER, StageNames.FORMAT,
                StageNames.SUBMIT, StageNames.POLL, StageNames.COLLECT, StageNames.CANARY, StageNames.FINALIZE,
                StageNames.MARK_FAILED);
        assertThat(StageNames.invokedBy(StageNames.INTAKE)).isEqualTo(StageNames.InvokedBy.INTAKE_QUEUE);
        assertThat(StageNames.invokedBy(StageNames.CANCEL)).isEqualTo(StageNames.InvokedBy.OPERATOR);
        assertThat(StageNames.invokedBy(StageNames.SWEEP)).isEqualTo(StageNames.InvokedBy.SCHEDULE);
        assertThat(StageNames.invokedBy(StageNames.EXECUTION_ENDED)).isEqualTo(StageNames.InvokedBy.EXECUTION_EVENT);
    }

    @Test
    void placeholdersNameOnlyStateMachineStages() {
        assertThat(StageNames.aslPlaceholder(StageNames.MARK_FAILED)).isEqualTo("MarkFailedFunctionArn");
        assertThat(StageNames.stateMachineStageOf("MarkFailedFunctionArn")).contains(StageNames.MARK_FAILED);
        assertThat(StageNames.stateMachineStageOf("CollectFunctionArn")).contains(StageNames.COLLECT);
        assertThat(StageNames.stateMachineStageOf("CancelFunctionArn")).isEmpty();
        assertThat(StageNames.stateMachineStageOf("ExecutionEndedFunctionArn")).isEmpty();
        assertThat(StageNames.stateMachineStageOf("ReticulateFunctionArn")).isEmpty();
    }
}
