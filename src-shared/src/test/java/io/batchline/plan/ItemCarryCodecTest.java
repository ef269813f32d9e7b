package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.store.FileObjectStore;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bytes of index and retry lines as runs in flight have them, and what reading them back gives. */
class ItemCarryCodecTest {
    @TempDir
    Path dir;

    private static final String HISTORY_JSON = "[{\"attempt\":1,\"custom_id\":\"a1-l5\",\"result\":\"errored\"}]";
    private static final JsonNode HISTORY = tree(HISTORY_JSON);
    private static final JsonNode PARAMS = tree("{\"model\":\"m\",\"max_tokens\":300}");

    private static final ItemCarry EVERY_FIELD = new ItemCarry("T-5", 5, 2, true, true, "billing", true, HISTORY, 1, 3,
            "hard");
    private static final ItemCarry ALL_ABSENT = ItemCarry.of("T-7", 7, 1);
    private static final ItemCarry WITH_HISTORY = ItemCarry.of("T-8", 8, 2).withHistory(HISTORY);
    private static final ItemCarry A_CHUNK = ItemCarry.of("T-9", 9, 1).withTruncated(true).withChunk(0, 4)
            .withLabel("billing").withStratum("long");

    @Test
    void indexLinesKeepTheirFieldsOrderAndLeaveOutWhatIsAbsent() {
        assertThat(indexLine("a2-l5-c1", EVERY_FIELD)).isEqualTo("{\"custom_id\":\"a2-l5-c1\",\"id\":\"T-5\",\"line\":5,"
                + "\"attempts\":2,\"repair\":true,\"truncated\":true,\"label\":\"billing\",\"golden\":true,\"history\":"
                + HISTORY_JSON + ",\"chunk\":1,\"chunks\":3,\"stratum\":\"hard\"}");
        assertThat(indexLine("a1-l7", ALL_ABSENT)).isEqualTo("{\"custom_id\":\"a1-l7\",\"id\":\"T-7\",\"line\":7,\"attempts\":1}");
        assertThat(indexLine("a2-l8", WITH_HISTORY)).isEqualTo("{\"custom_id\":\"a2-l8\",\"id\":\"T-8\",\"line\":8,"
                + "\"attempts\":2,\"history\":" + HISTORY_JSON + "}");
        assertThat(indexLine("a1-l9-c0", A_CHUNK)).isEqualTo("{\"custom_id\":\"a1-l9-c0\",\"id\":\"T-9\",\"line\":9,"
                + "\"attempts\":1,\"truncated\":true,\"label\":\"billing\",\"chunk\":0,\"chunks\":4,\"stratum\":\"long\"}");
    }

    @Test
    void retryLinesKeepTheirFieldsOrderAndLeaveOutWhatIsAbsent() {
        assertThat(retryLine(EVERY_FIELD, "overloaded_error")).isEqualTo("{\"id\":\"T-5\",\"line\":5,\"attempts\":2,"
                + "\"last_error\":\"overloaded_error\",\"repair\":true,\"truncated\":true,\"label\":\"billing\","
                + "\"golden\":true,\"chunk\":1,\"chunks\":3,\"stratum\":\"hard\",\"history\":" + HISTORY_JSON
                + ",\"params\":{\"model\":\"m\",\"max_tokens\":300}}\n");
        assertThat(retryLine(ALL_ABSENT, "expired")).isEqualTo("{\"id\":\"T-7\",\"line\":7,\"attempts\":1,"
                + "\"last_error\":\"expired\",\"params\":{\"model\":\"m\",\"max_tokens\":300}}\n");
    }

    @Test
    void whatIsWrittenReadsBackAsItWas() {
        List<ItemCarry> carries = List.of(EVERY_FIELD, ALL_ABSENT, WITH_HISTORY, A_CHUNK);
        FileObjectStore store = storeIndex(carries);

        Map<String, ShardIndexLine> read = ItemCarryCodec.readIndex(store, "index.jsonl");

        assertThat(read).hasSize(carries.size());
        for (int i = 0; i < carries.size(); i++) {
            assertThat(read.get("a1-l" + i)).isEqualTo(new ShardIndexLine("a1-l" + i, carries.get(i)));
            ItemCarryCodec.RetryLine retry = ItemCarryCodec.readRetryLine(retryLine(carries.get(i), "why " + i), 0,
                    "retry line " + i);
            assertThat(retry).isEqualTo(new ItemCarryCodec.RetryLine(carries.get(i), "why " + i, PARAMS));
        }
    }

    /** A store holding index.jsonl: the carries' index lines in order, custom_ids a1-l0, a1-l1, ... */
    private FileObjectStore storeIndex(List<ItemCarry> carries) {
        FileObjectStore store = new FileObjectStore(dir);
        StringBuilder index = new StringBuilder();
        for (int i = 0; i < carries.size(); i++) index.append(indexLine("a1-l" + i, carries.get(i))).append('\n');
        store.put("index.jsonl", index.toString().getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
        return store;
    }

    @Test
    void valuesOfAnotherKindAreReadAsATreeReadsThem() {
        ItemCarryCodec.RetryLine read = ItemCarryCodec.readRetryLine("{\"id\":12,\"line\":\"3\",\"repair\":\"true\","
                + "\"truncated\":0,\"label\":7,\"golden\":null,\"history\":{},\"chunk\":1.0,\"chunks\":5000000000,"
                + "\"stratum\":4,\"params\":{}}", 2, "retry line");
        assertThat(read.item()).isEqualTo(new ItemCarry("12", 3, 2, true, false, "7", false, null, null, null, null));
    }

    @Test
    void aRetryLineWithoutParamsOrLineIsRefused() {
        assertThatThrownBy(() -> ItemCarryCodec.readRetryLine("{\"id\":\"T-1\",\"line\":1,\"params\":[]}", 0, "part x"))
                .isInstanceOf(IllegalStateException.class).hasMessage("part x lacks params or line");
        assertThatThrownBy(() -> ItemCarryCodec.readRetryLine("{\"id\":\"T-1\",\"params\":{}}", 0, "part x"))
                .isInstanceOf(IllegalStateException.class).hasMessage("part x lacks params or line");
        assertThatThrownBy(() -> ItemCarryCodec.readRetryLine("{\"id\":", 0, "part x"))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("part x is not JSON: ");
    }

    @Test
    void anIndexIsStreamedInTheOrderWritten() {
        List<ItemCarry> carries = List.of(A_CHUNK, EVERY_FIELD, ALL_ABSENT, WITH_HISTORY);
        FileObjectStore store = storeIndex(carries);

        List<ShardIndexLine> read = new java.util.ArrayList<>();
        ItemCarryCodec.forEachIndexLine(store, "index.jsonl", read::add);

        assertThat(read).extracting(ShardIndexLine::carry).containsExactlyElementsOf(carries);
    }

    @Test
    void theItemOfARetryLineIsReadWithoutParamsButNotWithoutALine() {
        ItemCarryCodec.RetryLine read = ItemCarryCodec.readRetryItem("{\"id\":\"T-1\",\"line\":1,\"last_error\":\"x\"}",
                2, "part x");
        assertThat(read).isEqualTo(new ItemCarryCodec.RetryLine(ItemCarry.of("T-1", 1, 2), "x", null));
        assertThatThrownBy(() -> ItemCarryCodec.readRetryItem("{\"id\":\"T-1\",\"params\":{}}", 0, "part x"))
                .isInstanceOf(IllegalStateException.class).hasMessage("part x lacks line");
        assertThatThrownBy(() -> ItemCarryCodec.readRetryItem("[1]", 0, "part x"))
                .isInstanceOf(IllegalStateException.class).hasMessage("part x lacks line");
        assertThatThrownBy(() -> ItemCarryCodec.readRetryItem("{\"id\":", 0, "part x"))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("part x is not JSON: ");
    }

    /** The index lines plan writes by hand (for speed) are the bytes the generator writes for the same line. */
    @Test
    void handWrittenIndexLinesAreTheGeneratorsBytes() {
        List<String> texts = List.of("T-000001", "", "q \" b \\ / \n\t\r\b\f \u0000\u001f\u007f", "é 渡辺 🙏 \u2028 \ud800x",
                "x".repeat(500));
        for (String text : texts) {
            List<ShardIndexLine> lines = List.of(
                    new ShardIndexLine("a1-l1", ItemCarry.of(text, 1, 1)),
                    new ShardIndexLine("a1-l1", ItemCarry.of(null, Long.MAX_VALUE, 3)),
                    new ShardIndexLine("a2-l9", ItemCarry.of(text, 9, 2).withRepair(true).withLabel(text)
                            .withGolden(true)),
                    new ShardIndexLine("a1-l5-c2", ItemCarry.of(text, 5, 1).withTruncated(true).withLabel(text)
                            .withChunk(2, 3).withStratum(text)));
            for (ShardIndexLine line : lines) {
                assertThat(new String(ItemCarryCodec.handWrittenIndexLine(line), StandardCharsets.UTF_8))
                        .isEqualTo(new String(ItemCarryCodec.generatedIndexLine(line), StandardCharsets.UTF_8));
            }
        }
    }

    private static String indexLine(String customId, ItemCarry carry) {
        return new String(ItemCarryCodec.indexLine(new ShardIndexLine(customId, carry)), StandardCharsets.UTF_8);
    }

    private static String retryLine(ItemCarry carry, String lastError) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ItemCarryCodec.writeRetryLine(out, new ItemCarryCodec.RetryLine(carry, lastError, PARAMS));
        return out.toString(StandardCharsets.UTF_8);
    }

    private static JsonNode tree(String json) {
        return Json.tree(json.getBytes(StandardCharsets.UTF_8));
    }
}
