package io.batchline.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.pipeline.StageNames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The deployment has one function per stage of the domain's list, and none besides. */
class StageListTest {

    @Test
    void theStageEnumCoversExactlyTheList() {
        assertThat(Arrays.stream(Stage.values()).map(s -> s.handler).toList())
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(StageNames.ALL);
    }

    @Test
    void everyStageHasItsFunctionInTheTemplate() {
        var functions = Synth.defaults().resources("AWS::Lambda::Function").keySet();
        for (Stage stage : Stage.values()) {
            assertThat(functions).as(stage.handler).anyMatch(id -> id.startsWith(stage.camel() + "Function"));
        }
    }
}
