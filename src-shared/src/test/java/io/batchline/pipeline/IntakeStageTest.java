package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.pipeline.StagePayloads.RunStart;
import io.batchline.run.RunIds;
import java.util.List;
import org.junit.jupiter.api.Test;

class IntakeStageTest {

    private static String event(String eventName, String key, String etag) {
        return "{\"Records\":[{\"eventName\":\"" + eventName + "\",\"s3\":{\"bucket\":{\"name\":\"bkt\"},"
                + "\"object\":{\"key\":\"" + key + "\",\"eTag\":\"" + etag + "\",\"size\":3}}}]}";
    }

    @Test
    void anInboxObjectBecomesOneRunNamedAfterBucketKeyAndEtag() {
        List<RunStart> runs = IntakeStage.runsOf(event("ObjectCreated:Put", "inbox/ticket-triage/my+tickets%C3%A9.jsonl", "e1"));

        assertThat(runs).singleElement().satisfies(r -> {
            assertThat(r.job()).isEqualTo("ticket-triage");
            assertThat(r.key()).isEqualTo("inbox/ticket-triage/my ticketsé.jsonl");
            assertThat(r.runId()).isEqualTo(RunIds.runId("ticket-triage", "bkt", "inbox/ticket-triage/my ticketsé.jsonl", "e1"));
            assertThat(r.runId()).matches("[A-Za-z0-9_-]{1,80}");
        });
    }

    @Test
    void theSameObjectAlwaysMapsToTheSameRunAndAChangedObjectToANewOne() {
        String a = IntakeStage.runsOf(event("ObjectCreated:Put", "inbox/j/a.csv", "e1")).get(0).runId();
        String again = IntakeStage.runsOf(event("ObjectCreated:Put", "inbox/j/a.csv", "\\\"e1\\\"")).get(0).runId();
        String changed = IntakeStage.runsOf(event("ObjectCreated:Put", "inbox/j/a.csv", "e2")).get(0).runId();

        assertThat(again).isEqualTo(a);
        assertThat(changed).isNotEqualTo(a);
    }

    @Test
    void testEventsRemovalsAndOtherKeysStartNothing() {
        assertThat(IntakeStage.runsOf("{\"Event\":\"s3:TestEvent\"}")).isEmpty();
        assertThat(IntakeStage.runsOf(event("ObjectRemoved:Delete", "inbox/j/a.jsonl", "e"))).isEmpty();
        assertThat(IntakeStage.runsOf(event("ObjectCreated:Put", "inbox/j/sub/a.jsonl", "e"))).isEmpty();
        assertThat(IntakeStage.runsOf(event("ObjectCreated:Put", "inbox/j/a.txt", "e"))).isEmpty();
        assertThat(IntakeStage.runsOf(event("ObjectCreated:Put", "inbox/j/a.jsonl.gz", "e"))).hasSize(1);
    }

    @Test
    void aBodyThatIsNoS3NotificationIsAnError() {
        assertThatThrownBy(() -> IntakeStage.runsOf("{\"hello\":1}")).hasMessageContaining("not an S3 event");
    }
}
