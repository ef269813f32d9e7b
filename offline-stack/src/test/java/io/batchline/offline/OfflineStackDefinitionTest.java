package io.batchline.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.offline.lambda.LambdaHost;
import io.batchline.pipeline.StageNames;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offline stack binds the ASL's function placeholders to its functions, and only the state machine's stages. */
class OfflineStackDefinitionTest {
    private static final Path HOME = Path.of("..");

    @Test
    void theCommittedDefinitionCallsExactlyTheStateMachineStages() throws Exception {
        String def = OfflineStack.definition(HOME);
        assertThat(def).doesNotContain("${");
        Set<String> called = new TreeSet<>();
        var m = Pattern.compile("\"" + Pattern.quote(LambdaHost.functionArn("batchline-")) + "([a-z-]+)\"")
                .matcher(def);
        while (m.find()) called.add(m.group(1));
        assertThat(called).containsExactlyInAnyOrderElementsOf(StageNames.STATE_MACHINE_STAGES);
    }

    @Test
    void aPlaceholderOfAnotherFunctionIsRefused(@TempDir Path home) throws Exception {
        Files.createDirectories(home.resolve("statemachine"));
        for (String placeholder : new String[] {"ReticulateFunctionArn", "CancelFunctionArn", "SweepFunctionArn",
                "ExecutionEndedFunctionArn", "IntakeFunctionArn"}) {
            Files.writeString(home.resolve("statemachine/batchline-run.asl.json"),
                    "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"${" + placeholder
                            + "}\",\"End\":true}}}");
            assertThatThrownBy(() -> OfflineStack.definition(home)).as(placeholder)
                    .hasMessageContaining("unknown function").hasMessageContaining(placeholder);
        }
    }
}
