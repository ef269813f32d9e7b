package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.catalogue.ModelCatalogue;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecException;
import io.batchline.store.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user_template field that no line of the input has stops planning as a problem of the spec, naming it. */
class TemplateFieldsSeenTest {

    @TempDir
    Path dir;

    private static ByteArrayInputStream lines(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFieldNoLineHasStopsThePlanNamingIt() throws Exception {
        JobSpec job = PlannerTest.sampleJob(); // user_template uses {{subject}} and {{body}}
        String input = """
                {"id":"1","subject":"Refund","text":"Charged twice"}
                {"id":"2","subject":"Login","text":"Locked out"}
                not json
                """;
        assertThatThrownBy(() -> new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, PlannerTest.RUN, 1, lines(input), "inbox/t/x.jsonl",
                FileObjectStore.withoutDigestOnWrite(dir))))
                .isInstanceOf(JobSpecException.class)
                .hasMessageContaining("$.user_template: field 'body' is in none of the input's 2 items");
    }

    @Test
    void aFieldSomeLinesLackFailsOnlyThoseLines() throws Exception {
        JobSpec job = PlannerTest.sampleJob();
        String input = """
                {"id":"1","subject":"Refund","body":"Charged twice"}
                {"id":"2","subject":"Login","text":"Locked out"}
                """;
        Plan plan = new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, PlannerTest.RUN, 1, lines(input), "inbox/t/x.jsonl",
                FileObjectStore.withoutDigestOnWrite(dir)));
        assertThat(plan.valid()).isEqualTo(1);
        assertThat(plan.invalid()).isEqualTo(1);
        assertThat(plan.firstInvalid().get(0).reason()).isEqualTo("template field 'body' is missing");
    }
}
