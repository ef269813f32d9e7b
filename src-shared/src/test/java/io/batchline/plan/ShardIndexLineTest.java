package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The index lines plan writes by hand (for speed) are the bytes the mapper writes for the same record. */
class ShardIndexLineTest {

    @Test
    void handWrittenIndexLinesAreTheMappersBytes() {
        List<String> texts = List.of("T-000001", "", "q \" b \\ / \n\t\r\b\f \u0000\u001f\u007f", "é 渡辺 🙏 \u2028 \ud800x",
                "x".repeat(500));
        for (String text : texts) {
            List<ShardIndexLine> lines = List.of(
                    new ShardIndexLine("a1-l1", text, 1, 1),
                    new ShardIndexLine("a1-l1", null, Long.MAX_VALUE, 3),
                    new ShardIndexLine("a2-l9", text, 9, 2, Boolean.TRUE, Boolean.FALSE, text, Boolean.TRUE),
                    new ShardIndexLine("a1-l5-c2", text, 5, 1, null, Boolean.TRUE, text, null, null, 2, 3, text),
                    new ShardIndexLine("a1-l5", text, 5, 2, null, null, null, null,
                            Json.tree("[{\"attempt\":1,\"result\":\"errored\"}]".getBytes(StandardCharsets.UTF_8))));
            for (ShardIndexLine line : lines) {
                assertThat(new String(line.json(), StandardCharsets.UTF_8)).isEqualTo(Json.string(line));
            }
        }
    }
}
