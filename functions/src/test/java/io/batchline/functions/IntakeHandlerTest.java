package io.batchline.functions;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The packaged intake handler, invoked through Quarkus' Lambda mock event server. */
@QuarkusTest
class IntakeHandlerTest {

    private static String s3Event(String key) {
        return "{\\\"Records\\\":[{\\\"eventName\\\":\\\"ObjectCreated:Put\\\",\\\"s3\\\":{\\\"bucket\\\":{\\\"name\\\":\\\"b\\\"},"
                + "\\\"object\\\":{\\\"key\\\":\\\"" + key + "\\\",\\\"eTag\\\":\\\"abc\\\",\\\"size\\\":10}}}]}";
    }

    private static String message(String id, String escapedBody) {
        return "{\"messageId\":\"" + id + "\",\"receiptHandle\":\"rh-" + id + "\",\"body\":\"" + escapedBody
                + "\",\"eventSource\":\"aws:sqs\"}";
    }

    @Test
    void s3TestEventAndKeysOutsideTheInboxAreAcknowledgedWithoutStartingAnything() {
        String event = "{\"Records\":[" + message("m1", "{\\\"Event\\\":\\\"s3:TestEvent\\\"}") + ","
                + message("m2", s3Event("reports/ticket-triage/x.jsonl")) + ","
                + message("m3", s3Event("inbox/ticket-triage/notes.txt")) + "]}";

        given().contentType("application/json").body(event)
                .when().post()
                .then().statusCode(200).body("batchItemFailures", empty());
    }

    @Test
    void onlyTheMessagesThatFailedComeBack() {
        // m1 is not JSON; m3 names a real inbox file but Step Functions is unreachable; m2 is ignored cleanly
        String event = "{\"Records\":[" + message("m1", "not json") + ","
                + message("m2", s3Event("elsewhere/x.jsonl")) + ","
                + message("m3", s3Event("inbox/ticket-triage/tickets.jsonl")) + "]}";

        given().contentType("application/json").body(event)
                .when().post()
                .then().statusCode(200).body("batchItemFailures.itemIdentifier", contains("m1", "m3"));
    }
}
