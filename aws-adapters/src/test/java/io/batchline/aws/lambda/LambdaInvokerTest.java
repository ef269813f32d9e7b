package io.batchline.aws.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.batchline.aws.AwsClients;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lambda's Invoke API as {@code aws lambda invoke} calls it: signed, its function errors told, retries bounded. */
class LambdaInvokerTest {
    private final HttpServer lambda;
    private final List<String> paths = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger calls = new AtomicInteger();

    LambdaInvokerTest() throws Exception {
        lambda = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    }

    /** Answers each call with the next of {@code statuses} (the last one repeats); 200s carry {@code body}. */
    private LambdaInvoker answering(String body, boolean functionError, int... statuses) {
        lambda.createContext("/", exchange -> {
            int n = calls.getAndIncrement();
            paths.add(exchange.getRequestURI().getRawPath());
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.getRequestBody().readAllBytes();
            int status = statuses[Math.min(n, statuses.length - 1)];
            byte[] bytes = (status == 200 ? body : "{\"message\":\"slow down\"}").getBytes(StandardCharsets.UTF_8);
            if (functionError) exchange.getResponseHeaders().add("X-Amz-Function-Error", "Unhandled");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        lambda.start();
        return new AwsClients(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "secret", "AWS_ENDPOINT_URL_LAMBDA",
                "http://127.0.0.1:" + lambda.getAddress().getPort())).lambda();
    }

    @AfterEach
    void stop() {
        lambda.stop(0);
    }

    @Test
    void aSignedInvokeOfTheNamedFunctionReturnsItsAnswer() {
        try (LambdaInvoker invoker = answering("{\"status\":\"cancel_requested\"}", false, 200)) {
            LambdaInvoker.Answer answer = invoker.invoke("arn:aws:lambda:eu-west-1:1:function:cancel:live",
                    Map.of("run_id", "r1"));
            assertThat(answer.functionError()).isFalse();
            assertThat(answer.body().path("status").asText()).isEqualTo("cancel_requested");
        }
        assertThat(paths).containsExactly("/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A1%3Afunction"
                + "%3Acancel%3Alive/invocations");
        assertThat(authorizations.get(0)).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/eu-west-1/lambda/aws4_request");
    }

    @Test
    void aFunctionErrorIsToldNotThrown() {
        try (LambdaInvoker invoker = answering("{\"errorMessage\":\"RunEnded: run r1 already ended\"}", true, 200)) {
            LambdaInvoker.Answer answer = invoker.invoke("cancel", Map.of("run_id", "r1"));
            assertThat(answer.functionError()).isTrue();
            assertThat(answer.errorMessage()).isEqualTo("RunEnded: run r1 already ended");
        }
    }

    @Test
    void throttlingIsRetriedAFewTimesOnly() {
        try (LambdaInvoker invoker = answering("{}", false, 429, 503, 200)) {
            assertThat(invoker.invoke("cancel", Map.of()).functionError()).isFalse();
        }
        assertThat(calls).hasValue(3);
    }

    @Test
    void aLastingFailureStopsAfterTheBoundedAttempts() {
        try (LambdaInvoker invoker = answering("{}", false, 503)) {
            assertThatThrownBy(() -> invoker.invoke("cancel", Map.of())).hasMessageContaining("HTTP 503");
        }
        assertThat(calls).hasValue(LambdaInvoker.ATTEMPTS);
    }

    @Test
    void aClientErrorIsNotRetried() {
        try (LambdaInvoker invoker = answering("{}", false, 403)) {
            assertThatThrownBy(() -> invoker.invoke("cancel", Map.of())).hasMessageContaining("HTTP 403");
        }
        assertThat(calls).hasValue(1);
    }
}
