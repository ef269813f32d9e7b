package io.batchline.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.offline.OfflineStack;
import io.batchline.pipeline.StageNames;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The in-JVM host answers every stage of the list with that stage's handler, wired from the environment a packaged
 * function gets, and refuses what would mix two stacks in one wiring.
 */
class StagesInThisJvmTest {
    private static Map<String, String> env(String bucket) {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "test");
        env.put("AWS_SECRET_ACCESS_KEY", "test");
        env.put("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9");
        env.put("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9");
        env.put("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9");
        env.put("AWS_ENDPOINT_URL_SFN", "http://127.0.0.1:9");
        env.put("BATCHLINE_TABLE", "batchline");
        env.put("BATCHLINE_BUCKET", bucket);
        env.put("ANTHROPIC_BASE_URL", "http://127.0.0.1:9");
        env.put("ANTHROPIC_API_KEY", "sk-ant-test");
        return env;
    }

    @Test
    void everyListedStageHasItsHandlerAndTheStackOptionsNameTheHost() {
        StagesInThisJvm host = new StagesInThisJvm();
        try {
            for (String stage : StageNames.ALL) {
                assertThat(host.function(stage, env("b"))).as(stage).isNotNull();
            }
            assertThatThrownBy(() -> host.function("no-such-stage", env("b")))
                    .hasMessageContaining("no handler named no-such-stage");
            assertThatThrownBy(() -> host.function(StageNames.SUBMIT, env("other")))
                    .hasMessageContaining("one StagesInThisJvm serves one stack");
        } finally {
            host.close();
        }
        OfflineStack.Options options =
                StagesInThisJvm.in(OfflineStack.Options.forRun(java.nio.file.Path.of(".."), null));
        assertThat(options.stageFunctions()).isInstanceOf(StagesInThisJvm.class);
    }

    @Test
    void aStageThatFailsReportsItsExceptionForTheStateMachineToMatch() {
        StagesInThisJvm host = new StagesInThisJvm();
        try {
            // an intake event that is not JSON of an SQS event fails in reading, before any AWS call
            assertThatThrownBy(() -> host.function(StageNames.INTAKE, env("b")).invoke("[1,2".getBytes()))
                    .isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining("cannot read the payload of batchline-intake");
        } finally {
            host.close();
        }
    }
}
