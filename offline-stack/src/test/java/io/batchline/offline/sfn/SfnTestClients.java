package io.batchline.offline.sfn;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/** Real SDK clients against the local services, and polling helpers (no timing assertions). */
public final class SfnTestClients {
    public static final Path NODE_MODULES = Path.of("node_modules");

    private SfnTestClients() {
    }

    public static SfnClient sfn(URI endpoint) {
        return SfnClient.builder()
            .endpointOverride(endpoint)
            .region(Region.US_EAST_1)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
            .httpClient(UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(30)).build())
            .overrideConfiguration(c -> c.apiCallTimeout(Duration.ofSeconds(60)))
            .build();
    }

    /** Polls DescribeExecution until the execution leaves RUNNING, or fails the test at the deadline. */
    public static DescribeExecutionResponse awaitClosed(SfnClient sfn, String executionArn, Duration deadline) {
        Instant end = Instant.now().plus(deadline);
        while (true) {
            DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(executionArn));
            if (d.status() != ExecutionStatus.RUNNING) return d;
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("execution still RUNNING after " + deadline + ": " + executionArn);
            }
            sleep(50);
        }
    }

    public static void await(String what, Duration deadline, Supplier<Boolean> condition) {
        Instant end = Instant.now().plus(deadline);
        while (!condition.get()) {
            if (Instant.now().isAfter(end)) throw new AssertionError("timed out waiting for " + what);
            sleep(50);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public static String resource(String path) {
        try (InputStream in = SfnTestClients.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalArgumentException("no test resource " + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
