package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.outcome.FailureReason;
import io.batchline.outcome.OutcomeKind;
import io.batchline.plan.ItemCarryCodec;
import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The items a cancel leaves unsent end in exactly one failed line each, read from their retry lines by the item
 * carry codec: a line without params still names its item; a line that names no input line stops the stage with
 * where it is instead of inventing an outcome.
 */
class UnsentItemReaderTest {
    private static final String RUN = "run-1";
    private static final String PART = "retry/a3/from-shard-0000.jsonl";

    @TempDir
    Path dir;

    private FileObjectStore storeWith(String... retryLines) {
        FileObjectStore store = new FileObjectStore(dir);
        store.put(PART, (String.join("\n", retryLines) + "\n").getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        return store;
    }

    private static List<JsonNode> lines(FileObjectStore store, String key) {
        List<JsonNode> lines = new ArrayList<>();
        for (String text : new String(store.read(key), StandardCharsets.UTF_8).split("\n")) {
            if (!text.isBlank()) lines.add(Json.tree(text.getBytes(StandardCharsets.UTF_8)));
        }
        return lines;
    }

    @Test
    void everyRetryLineOfACanceledRunFailsOnceWithItsCarry() {
        FileObjectStore store = storeWith(
                "{\"id\":\"T-1\",\"line\":1,\"attempts\":2,\"last_error\":\"overloaded\",\"truncated\":true,"
                        + "\"label\":\"billing\",\"history\":[{\"attempt\":1,\"custom_id\":\"a1-l1\",\"batch_id\":\"b1\"},"
                        + "{\"attempt\":2,\"custom_id\":\"a2-l1\",\"batch_id\":\"b2\"}],\"params\":{\"model\":\"m\"}}",
                "{\"id\":\"T-2\",\"line\":2,\"last_error\":\"expired\"}");

        new CancelStage(null).failRetries(store, RUN, 3, List.of(PART));

        List<JsonNode> failed = lines(store, RunKeys.planPart(RUN, 3, OutcomeKind.FAILED));
        assertThat(failed).hasSize(2).allSatisfy(n -> {
            assertThat(n.get("outcome").asText()).isEqualTo("failed");
            assertThat(n.get("reason").asText()).isEqualTo(FailureReason.CANCELED_UNFINISHED);
        });
        JsonNode first = failed.get(0);
        assertThat(first.get("id").asText()).isEqualTo("T-1");
        assertThat(first.get("attempts").asInt()).isEqualTo(2);
        assertThat(first.get("batch_id").asText()).isEqualTo("b2");
        assertThat(first.get("custom_id").asText()).isEqualTo("a2-l1");
        assertThat(first.get("truncated").asBoolean()).isTrue();
        assertThat(first.get("ground_truth").asText()).isEqualTo("billing");
        assertThat(first.get("history")).hasSize(2);
        JsonNode withoutParams = failed.get(1);
        assertThat(withoutParams.get("id").asText()).isEqualTo("T-2");
        assertThat(withoutParams.get("line").asLong()).isEqualTo(2);
        assertThat(withoutParams.get("attempts").asInt()).as("attempts absent: the attempt before").isEqualTo(2);
    }

    @Test
    void aRetryLineThatNamesNoInputLineStopsTheCancelSayingWhere() {
        FileObjectStore store = storeWith("{\"id\":\"T-1\",\"line\":1,\"params\":{}}", "{\"id\":\"T-2\",\"params\":{}}");
        assertThatThrownBy(() -> new CancelStage(null).failRetries(store, RUN, 3, List.of(PART)))
                .isInstanceOf(PermanentStageException.class)
                .hasMessage(UnsentItemReader.UNREADABLE + ": retry part " + PART + " line 2 lacks line");
        FileObjectStore notJson = storeWith("{\"id\":\"T-1\",");
        assertThatThrownBy(() -> new CancelStage(null).failRetries(notJson, RUN, 3, List.of(PART)))
                .isInstanceOf(PermanentStageException.class)
                .hasMessageStartingWith(UnsentItemReader.UNREADABLE + ": retry part " + PART + " line 1 is not JSON");
    }

    @Test
    void aRetryLineIsReadWithOrWithoutParams() {
        FileObjectStore store = storeWith("{\"id\":\"T-2\",\"line\":2,\"last_error\":\"x\"}",
                "{\"id\":\"T-3\",\"line\":3,\"params\":{\"a\":1}}");
        List<ItemCarryCodec.RetryLine> read = new ArrayList<>();
        UnsentItemReader.forEachRetried(store, PART, 1, read::add);
        assertThat(read).extracting(ItemCarryCodec.RetryLine::params)
                .containsExactly(null, Json.MAPPER.valueToTree(Map.of("a", 1)));
    }
}
