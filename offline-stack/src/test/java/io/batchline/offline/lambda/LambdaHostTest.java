package io.batchline.offline.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.batchline.offline.teststack.OfflineStackOnly;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@OfflineStackOnly("tests the offline stack's own Lambda host")
class LambdaHostTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static LambdaHost host;
    private static List<Path> testClasspath;

    @TempDir
    static Path logs;

    @BeforeAll
    static void start() {
        host = LambdaHost.start(0);
        testClasspath = List.of(LambdaHost.codeSource(EchoHandler.class.getName()));
    }

    @AfterAll
    static void stop() {
        host.close();
    }

    record Invoke(int status, String functionError, JsonNode body) {
    }

    static Invoke invoke(String functionRef, String payload) throws Exception {
        String path = "/2015-03-31/functions/" + URLEncoder.encode(functionRef, StandardCharsets.UTF_8) + "/invocations";
        HttpRequest req = HttpRequest.newBuilder(URI.create(host.invokeEndpoint() + path))
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(payload))
            .build();
        HttpResponse<String> res = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        return new Invoke(res.statusCode(), res.headers().firstValue("X-Amz-Function-Error").orElse(null),
            res.body().isEmpty() ? null : JSON.readTree(res.body()));
    }

    @Test
    void runsAHandlerUnderTheRuntimeInterfaceClientAndStaysWarm() throws Exception {
        host.registerProcessFunction("echo", ProcessFunctionSpec.of(testClasspath, EchoHandler.class.getName())
            .withEnv(Map.of("EXTRA_SETTING", "on")).withMemoryMb(256).withLogFile(logs.resolve("echo.log")));

        Invoke first = invoke("echo", "{\"hello\":\"world\"}");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.functionError()).isNull();
        assertThat(first.body().path("echo").path("hello").asText()).isEqualTo("world");
        assertThat(first.body().path("function").asText()).isEqualTo("echo");
        assertThat(first.body().path("arn").asText()).isEqualTo("arn:aws:lambda:us-east-1:000000000000:function:echo");
        assertThat(first.body().path("memory").asInt()).isEqualTo(256);
        assertThat(first.body().path("extra").asText()).isEqualTo("on");
        assertThat(first.body().path("remaining_ms").asLong()).isBetween(1L, 60_000L);

        // by ARN, as Step Functions calls it; the same warm process answers
        Invoke second = invoke(LambdaHost.functionArn("echo"), "{\"n\":2}");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body().path("pid").asLong()).isEqualTo(first.body().path("pid").asLong());
        assertThat(second.body().path("invocations").asInt()).isEqualTo(2);
        assertThat(second.body().path("request_id").asText()).isNotEqualTo(first.body().path("request_id").asText());

        // the host copies the child's output to the log as it comes: under load a line arrives a moment later
        assertThat(awaitLogContaining(logs.resolve("echo.log"), "EchoHandler got {\"n\":2}")).isTrue();
        assertThat(host.logTail("echo")).anyMatch(l -> l.contains("EchoHandler got {\"hello\":\"world\"}"));
    }

    private static boolean awaitLogContaining(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
        while (!(Files.exists(log) && Files.readString(log).contains(text))) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(50);
        }
        return true;
    }

    @Test
    void reportsAThrownExceptionAsTheRuntimeDoes() throws Exception {
        host.registerProcessFunction("thrower", ProcessFunctionSpec.of(testClasspath, ThrowingHandler.class.getName()));

        Invoke res = invoke("thrower", "{}");

        assertThat(res.status()).isEqualTo(200);
        assertThat(res.functionError()).isEqualTo("Unhandled");
        // what Retry/Catch in the ASL match on: the exception's fully qualified class name
        assertThat(res.body().path("errorType").asText()).isEqualTo(TestStageException.class.getName());
        assertThat(res.body().path("errorMessage").asText()).isEqualTo("job spec invalid: missing model");
        assertThat(res.body().path("stackTrace").isArray()).isTrue();
    }

    @Test
    void killsAFunctionThatExceedsItsTimeoutAndStartsColdNextTime() throws Exception {
        host.registerProcessFunction("slow", ProcessFunctionSpec.of(testClasspath, EchoHandler.class.getName())
            .withTimeout(Duration.ofSeconds(2)));
        long firstPid = invoke("slow", "{}").body().path("pid").asLong();

        Invoke timedOut = invoke("slow", "{\"sleep_ms\":600000}");

        assertThat(timedOut.status()).isEqualTo(200);
        assertThat(timedOut.functionError()).isEqualTo("Unhandled");
        assertThat(timedOut.body().path("errorType").asText()).isEqualTo("Sandbox.Timedout");
        assertThat(timedOut.body().path("errorMessage").asText()).contains("Task timed out after 2.00 seconds");
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        Invoke after = invoke("slow", "{}");
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body().path("pid").asLong()).isNotEqualTo(firstPid);
    }

    @Test
    void aCrashedProcessAnswersRuntimeExitErrorAndIsRestarted() throws Exception {
        host.registerProcessFunction("crashy", ProcessFunctionSpec.of(testClasspath, EchoHandler.class.getName()));

        Invoke crashed = invoke("crashy", "{\"exit\":3}");

        assertThat(crashed.functionError()).isEqualTo("Unhandled");
        assertThat(crashed.body().path("errorType").asText()).isEqualTo("Runtime.ExitError");
        assertThat(crashed.body().path("errorMessage").asText())
            .contains("Runtime exited with error: exit status 3")
            .contains("EchoHandler exiting with 3");
        Invoke after = invoke("crashy", "{\"ok\":true}");
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.body().path("echo").path("ok").asBoolean()).isTrue();
    }

    @Test
    void unknownFunctionIsResourceNotFound() throws Exception {
        Invoke res = invoke(LambdaHost.functionArn("nope"), "{}");
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.body().path("__type").asText()).isEqualTo("ResourceNotFoundException");
        assertThat(res.body().path("message").asText()).contains("function:nope");
    }

    @Test
    void localFunctionsAnswerAndFail() throws Exception {
        host.registerLocalFunction("local-ok", p -> ("{\"got\":" + new String(p, StandardCharsets.UTF_8) + "}")
            .getBytes(StandardCharsets.UTF_8));
        host.registerLocalFunction("local-fail", p -> {
            throw new FunctionError("io.batchline.pipeline.PermanentStageException", "bad spec");
        });

        Invoke ok = invoke(LambdaHost.functionArn("local-ok") + ":$LATEST", "[1,2]");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().path("got").get(1).asInt()).isEqualTo(2);

        Invoke fail = invoke("local-fail", "{}");
        assertThat(fail.status()).isEqualTo(200);
        assertThat(fail.functionError()).isEqualTo("Unhandled");
        assertThat(fail.body().path("errorType").asText()).isEqualTo("io.batchline.pipeline.PermanentStageException");
        assertThat(fail.body().path("errorMessage").asText()).isEqualTo("bad spec");
    }

    @Test
    void invokesRunConcurrently() throws Exception {
        // both invokes must be inside the function at once, or the latch never opens
        CountDownLatch both = new CountDownLatch(2);
        host.registerLocalFunction("rendezvous", p -> {
            both.countDown();
            try {
                if (!both.await(20, TimeUnit.SECONDS)) throw new FunctionError("NotConcurrent", "alone");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new FunctionError("Interrupted", "interrupted");
            }
            return "{}".getBytes(StandardCharsets.UTF_8);
        });
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Invoke>> futures = new ArrayList<>();
            for (int i = 0; i < 2; i++) futures.add(pool.submit(() -> invoke("rendezvous", "{}")));
            for (Future<Invoke> f : futures) {
                Invoke r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.functionError()).isNull();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void runsThePackagedQuarkusFunction() throws Exception {
        Path runner;
        try (var files = Files.list(Path.of("..", "functions", "target"))) {
            runner = files.filter(p -> p.getFileName().toString().endsWith("-runner.jar")).findFirst().orElse(null);
        } catch (java.nio.file.NoSuchFileException e) {
            runner = null;
        }
        Assumptions.assumeTrue(runner != null, "functions/target/*-runner.jar not built");
        host.registerProcessFunction("batchline-intake", ProcessFunctionSpec.quarkus(runner.toAbsolutePath(), "intake")
            .withLogFile(logs.resolve("intake.log")));

        long t0 = System.nanoTime();
        Invoke cold = invoke("batchline-intake", "{}");
        long coldMs = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        Invoke warm = invoke("batchline-intake", "{}");
        long warmMs = (System.nanoTime() - t1) / 1_000_000;
        System.out.printf("quarkus intake under the RIC: cold invoke %d ms, warm invoke %d ms%n", coldMs, warmMs);

        assertThat(cold.status()).isEqualTo(200);
        assertThat(cold.functionError()).as("body %s, log %s", cold.body(), host.logTail("batchline-intake")).isNull();
        assertThat(cold.body().isObject()).isTrue();
        assertThat(warm.functionError()).isNull();
    }
}
