package io.batchline.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesBytesTest {

    @Test
    void every_line_arrives_whole_also_across_read_chunks_and_without_a_final_newline() {
        StringBuilder text = new StringBuilder();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            // lengths from 1 byte to ~100 KB, so lines straddle the 64 KB chunks in every way
            String line = "{\"n\":" + i + ",\"s\":\"" + "é".repeat(i % 7 == 0 ? 50_000 : i % 13) + "\"}";
            expected.add(line);
            text.append(line).append('\n');
            if (i % 100 == 0) text.append('\n'); // empty lines are skipped
        }
        text.append("{\"last\":true}");
        expected.add("{\"last\":true}");

        List<String> seen = new ArrayList<>();
        JsonLines.forEachLineBytes(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8)),
                (bytes, offset, length) -> seen.add(new String(bytes, offset, length, StandardCharsets.UTF_8)));

        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void the_newline_search_finds_the_first_newline_among_any_bytes() {
        java.util.Random random = new java.util.Random(7);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes); // every byte value, 0x0A, 0x0B, 0x09 and 0x8A among them
            if (bytes.length > 0 && random.nextBoolean()) bytes[random.nextInt(bytes.length)] = '\n';
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int expected = -1;
            for (int i = from; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    expected = i;
                    break;
                }
            }
            assertThat(JsonLines.indexOfNewline(bytes, from, bytes.length)).isEqualTo(expected);
        }
    }
}
