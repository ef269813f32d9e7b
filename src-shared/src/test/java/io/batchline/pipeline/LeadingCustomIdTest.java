package io.batchline.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shortcut collect takes to skip request lines that are not retried must never misread a line. */
class LeadingCustomIdTest {

    static String id(String line) {
        byte[] padded = ("xx" + line + "yy").getBytes(StandardCharsets.UTF_8); // at an offset, as in a chunk
        return RetryPartWriter.leadingCustomId(padded, 2, padded.length - 4);
    }

    @Test
    void reads_the_custom_id_the_planner_writes_first() {
        assertThat(id("{\"custom_id\":\"a1-l7\",\"params\":{}}")).isEqualTo("a1-l7");
        assertThat(id("{\"custom_id\":\"a2-l1200-c3_x\",\"params\":{}}"))
                .isEqualTo("a2-l1200-c3_x");
    }

    @Test
    void any_other_layout_is_left_to_the_full_parse() {
        assertThat(id("{\"params\":{},\"custom_id\":\"a1-l7\"}")).isNull();
        assertThat(id("{ \"custom_id\":\"a1-l7\"}")).isNull();
        assertThat(id("{\"custom_id\":\"a1\\u002dl7\"}")).isNull(); // escaped
        assertThat(id("{\"custom_id\":\"a1-l7")).isNull(); // cut short
    }
}
