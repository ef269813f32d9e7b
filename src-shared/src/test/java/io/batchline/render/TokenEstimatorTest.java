package io.batchline.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {

    @Test
    void countsUtf8BytesOfSystemAndMessagesOverThreeAndAHalf() {
        String params = """
                {"model":"m","max_tokens":10,"system":[{"type":"text","text":"%s"}],
                 "messages":[{"role":"user","content":"%s"}]}""".formatted("a".repeat(70), "é".repeat(35));
        // 70 + 70 bytes = 140 -> 40 tokens, plus two blocks and the request framing
        long expected = 40 + 2 * TokenEstimator.PER_MESSAGE_OVERHEAD + TokenEstimator.PER_REQUEST_OVERHEAD;
        assertThat(TokenEstimator.estimate(Json.tree(params.getBytes(StandardCharsets.UTF_8)))).isEqualTo(expected);
    }

    @Test
    void roundsUpAndMeasuresUtf8WithoutEncoding() {
        assertThat(TokenEstimator.tokensForBytes(0)).isZero();
        assertThat(TokenEstimator.tokensForBytes(1)).isEqualTo(1);
        assertThat(TokenEstimator.tokensForBytes(7)).isEqualTo(2);
        assertThat(TokenEstimator.tokensForBytes(8)).isEqualTo(3);
        String mixed = "aé渡🙏";
        assertThat(TokenEstimator.utf8Length(mixed)).isEqualTo(mixed.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void contentBlocksAndStringSystemAreCounted() {
        String params = """
                {"system":"abcdefg","messages":[{"role":"user","content":[{"type":"text","text":"abcdefg"}]},
                 {"role":"assistant","content":"abcdefg"}]}""";
        long expected = 6 + 3 * TokenEstimator.PER_MESSAGE_OVERHEAD + TokenEstimator.PER_REQUEST_OVERHEAD;
        assertThat(TokenEstimator.estimate(Json.tree(params.getBytes(StandardCharsets.UTF_8)))).isEqualTo(expected);
    }
}
