package io.batchline.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The job's derived attempt rules (repairs, last attempt), and that they are never written with the job. */
class JobSpecAttemptsTest {
    private static JobSpec load(String extra) {
        return SmallJobs.with("max_attempts: 3\n" + extra);
    }

    @Test
    void repairAddsAnAttemptUnlessTurnedOffAndAnEscalationAddsOneMore() {
        assertThat(load("").repairs()).isTrue();
        assertThat(load("").lastAttempt()).isEqualTo(4);
        assertThat(load("repair: false\n").repairs()).isFalse();
        assertThat(load("repair: false\n").lastAttempt()).isEqualTo(3);
        assertThat(load("escalation: {model: claude-opus-4-6}\n").lastAttempt()).isEqualTo(5);
        assertThat(load("repair: false\nescalation: {model: claude-opus-4-6}\n").lastAttempt()).isEqualTo(4);
    }

    @Test
    void theDerivedRulesAreNotWrittenWithTheJob() {
        JobSpec job = load("escalation: {model: claude-opus-4-6}\n");
        JsonNode tree = Json.MAPPER.valueToTree(job);

        List<String> written = new ArrayList<>();
        tree.fieldNames().forEachRemaining(written::add);
        List<String> components = Arrays.stream(JobSpec.class.getRecordComponents())
                .map(c -> c.getAccessor().getAnnotation(JsonProperty.class) != null
                        ? c.getAccessor().getAnnotation(JsonProperty.class).value() : jsonName(c))
                .toList();
        assertThat(components).containsAll(written);
        assertThat(written).doesNotContain("repairs", "lastAttempt", "last_attempt");
        assertThat(Json.MAPPER.convertValue(tree, JobSpec.class)).isEqualTo(job);
    }

    private static String jsonName(RecordComponent c) {
        JsonProperty p = c.getAnnotation(JsonProperty.class);
        return p != null ? p.value() : c.getName();
    }
}
