package io.batchline.offline.lambda;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How to run a packaged function as Lambda's managed Java runtime does: a child JVM running AWS's
 * runtime interface client (RIC) against a Runtime API served by {@link LambdaHost}.
 *
 * @param classpath      the function's classpath (for Quarkus: the {@code -runner.jar}, whose manifest points at lib/)
 * @param handler        the Lambda handler string, e.g. {@code io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest}
 * @param env            extra environment (endpoints, dummy keys, QUARKUS_LAMBDA_HANDLER...)
 * @param memoryMb       AWS_LAMBDA_FUNCTION_MEMORY_SIZE and -Xmx
 * @param timeout        the function timeout; an invoke running longer is killed with Sandbox.Timedout
 * @param maxConcurrency concurrent execution environments (processes); further invokes wait
 * @param logFile        where child stdout/stderr go (appended); null = a temp file
 */
public record ProcessFunctionSpec(List<Path> classpath, String handler, Map<String, String> env, int memoryMb,
                                  Duration timeout, int maxConcurrency, Path logFile) {

    public static final String QUARKUS_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";

    public ProcessFunctionSpec {
        classpath = List.copyOf(classpath);
        env = Map.copyOf(env);
        if (handler == null || handler.isBlank()) throw new IllegalArgumentException("handler is required");
        if (memoryMb < 128) throw new IllegalArgumentException("memoryMb must be >= 128");
        if (timeout == null || timeout.isZero() || timeout.isNegative()) throw new IllegalArgumentException("timeout must be > 0");
        if (maxConcurrency < 1) throw new IllegalArgumentException("maxConcurrency must be >= 1");
    }

    /** A plain handler class on the given classpath; 512 MB, 60 s, one instance. */
    public static ProcessFunctionSpec of(List<Path> classpath, String handler) {
        return new ProcessFunctionSpec(classpath, handler, Map.of(), 512, Duration.ofSeconds(60), 1, null);
    }

    /** One stage of the Quarkus function artifact, selected with QUARKUS_LAMBDA_HANDLER (build-notes.md). */
    public static ProcessFunctionSpec quarkus(Path runnerJar, String quarkusHandlerName) {
        return of(List.of(runnerJar), QUARKUS_HANDLER).withEnv(Map.of("QUARKUS_LAMBDA_HANDLER", quarkusHandlerName));
    }

    /** Adds (and overrides) environment variables. */
    public ProcessFunctionSpec withEnv(Map<String, String> more) {
        Map<String, String> merged = new LinkedHashMap<>(env);
        merged.putAll(more);
        return new ProcessFunctionSpec(classpath, handler, merged, memoryMb, timeout, maxConcurrency, logFile);
    }

    public ProcessFunctionSpec withMemoryMb(int mb) {
        return new ProcessFunctionSpec(classpath, handler, env, mb, timeout, maxConcurrency, logFile);
    }

    public ProcessFunctionSpec withTimeout(Duration t) {
        return new ProcessFunctionSpec(classpath, handler, env, memoryMb, t, maxConcurrency, logFile);
    }

    public ProcessFunctionSpec withMaxConcurrency(int n) {
        return new ProcessFunctionSpec(classpath, handler, env, memoryMb, timeout, n, logFile);
    }

    public ProcessFunctionSpec withLogFile(Path file) {
        return new ProcessFunctionSpec(classpath, handler, env, memoryMb, timeout, maxConcurrency, file);
    }
}
