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
    void ignoredInboxObjectsAreCountedInAnEmfLineWithTheirReason() throws Exception {
        java.util.List<String> keys = List.of("inbox/j/a.txt", "inbox/j/sub/a.jsonl", "inbox/j/A.JSONL", "inbox/a.csv",
                "inbox/j/fine.csv");
        StringBuilder records = new StringBuilder();
        for (String key : keys) {
            if (records.length() > 0) records.append(',');
            records.append("{\"eventName\":\"ObjectCreated:Put\",\"s3\":{\"bucket\":{\"name\":\"bkt\"},"
                    + "\"object\":{\"key\":\"").append(key).append("\",\"eTag\":\"e\",\"size\":3}}}");
        }
        String body = "{\"Records\":[" + records + "]}";
        java.util.Map<String, String> reasons = new java.util.LinkedHashMap<>();
        assertThat(IntakeStage.runsOf(body, (bucket, key, reason) -> reasons.put(key, reason))).hasSize(1);
        assertThat(reasons).containsOnlyKeys("inbox/j/a.txt", "inbox/j/sub/a.jsonl", "inbox/j/A.JSONL", "inbox/a.csv");
        assertThat(reasons.get("inbox/j/a.txt")).startsWith("wrong extension");
        assertThat(reasons.get("inbox/j/sub/a.jsonl")).startsWith("nested folder");
        assertThat(reasons.get("inbox/j/A.JSONL")).startsWith("wrong case");
        assertThat(reasons.get("inbox/a.csv")).startsWith("not in a job folder");

        // the intake emits one EMF line per ignored object (only ignored keys here: no execution is started)
        String ignoredOnly = body.replace("inbox/j/fine.csv", "inbox/j/fine.CSV");
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            new IntakeStage(null).accept(new SqsEvents.SqsEvent(List.of(
                    new SqsEvents.SqsMessage("m1", "r1", ignoredOnly, null))));
        } finally {
            System.setOut(stdout);
        }
        List<com.fasterxml.jackson.databind.JsonNode> lines = captured.toString(java.nio.charset.StandardCharsets.UTF_8)
                .lines().filter(l -> l.startsWith("{")).map(l -> io.batchline.json.Json.tree(
                        l.getBytes(java.nio.charset.StandardCharsets.UTF_8))).toList();
        assertThat(lines).hasSize(5).allSatisfy(n -> {
            assertThat(n.get("IgnoredInboxObjects").asLong()).isEqualTo(1);
            assertThat(n.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("Batchline");
            assertThat(n.at("/_aws/CloudWatchMetrics/0/Metrics/0/Name").asText()).isEqualTo("IgnoredInboxObjects");
            assertThat(n.get("stage").asText()).isEqualTo("intake");
            assertThat(n.get("reason").asText()).isNotBlank();
        });
        assertThat(lines).extracting(n -> n.get("key").asText()).contains("inbox/j/fine.CSV", "inbox/j/sub/a.jsonl");
    }

    @Test
    void aBodyThatIsNoS3NotificationIsAnError() {
        assertThatThrownBy(() -> IntakeStage.runsOf("{\"hello\":1}")).hasMessageContaining("not an S3 event");
    }
}
