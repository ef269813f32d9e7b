package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import org.junit.jupiter.api.Test;

/** Pre-flight checks: the provider's rules for custom_id and request size, and complete params. */
class RequestCheckTest {

    static ObjectNode params() {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("model", "claude-haiku-4-5-20251001");
        p.put("max_tokens", 300);
        p.putArray("messages").addObject().put("role", "user").put("content", "hi");
        return p;
    }

    @Test
    void acceptsEveryIdThePlannerMakesAndAnyOtherValidOne() {
        for (String ok : new String[] {Planner.customId(1, 17), Planner.customId(4, 999_999_999_999L),
                Planner.chunkCustomId(Planner.customId(2, 5), 12), Planner.goldenCustomId(1, 3), "A_b-9", "x".repeat(64)}) {
            assertThat(RequestCheck.customIdProblem(ok)).as(ok).isNull();
            assertThat(RequestCheck.problem(ok, 200, params())).as(ok).isNull();
        }
    }

    @Test
    void refusesIdsTheProviderWouldRefuseAndSaysWhy() {
        assertThat(RequestCheck.customIdProblem("")).isEqualTo("custom_id is empty");
        assertThat(RequestCheck.customIdProblem(null)).isEqualTo("custom_id is empty");
        assertThat(RequestCheck.customIdProblem("y".repeat(65))).contains("65 characters, more than the provider's 64");
        assertThat(RequestCheck.customIdProblem("a1-l1.5")).isEqualTo(
                "custom_id 'a1-l1.5' has '.' at 6: only A-Z, a-z, 0-9, _ and - are allowed");
        assertThat(RequestCheck.customIdProblem("a1 l1")).contains("has ' ' at 3");
        assertThat(RequestCheck.customIdProblem("a1-lé")).contains("has 'é' at 5");
    }

    @Test
    void refusesOversizeRequestsAndIncompleteParams() {
        assertThat(RequestCheck.problem("a1-l1", RequestCheck.PROVIDER_MAX_REQUEST_BYTES + 1, params()))
                .isEqualTo("request is 33,554,433 bytes, above the provider's 33,554,432 bytes per request");
        ObjectNode noTokens = params();
        noTokens.put("max_tokens", 0);
        assertThat(RequestCheck.problem("a1-l1", 100, noTokens)).isEqualTo("params.max_tokens must be an integer >= 1");
        ObjectNode streaming = params();
        streaming.put("stream", true);
        assertThat(RequestCheck.problem("a1-l1", 100, streaming)).isEqualTo("params.stream is not allowed in a batch");
        ObjectNode noMessages = params();
        noMessages.putArray("messages");
        assertThat(RequestCheck.problem("a1-l1", 100, noMessages)).isEqualTo("params.messages is empty");
    }
}
