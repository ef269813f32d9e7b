package io.batchline.provider.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonlRequestsBodyTest {

    private static byte[] transform(String jsonl, long lines) throws IOException {
        byte[] src = jsonl.getBytes(StandardCharsets.UTF_8);
        try (InputStream in = new JsonlRequestsBody(new ByteArrayInputStream(src), lines, src.length)) {
            byte[] out = in.readAllBytes();
            assertThat((long) out.length).isEqualTo(JsonlRequestsBody.contentLength(src.length));
            return out;
        }
    }

    @Test
    void wrapsLinesIntoTheEnvelopeWithExactLength() throws IOException {
        String a = "{\"custom_id\":\"a\",\"params\":{\"model\":\"m\",\"max_tokens\":5,\"messages\":[]}}";
        String b = "{\"custom_id\":\"b\",\"params\":{\"note\":\"caf\u00e9 \\n not a newline\"}}";
        for (String jsonl : new String[] {a + "\n" + b + "\n", a + "\n" + b, a + "\r\n" + b + "\r\n"}) {
            JsonNode body = Json.tree(transform(jsonl, 2));
            assertThat(body.path("requests")).hasSize(2);
            assertThat(body.path("requests").get(0).path("custom_id").asText()).isEqualTo("a");
            assertThat(body.path("requests").get(1).path("params").path("note").asText())
                    .isEqualTo("caf\u00e9 \n not a newline");
        }
        assertThat(new String(transform(a + "\n", 1), StandardCharsets.UTF_8)).isEqualTo("{\"requests\":[" + a + " ]}");
    }

    @Test
    void blankLineFails() {
        assertThatThrownBy(() -> transform("{\"custom_id\":\"a\"}\n\n{\"custom_id\":\"b\"}\n", 2))
                .isInstanceOf(IOException.class).hasMessageContaining("blank line 2");
    }

    @Test
    void lineCountMismatchFails() {
        assertThatThrownBy(() -> transform("{\"custom_id\":\"a\"}\n{\"custom_id\":\"b\"}\n", 3))
                .isInstanceOf(IOException.class).hasMessageContaining("2 lines, declared 3");
    }

    @Test
    void byteCountMismatchFails() {
        byte[] src = "{\"custom_id\":\"a\"}\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> new JsonlRequestsBody(new ByteArrayInputStream(src), 1, src.length - 3).readAllBytes())
                .isInstanceOf(IOException.class).hasMessageContaining("longer than the declared");
        assertThatThrownBy(() -> new JsonlRequestsBody(new ByteArrayInputStream(src), 1, src.length + 3).readAllBytes())
                .isInstanceOf(IOException.class).hasMessageContaining("declared " + (src.length + 3));
    }
}
