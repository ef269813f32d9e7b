package io.batchline.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.provider.AmbiguousCreateException;
import io.batchline.provider.BatchResult;
import io.batchline.provider.MessageBatch;
import io.batchline.provider.ProviderException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class ScriptedBatchProviderTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final ScriptedBatchProvider provider = new ScriptedBatchProvider(clock);

    private static Supplier<InputStream> shard(String... customIds) {
        StringBuilder sb = new StringBuilder();
        for (String cid : customIds) {
            sb.append("{\"custom_id\":\"").append(cid)
                    .append("\",\"params\":{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi ")
                    .append(cid).append("\"}]}}\n");
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        return () -> new ByteArrayInputStream(bytes);
    }

    private List<JsonNode> results(String batchId) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        try (InputStream in = provider.results(batchId)) {
            for (String l : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                lines.add(Json.tree(l.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return lines;
    }

    @Test
    void aBatchRunsUntilItsNthLookThenAnswersEveryRequestByTheScript() throws Exception {
        provider.endOnRetrieve(2).answers((cid, params) -> "answer to " + cid).errored("a1-l2", "overloaded_error",
                "Overloaded").expired("a1-l3");
        MessageBatch created = provider.create(3, 0, shard("a1-l1", "a1-l2", "a1-l3"));
        assertThat(created.processingStatus()).isEqualTo(MessageBatch.IN_PROGRESS);
        assertThat(created.requestCounts().processing()).isEqualTo(3);
        assertThatThrownBy(() -> provider.results(created.id())).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID_REQUEST));

        assertThat(provider.retrieve(created.id()).ended()).isFalse();
        MessageBatch ended = provider.retrieve(created.id());
        assertThat(ended.ended()).isTrue();
        assertThat(ended.requestCounts()).isEqualTo(new MessageBatch.RequestCounts(0, 1, 1, 0, 1));
        assertThat(ended.endedInstant()).isEqualTo(clock.instant());

        List<JsonNode> lines = results(created.id());
        assertThat(lines).extracting(l -> l.get("custom_id").asText()).containsExactly("a1-l1", "a1-l2", "a1-l3");
        assertThat(lines.get(0).at("/result/message/content/0/text").asText()).isEqualTo("answer to a1-l1");
        assertThat(lines.get(0).at("/result/message/usage/output_tokens").asLong()).isPositive();
        assertThat(lines.get(1).at("/result/error/error/type").asText()).isEqualTo("overloaded_error");
        assertThat(lines.get(2).at("/result/type").asText()).isEqualTo("expired");
        // the domain's reader takes them
        BatchResult first = BatchResult.parse(Json.string(lines.get(0)));
        assertThat(first.customId()).isEqualTo("a1-l1");
        assertThat(first.text()).isEqualTo("answer to a1-l1");
        assertThat(BatchResult.parse(Json.string(lines.get(1))).errorType()).isEqualTo("overloaded_error");
    }

    @Test
    void aCanceledBatchEndsOnItsNextLookWithEveryRequestCanceled() throws Exception {
        provider.endOnRetrieve(5);
        String id = provider.create(2, 0, shard("a", "b")).id();
        assertThat(provider.cancel(id).processingStatus()).isEqualTo(MessageBatch.CANCELING);
        MessageBatch ended = provider.retrieve(id);
        assertThat(ended.ended()).isTrue();
        assertThat(ended.requestCounts().canceled()).isEqualTo(2);
        assertThat(ended.cancelInitiatedAt()).isNotNull();
        assertThat(results(id)).allSatisfy(l -> assertThat(l.at("/result/type").asText()).isEqualTo("canceled"));
    }

    @Test
    void aCanceledBatchKeepsTheResultsOfTheRequestsItHadProcessed() throws Exception {
        provider.endOnRetrieve(5).answers((cid, params) -> "answer to " + cid).processedBeforeCancel("b"::equals);
        String id = provider.create(3, 0, shard("a", "b", "c")).id();
        provider.cancel(id);
        MessageBatch ended = provider.retrieve(id);
        assertThat(ended.requestCounts()).isEqualTo(new MessageBatch.RequestCounts(0, 1, 0, 2, 0));
        assertThat(results(id)).extracting(l -> l.at("/result/type").asText())
                .containsExactly("canceled", "succeeded", "canceled");
    }

    @Test
    void aCreateOverTheBodyLimitIsRefusedAsTooLargeAndCreatesNothing() {
        provider.maxRequestsBytes(150);
        assertThatThrownBy(() -> provider.create(2, 0, shard("a1-l1", "a1-l2"))).isInstanceOfSatisfying(
                ProviderException.class, e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.REQUEST_TOO_LARGE));
        assertThat(provider.batches()).isEmpty();
        assertThat(provider.create(1, 0, shard("a1-l1")).processingStatus()).isEqualTo(MessageBatch.IN_PROGRESS);
    }

    @Test
    void listSinceIsNewestFirstAndCountsAsALook() {
        String first = provider.create(1, 0, shard("x")).id();
        clock.advance(Duration.ofMinutes(1));
        String second = provider.create(1, 0, shard("y")).id();
        assertThat(provider.listSince(clock.instant().minusSeconds(120))).extracting(MessageBatch::id)
                .containsExactly(second, first);
        assertThat(provider.listSince(clock.instant())).extracting(MessageBatch::id).containsExactly(second);
        assertThat(provider.batches()).allSatisfy(b -> assertThat(b.ended()).isTrue());
    }

    @Test
    void aFailedCreateMayHaveCreatedTheBatchAndEveryCallIsRecorded() {
        provider.failNextCreate(() -> new ProviderException(ProviderException.Kind.TIMEOUT, 0, null, "read timed out",
                null, null, null), true);
        provider.failNextCreate(() -> new ProviderException(ProviderException.Kind.REQUEST_TOO_LARGE, 413,
                "request_too_large", "too large", null, null, null), false);
        assertThatThrownBy(() -> provider.create(1, 0, shard("a1-l1"))).isInstanceOf(AmbiguousCreateException.class);
        assertThat(provider.created()).hasSize(1); // it exists all the same: the caller must reconcile
        assertThatThrownBy(() -> provider.create(1, 0, shard("a1-l1"))).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.REQUEST_TOO_LARGE));
        assertThat(provider.created()).hasSize(1);
        assertThatThrownBy(() -> provider.create(2, 0, shard("only-one")))
                .isInstanceOf(ProviderException.class).hasMessageContaining("1 lines, 2 announced");
        assertThatThrownBy(() -> provider.retrieve("msgbatch_nope")).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.NOT_FOUND));
        assertThat(provider.calls()).extracting(ScriptedBatchProvider.Call::method)
                .containsExactly("create", "create", "create", "retrieve");
        assertThat(provider.created().get(0).customIds()).containsExactly("a1-l1");
    }

    @Test
    void modelsAreKnownUnlessScriptedOtherwise() {
        assertThat(provider.model("claude-haiku-4-5").id()).isEqualTo("claude-haiku-4-5");
        provider.unknownModel("claude-nope");
        assertThatThrownBy(() -> provider.model("claude-nope")).isInstanceOfSatisfying(ProviderException.class,
                e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.NOT_FOUND));
        assertThat(provider.countTokens((com.fasterxml.jackson.databind.node.ObjectNode) Json.tree(
                "{\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]}".getBytes(StandardCharsets.UTF_8))))
                .isPositive();
    }
}
