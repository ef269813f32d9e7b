package io.batchline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.pipeline.StageNames;
import io.batchline.run.RunKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrantedObjectStoreTest {
    private final InMemoryObjectStore bucket = new InMemoryObjectStore("b");
    private final List<String> refused = new ArrayList<>();

    @Test
    void whatTheStagesRoleGrantsPassesAndAnythingElseIsRefusedAndKept() {
        byte[] yaml = "name: j\n".getBytes(StandardCharsets.UTF_8);
        GrantedObjectStore register = new GrantedObjectStore(bucket, StageNames.REGISTER, refused);
        register.put(RunKeys.jobSnapshot("r-1"), yaml, "application/yaml");
        assertThat(register.exists(RunKeys.jobSnapshot("r-1"))).isTrue();
        assertThat(refused).isEmpty();

        assertThatThrownBy(() -> register.put(RunKeys.report("r-1"), yaml, "application/json"))
                .hasMessageStartingWith("AccessDenied: register may not write runs/r-1/report.json");
        assertThatThrownBy(() -> register.exists(RunKeys.report("r-1")))
                .hasMessageStartingWith("AccessDenied: register may not read runs/r-1/report.json");
        assertThatThrownBy(() -> register.delete(RunKeys.jobSnapshot("r-1")))
                .hasMessageStartingWith("AccessDenied: register may not delete runs/r-1/job.yaml");
        GrantedObjectStore intake = new GrantedObjectStore(bucket, StageNames.INTAKE, refused);
        assertThatThrownBy(() -> intake.list(RunKeys.INBOX)).hasMessageStartingWith("AccessDenied: intake may not list");

        assertThat(refused).containsExactly("register may not write runs/r-1/report.json",
                "register may not read runs/r-1/report.json", "register may not delete runs/r-1/job.yaml",
                "intake may not list inbox/");
        assertThat(bucket.exists(RunKeys.report("r-1"))).isFalse();
        assertThat(bucket.exists(RunKeys.jobSnapshot("r-1"))).isTrue();
    }
}
