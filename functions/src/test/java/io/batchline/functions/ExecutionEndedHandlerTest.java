package io.batchline.functions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The EventBridge "Step Functions Execution Status Change" event as the rule delivers it (the shape of the AWS
 * EventBridge reference: detail.input is the execution's input as a JSON string; error and cause are null unless
 * the execution FAILED). Plain unit test of the parsing; the domain side is ExecutionEndedStageTest in offline-stack/.
 */
class ExecutionEndedHandlerTest {
    private static final String SM = "arn:aws:states:eu-west-1:123456789012:stateMachine:batchline-run";

    static Map<String, Object> event(String name, String status, String input, String error, String cause) {
        String json = "{\"version\":\"0\",\"id\":\"315c1398-40ff-a850-213b-158f73e60175\","
                + "\"detail-type\":\"Step Functions Execution Status Change\",\"source\":\"aws.states\","
                + "\"account\":\"123456789012\",\"time\":\"2024-05-01T12:00:00Z\",\"region\":\"eu-west-1\","
                + "\"resources\":[\"arn:aws:states:eu-west-1:123456789012:execution:batchline-run:" + name + "\"],"
                + "\"detail\":{\"executionArn\":\"arn:aws:states:eu-west-1:123456789012:execution:batchline-run:" + name
                + "\",\"stateMachineArn\":\"" + SM + "\",\"name\":\"" + name + "\",\"status\":\"" + status + "\","
                + "\"startDate\":1714564800000,\"stopDate\":1714565100000,\"input\":" + input + ","
                + "\"inputDetails\":{\"included\":true},\"output\":null,\"outputDetails\":null,"
                + "\"error\":" + error + ",\"cause\":" + cause + "}}";
        return Json.MAPPER.convertValue(Json.tree(json.getBytes(StandardCharsets.UTF_8)),
                new TypeReference<Map<String, Object>>() {});
    }

    private static String runInput(String runId) {
        return Json.string(Json.string(Map.of("run_id", runId, "bucket", "batchline-data", "key",
                "inbox/tickets/a.jsonl", "etag", "abc", "job", "tickets")));
    }

    @Test
    void anAbortedExecutionNamesItsRunBucketAndExecution() {
        var end = ExecutionEndedHandler.parse(event("tickets-0123456789ab", "ABORTED", runInput("tickets-0123456789ab"),
                "null", "null"));
        assertThat(end.isRun()).isTrue();
        assertThat(end.runId()).isEqualTo("tickets-0123456789ab");
        assertThat(end.bucket()).isEqualTo("batchline-data");
        assertThat(end.execution()).isEqualTo("tickets-0123456789ab");
        assertThat(end.executionArn()).endsWith(":execution:batchline-run:tickets-0123456789ab");
        assertThat(end.status()).isEqualTo("ABORTED");
        assertThat(end.error()).isNull(); // JSON null, not the text "null"
        assertThat(end.cause()).isNull();
    }

    @Test
    void aResumedExecutionIsNamedByItsOwnNameAndAFailedOneCarriesErrorAndCause() {
        var end = ExecutionEndedHandler.parse(event("tickets-0123456789ab-resume-2", "FAILED",
                runInput("tickets-0123456789ab"), "\"States.Runtime\"", "\"An error occurred while executing\""));
        assertThat(end.runId()).isEqualTo("tickets-0123456789ab");
        assertThat(end.execution()).isEqualTo("tickets-0123456789ab-resume-2");
        assertThat(end.status()).isEqualTo("FAILED");
        assertThat(end.error()).isEqualTo("States.Runtime");
        assertThat(end.cause()).isEqualTo("An error occurred while executing");
    }

    @Test
    void withoutANameTheExecutionArnNamesIt() {
        Map<String, Object> e = event("tickets-0123456789ab-resume-1", "TIMED_OUT", runInput("tickets-0123456789ab"),
                "null", "null");
        @SuppressWarnings("unchecked")
        Map<String, Object> detail = (Map<String, Object>) e.get("detail");
        detail.remove("name");
        assertThat(ExecutionEndedHandler.parse(e).execution()).isEqualTo("tickets-0123456789ab-resume-1");
    }

    @Test
    void anExecutionWithoutARunInItsInputIsNotARun() {
        assertThat(ExecutionEndedHandler.parse(event("x", "ABORTED", Json.string("{\"hello\":1}"), "null", "null"))
                .isRun()).isFalse();
        assertThat(ExecutionEndedHandler.parse(event("x", "ABORTED", "null", "null", "null")).isRun()).isFalse();
        assertThat(ExecutionEndedHandler.parse(event("x", "ABORTED", Json.string("not json"), "null", "null"))
                .isRun()).isFalse();
        assertThat(ExecutionEndedHandler.parse(Map.of()).isRun()).isFalse();
    }

    @Test
    void aNonRunEventIsAnsweredWithoutTouchingAnything() {
        // no stage injected: a non-run event must not reach it
        assertThat(new ExecutionEndedHandler().handleRequest(event("x", "ABORTED", "null", "null", "null"), null))
                .containsEntry("recorded", false);
    }
}
