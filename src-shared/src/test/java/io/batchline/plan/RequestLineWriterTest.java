package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.input.InputItem;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.render.PromptRenderer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fast request writer of plan's hot path must give byte for byte what the tree serialisation
 * ({@code Json.MAPPER.writeValue} of {@code {custom_id, params}}) gives: the shards are exactly what is sent.
 */
class RequestLineWriterTest {

    /** Every kind of character the escaping treats specially, in both the shared text and the item's fields. */
    static final List<String> TRICKY = List.of(
            "plain ascii",
            "quotes \" and backslash \\ and slash /",
            "newline\n tab\t return\r formfeed\f backspace\b",
            "control \u0000 \u0001 \u001f and DEL \u007f",
            "unicode é ü 渡辺 Ольга محمد and emoji 🙏🚀 (surrogate pairs)",
            "line separators \u2028 \u2029 and BOM \ufeff",
            "{{subject}} stays literal",
            "");

    static ObjectNode request(String customId, ObjectNode params) {
        ObjectNode request = Json.MAPPER.createObjectNode();
        request.put("custom_id", customId);
        request.set("params", params);
        return request;
    }

    static String written(RequestLineWriter writer, String customId, ObjectNode params) throws Exception {
        return writer.write(customId, params).toString(StandardCharsets.UTF_8);
    }

    @Test
    void rendered_requests_are_byte_identical_to_the_tree_serialisation_on_tricky_inputs() throws Exception {
        JobSpec base = PlannerTest.sampleJob();
        for (String system : TRICKY) {
            ObjectNode spec = Json.MAPPER.valueToTree(base);
            spec.put("system", "Triage this. " + system);
            JobSpec job = Json.convert(spec, JobSpec.class);
            PromptRenderer renderer = new PromptRenderer(job,
                    ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
            RequestLineWriter writer = new RequestLineWriter(renderer.systemText());
            long line = 0;
            for (String subject : TRICKY) {
                for (String body : TRICKY) {
                    ObjectNode fields = Json.MAPPER.createObjectNode();
                    fields.put("subject", subject);
                    fields.put("body", body);
                    fields.put("n", new BigDecimal("1.50"));
                    ObjectNode params = renderer.params(new InputItem(++line, "id-" + line, fields, 10));
                    String customId = Planner.customId(1, line);

                    String expected = Json.string(request(customId, params));
                    // the same writer again and again: nothing of one line may leak into the next
                    assertThat(written(writer, customId, params)).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void params_from_elsewhere_with_every_json_type_are_written_as_jackson_writes_them() throws Exception {
        String shared = "shared " + TRICKY.get(4);
        RequestLineWriter writer = new RequestLineWriter(shared);
        ObjectNode params = Json.MAPPER.createObjectNode();
        params.put("model", "m");
        params.put("max_tokens", 300);
        params.put("temperature", 0.0);
        params.put("price", new BigDecimal("0.00000005"));
        params.put("flag", true);
        params.putNull("nothing");
        params.putArray("empty");
        params.putObject("none");
        params.putArray("system").addObject().put("text", shared).putObject("cache_control").put("type", "ephemeral");
        // an equal text that is not the shared instance (a retry line read back) takes Jackson's own path
        params.putArray("messages").addObject().put("content", new String(shared.toCharArray()));
        params.putArray("nested").addArray().add(1).add("x").addNull();

        assertThat(written(writer, "a2-l7", params)).isEqualTo(Json.string(request("a2-l7", params)));
        assertThat(written(new RequestLineWriter(null), "a2-l7", params))
                .isEqualTo(Json.string(request("a2-l7", params)));
    }

    @Test
    void its_own_escaping_is_used_and_matches_jackson_on_lone_surrogates_and_texts_longer_than_its_buffers()
            throws Exception {
        // GIVEN the writer for the shared mapper: it escapes text values itself (plan's hot path)
        RequestLineWriter writer = new RequestLineWriter(null);
        assertThat(writer.usesOwnEscaping()).isTrue();
        String longText = String.join(" ", TRICKY).repeat(300); // > 4 KB scratch and > Jackson's contiguous limit
        for (String text : List.of("lone \ud800 high, lone \udc00 low, reversed \ude4f\ud83d", longText, longText + "\ud83d")) {
            ObjectNode params = Json.MAPPER.createObjectNode();
            params.putArray("messages").addObject().put("role", "user").put("content", text);
            // WHEN / THEN the line is the tree serialisation's, byte for byte
            assertThat(written(writer, "a1-l1", params)).isEqualTo(Json.string(request("a1-l1", params)));
        }
    }
}
