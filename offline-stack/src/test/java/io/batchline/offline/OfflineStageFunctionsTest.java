package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.offline.teststack.OfflineStackOnly;
import io.batchline.pipeline.StageNames;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline stack runs a function for every stage of the list, also for the two that nothing in it invokes on
 * its own (AWS runs them from a schedule and from an EventBridge rule): invoked by hand, they answer as in AWS.
 */
@OfflineStackOnly(OfflineStackOnly.PACKAGED_FUNCTIONS)
class OfflineStageFunctionsTest {
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theSweepAndTheExecutionEndedFunctionsAnswerInvokes(@TempDir Path state) throws Exception {
        try (OfflineStack stack = OfflineStack.start(OfflineStack.Options.forRun(HOME, state))) {
            // the schedule's input: the bucket comes from the function's environment, as in AWS
            io.batchline.aws.lambda.LambdaInvoker.Answer sweep = FunctionInvoker.invoke(stack.endpoints(), StageNames.SWEEP,
                    Map.of("mode", "inbox"));
            assertThat(sweep.functionError()).as(sweep.raw()).isFalse();
            assertThat(sweep.body().path("files").asInt(-1)).as(sweep.raw()).isZero();

            // an event of an execution that is not a run's changes nothing
            io.batchline.aws.lambda.LambdaInvoker.Answer ended = FunctionInvoker.invoke(stack.endpoints(), StageNames.EXECUTION_ENDED,
                    Map.of("detail", Map.of("status", "ABORTED")));
            assertThat(ended.functionError()).as(ended.raw()).isFalse();
            assertThat(ended.body().path("recorded").asBoolean(true)).as(ended.raw()).isFalse();
        }
    }
}
