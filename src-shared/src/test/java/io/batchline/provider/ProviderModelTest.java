package io.batchline.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchline.cost.Usage;
import io.batchline.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

class ProviderModelTest {

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(ProviderModelTest.class.getResourceAsStream("/provider/" + name),
                name)) {
            return in.readAllBytes();
        }
    }

    static String line(String name) throws IOException {
        return new String(fixture(name), StandardCharsets.UTF_8).trim();
    }

    @Test
    void batchInProgressHasOnlyProcessingCount() throws IOException {
        MessageBatch b = Json.read(fixture("batch-in-progress.json"), MessageBatch.class);
        assertThat(b.id()).isEqualTo("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF");
        assertThat(b.type()).isEqualTo("message_batch");
        assertThat(b.ended()).isFalse();
        assertThat(b.requestCounts().processing()).isEqualTo(100);
        assertThat(b.totalRequests()).isEqualTo(100);
        assertThat(b.endedAt()).isNull();
        assertThat(b.resultsUrl()).isNull();
        assertThat(b.createdInstant()).isEqualTo(Instant.parse("2024-08-20T18:37:24.100435Z"));
    }

    @Test
    void batchEndedIgnoresUnknownFields() throws IOException {
        MessageBatch b = Json.read(fixture("batch-ended.json"), MessageBatch.class);
        assertThat(b.ended()).isTrue();
        assertThat(b.requestCounts()).isEqualTo(new MessageBatch.RequestCounts(0, 95, 3, 0, 2));
        assertThat(b.totalRequests()).isEqualTo(100);
        assertThat(b.endedInstant()).isEqualTo(Instant.parse("2024-08-20T19:02:11.511Z"));
        assertThat(b.resultsUrl()).endsWith("/v1/messages/batches/msgbatch_013Zva2CMHLNnXjNJJKqJ2EF/results");
    }

    @Test
    void listPage() throws IOException {
        BatchPage p = Json.read(fixture("batch-list-page.json"), BatchPage.class);
        assertThat(p.hasMore()).isTrue();
        assertThat(p.firstId()).isEqualTo("msgbatch_03");
        assertThat(p.lastId()).isEqualTo("msgbatch_02");
        assertThat(p.data()).extracting(MessageBatch::processingStatus).containsExactly("in_progress", "canceling");
        assertThat(p.data().get(1).cancelInitiatedAt()).isEqualTo("2024-08-21T10:05:00Z");
    }

    @Test
    void succeededConcatenatesTextBlocksAndReadsCacheUsage() throws IOException {
        BatchResult r = BatchResult.parse(line("result-succeeded.jsonl"));
        assertThat(r.customId()).isEqualTo("item-0001");
        assertThat(r.type()).isEqualTo(BatchResult.Type.SUCCEEDED);
        assertThat(r.text()).isEqualTo("{\"category\": \"billing\", \"confidence\": 0.93}");
        assertThat(r.toolInput()).isNull();
        assertThat(r.answer()).isEqualTo(r.text());
        assertThat(r.stopReason()).isEqualTo("end_turn");
        assertThat(r.model()).isEqualTo("claude-sonnet-4-5-20250929");
        assertThat(r.usage()).isEqualTo(new Usage(1210, 17, 0, 2048));
        assertThat(r.permanentFailure()).isFalse();
        assertThat(r.transientFailure()).isFalse();
    }

    @Test
    void succeededWithToolUseAndAbsentCacheFields() throws IOException {
        BatchResult r = BatchResult.parse(line("result-succeeded-tool.jsonl"));
        assertThat(r.text()).isEqualTo("Classifying.");
        assertThat(Json.tree(r.toolInput().getBytes(StandardCharsets.UTF_8)).path("category").asText()).isEqualTo("bug");
        assertThat(r.answer()).isEqualTo(r.toolInput());
        assertThat(r.stopReason()).isEqualTo("tool_use");
        assertThat(r.usage()).isEqualTo(new Usage(50, 30, 0, 0));
    }

    @Test
    void erroredInvalidRequestIsPermanent() throws IOException {
        BatchResult r = BatchResult.parse(line("result-errored-invalid.jsonl"));
        assertThat(r.type()).isEqualTo(BatchResult.Type.ERRORED);
        assertThat(r.errorType()).isEqualTo("invalid_request_error");
        assertThat(r.errorMessage()).isEqualTo("max_tokens: Field required");
        assertThat(r.permanentFailure()).isTrue();
        assertThat(r.transientFailure()).isFalse();
        assertThat(r.usage()).isEqualTo(Usage.ZERO);
    }

    @Test
    void erroredOverloadedCanceledExpiredAreTransient() throws IOException {
        BatchResult over = BatchResult.parse(line("result-errored-overloaded.jsonl"));
        assertThat(over.errorType()).isEqualTo("overloaded_error");
        assertThat(over.transientFailure()).isTrue();
        assertThat(over.permanentFailure()).isFalse();
        BatchResult canceled = BatchResult.parse(line("result-canceled.jsonl"));
        assertThat(canceled.type()).isEqualTo(BatchResult.Type.CANCELED);
        assertThat(canceled.transientFailure()).isTrue();
        BatchResult expired = BatchResult.parse(line("result-expired.jsonl"));
        assertThat(expired.type()).isEqualTo(BatchResult.Type.EXPIRED);
        assertThat(expired.customId()).isEqualTo("item-0006");
        assertThat(expired.transientFailure()).isTrue();
    }

    @Test
    void badLinesAreRejectedWithAReason() {
        assertThatThrownBy(() -> BatchResult.parse("{\"custom_id\":\"a\",\"result\":{\"type\":\"weird\"}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown type weird");
        assertThatThrownBy(() -> BatchResult.parse("{\"result\":{\"type\":\"expired\"}}"))
                .hasMessageContaining("without custom_id");
        assertThatThrownBy(() -> BatchResult.parse("{\"custom_id\":\"a\",")).hasMessageContaining("not JSON");
    }

    @Test
    void readerWalksAllLinesOfAStream() throws IOException {
        List<InputStream> parts = new ArrayList<>();
        for (String f : List.of("result-succeeded.jsonl", "result-succeeded-tool.jsonl", "result-errored-invalid.jsonl",
                "result-errored-overloaded.jsonl", "result-canceled.jsonl", "result-expired.jsonl")) {
            parts.add(new ByteArrayInputStream(fixture(f)));
        }
        List<String> ids = new ArrayList<>();
        try (ResultReader reader = new ResultReader(new SequenceInputStream(Collections.enumeration(parts)))) {
            reader.forEachRemaining(r -> ids.add(r.customId()));
        }
        assertThat(ids).containsExactly("item-0001", "item-0002", "item-0003", "item-0004", "item-0005", "item-0006");
    }

    @Test
    void errorBodyFixtureHasTheDocumentedShape() throws IOException {
        var n = Json.tree(fixture("error-overloaded.json"));
        assertThat(n.path("type").asText()).isEqualTo("error");
        assertThat(n.path("error").path("type").asText()).isEqualTo("overloaded_error");
    }
}
