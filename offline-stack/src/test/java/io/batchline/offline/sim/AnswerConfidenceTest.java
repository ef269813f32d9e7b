package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The simulated model's confidence depends on the model family, as the data file says: a larger family answers
 * confidently more often, so a cheap-model-first escalation has something to show offline.
 */
class AnswerConfidenceTest {
    private static final JsonNode SCHEMA = Json.tree(("{\"type\":\"object\",\"required\":[\"team\",\"confidence\"],"
            + "\"properties\":{\"team\":{\"type\":\"string\",\"enum\":[\"billing\",\"other\"]},"
            + "\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}}}").getBytes(StandardCharsets.UTF_8));

    @Test
    void theDataFileGivesEachFamilyItsShares() {
        AnswerConfidence data = AnswerConfidence.bundled();
        assertThat(data.of("claude-haiku-5-5")).isEqualTo(new AnswerConfidence.Shares(0.75, 0.17));
        assertThat(data.of("claude-haiku-4-5-20251001")).isEqualTo(data.of("claude-haiku-5-5"));
        assertThat(data.of("claude-opus-4-6").confident()).isGreaterThan(data.of("claude-sonnet-5-5").confident());
        assertThat(data.of("claude-sonnet-5-5").confident()).isGreaterThan(data.of("claude-haiku-5-5").confident());
        assertThat(data.of("some-unknown-model")).isEqualTo(AnswerConfidence.Shares.DEFAULT);
    }

    @Test
    void overManyItemsTheLargerModelIsRejectedLessAndAcceptedMoreAndEachDrawMatchesItsShares() {
        SimModel sim = new SimModel(7);
        int n = 4000;
        int[] haiku = tiers(sim, "claude-haiku-5-5", n);
        int[] opus = tiers(sim, "claude-opus-4-6", n);
        // the draw is the same per custom_id; only the model's shares move the cut points
        assertThat(share(haiku[2], n)).isCloseTo(0.08, org.assertj.core.data.Offset.offset(0.015));
        assertThat(share(opus[2], n)).isCloseTo(0.015, org.assertj.core.data.Offset.offset(0.01));
        assertThat(share(opus[0], n)).isCloseTo(0.92, org.assertj.core.data.Offset.offset(0.015));
        assertThat(opus[2]).isLessThan(haiku[2]);
        assertThat(opus[0]).isGreaterThan(haiku[0]);
    }

    /** accepted (>= 0.9), review (>= 0.7), rejected counts of n answers by this model. */
    private static int[] tiers(SimModel sim, String model, int n) {
        int[] counts = new int[3];
        for (int i = 0; i < n; i++) {
            double c = sim.generate(SCHEMA, SCHEMA, "", "a1-l" + i, "refund", model).get("confidence").asDouble();
            counts[c >= 0.9 ? 0 : c >= 0.7 ? 1 : 2]++;
        }
        return counts;
    }

    private static double share(int count, int n) {
        return (double) count / n;
    }
}
