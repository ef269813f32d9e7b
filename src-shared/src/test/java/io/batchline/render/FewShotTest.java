package io.batchline.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.input.InputItem;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Few-shot examples in the cached shared prefix: the request JSON pinned. */
class FewShotTest {
    static final JobSpec JOB = JobSpecLoader.load("""
            name: few-shot-test
            model: claude-haiku-4-5-20251001
            max_tokens: 50
            structured_output: off
            system: Sort tickets.
            user_template: "{{subject}}: {{body}}"
            output_schema:
              type: object
              required: [team]
              properties:
                team: {enum: [billing, account]}
                confidence: {type: number}
            few_shot:
              examples:
                - input: {subject: Refund, body: Charged twice}
                  output: {team: billing, confidence: 1}
              by_field: hint
              by_value:
                login:
                  - input: "Locked out"
                    output: {team: account, confidence: 0.9}
            """.getBytes(StandardCharsets.UTF_8), ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);

    static InputItem item(String json) {
        return new InputItem(1, "x", (ObjectNode) Json.tree(json.getBytes(StandardCharsets.UTF_8)), json.length());
    }

    static final String SYSTEM = "Sort tickets.\\n\\nExamples of inputs and the answers expected for them:\\n\\n"
            + "<example>\\n<input>\\nRefund: Charged twice\\n</input>\\n<output>\\n{\\\"team\\\":\\\"billing\\\",\\\"confidence\\\":1}\\n"
            + "</output>\\n</example>\\n\\nRespond with a single JSON object that conforms to this JSON Schema:\\n"
            + "```json\\n{\\\"type\\\":\\\"object\\\",\\\"required\\\":[\\\"team\\\"],\\\"properties\\\":{\\\"team\\\":"
            + "{\\\"enum\\\":[\\\"billing\\\",\\\"account\\\"]},"
            + "\\\"confidence\\\":{\\\"type\\\":\\\"number\\\"}}}\\n```";

    @Test
    void staticExamplesJoinTheCachedSystemBlockForEveryItem() {
        String params = Json.string(new PromptRenderer(JOB,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(item("{\"subject\":\"Hi\",\"body\":\"b\",\"hint\":\"other\"}")));
        assertThat(params).isEqualTo("{\"model\":\"claude-haiku-4-5-20251001\",\"max_tokens\":50,"
                + "\"system\":[{\"type\":\"text\",\"text\":\"" + SYSTEM + "\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi: b\"}]}");
    }

    @Test
    void aTrickyTypeGetsItsExamplesAsASecondCachedBlockIdenticalAcrossItsItems() {
        PromptRenderer renderer = new PromptRenderer(JOB, ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        ObjectNode a = renderer.params(item("{\"subject\":\"A\",\"body\":\"1\",\"hint\":\"login\"}"));
        ObjectNode b = renderer.params(item("{\"subject\":\"B\",\"body\":\"2\",\"hint\":\"login\"}"));
        assertThat(Json.string(a.get("system"))).isEqualTo("[{\"type\":\"text\",\"text\":\"" + SYSTEM
                + "\",\"cache_control\":{\"type\":\"ephemeral\"}},{\"type\":\"text\",\"text\":\"More examples for inputs"
                + " like this one (hint: login):\\n\\n<example>\\n<input>\\nLocked out\\n</input>\\n<output>\\n"
                + "{\\\"team\\\":\\\"account\\\",\\\"confidence\\\":0.9}\\n</output>\\n</example>\",\"cache_control\":{\"type\":\"ephemeral\"}}]");
        assertThat(Json.string(b.get("system"))).isEqualTo(Json.string(a.get("system"))); // the cache prefix holds
        assertThat(a.at("/messages/0/content").asText()).isEqualTo("A: 1");
    }
}
