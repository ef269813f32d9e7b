package io.batchline.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Invokes one of the stack's functions as {@code aws lambda invoke} does: its answer, or its error. */
final class FunctionInvoker {
    private FunctionInvoker() {}

    /** What a function answered: its JSON, and whether it was a function error ({@code errorMessage} inside). */
    record Answer(JsonNode body, boolean functionError, String raw) {
        String errorMessage() {
            return body.path("errorMessage").asText(raw);
        }
    }

    static Answer invoke(LocalStack.Endpoints ep, String stage, Object payload) throws Exception {
        String function = LocalStack.functionName(stage);
        URI invoke = ep.lambda().resolve("/2015-03-31/functions/"
                + URLEncoder.encode(function, StandardCharsets.UTF_8) + "/invocations");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(invoke)
                .timeout(Duration.ofMinutes(3)) // a cold function JVM starts on first use
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(payload)))
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("invoking " + function + ": HTTP " + response.statusCode() + ": "
                    + response.body());
        }
        JsonNode body = response.body().isBlank() ? Json.MAPPER.createObjectNode()
                : Json.tree(response.body().getBytes(StandardCharsets.UTF_8));
        return new Answer(body, response.headers().firstValue("X-Amz-Function-Error").isPresent(), response.body());
    }
}
