package io.batchline.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.input.InputItem;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PromptRendererTest {

    static JobSpec job(String template) {
        return JobSpecLoader.load(jobYaml(template), ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    static byte[] jobYaml(String template) {
        return (("""
                name: t
                model: claude-haiku-4-5-20251001
                system: "You sort tickets."
                user_template: %s
                max_tokens: 300
                temperature: 0.2
                structured_output: off
                output_schema:
                  type: object
                  required: [category, confidence]
                  properties:
                    category: {type: string, enum: [a, b]}
                    confidence: {type: number}
                """).formatted(Json.string(template)).getBytes(StandardCharsets.UTF_8));
    }

    /** Parsed by the real reader, so numbers keep the form they are written in. */
    static InputItem item(String json) {
        java.util.List<InputItem> items = new java.util.ArrayList<>();
        try {
            new io.batchline.input.InputReader("x.jsonl", "id", 1 << 20).read(
                    new java.io.ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), new io.batchline.input.InputVisitor() {
                        @Override
                        public void item(InputItem item) {
                            items.add(item);
                        }

                        @Override
                        public void error(io.batchline.input.InputError error) {
                            throw new AssertionError(error.reason());
                        }
                    });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return items.get(0);
    }

    @Test
    void cacheTtlOfTheJobGoesIntoTheSharedPrefixsCacheControl() {
        JobSpec oneHour = JobSpecLoader.load((new String(jobYaml("x {{subject}}"), StandardCharsets.UTF_8)
                + "cache_ttl: 1h\n").getBytes(StandardCharsets.UTF_8),
                        ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        ObjectNode params = new PromptRenderer(oneHour,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(item("{\"subject\":\"s\"}"));

        // the whole request, pinned: only the system block carries cache_control, with the TTL
        assertThat(Json.string(params.get("system"))).isEqualTo("[{\"type\":\"text\",\"text\":"
                + Json.string(PromptRenderer.systemText(oneHour, false)) + ",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}}]");
        assertThat(Json.string(params.get("messages"))).isEqualTo("[{\"role\":\"user\",\"content\":\"x s\"}]");
        // every request of the job carries the identical block (needed for cache hits)
        ObjectNode other = new PromptRenderer(oneHour,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(item("{\"subject\":\"t\"}"));
        assertThat(other.get("system")).isEqualTo(params.get("system"));
    }

    @Test
    void buildsMessageBatchParamsWithCachedSystemAndSchema() {
        JobSpec job = job("Subject: {{subject}}\n\n{{body}}");
        ObjectNode params = new PromptRenderer(job,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).params(item("{\"subject\":\"Refund\",\"body\":\"Charged twice\",\"label\":\"billing\"}"));

        assertThat(params.get("model").asText()).isEqualTo("claude-haiku-4-5-20251001");
        assertThat(params.get("max_tokens").asInt()).isEqualTo(300);
        assertThat(params.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(params.properties()).extracting(e -> e.getKey())
                .containsExactly("model", "max_tokens", "temperature", "system", "messages");
        JsonNode system = params.get("system");
        assertThat(system).hasSize(1);
        assertThat(system.get(0).get("type").asText()).isEqualTo("text");
        assertThat(system.get(0).get("cache_control")).isEqualTo(Json.tree("{\"type\":\"ephemeral\"}".getBytes()));
        String systemText = system.get(0).get("text").asText();
        assertThat(systemText).startsWith("You sort tickets.\n\nRespond with a single JSON object that conforms to this JSON Schema:\n```json\n");
        assertThat(params.get("messages")).hasSize(1);
        assertThat(params.get("messages").get(0).get("role").asText()).isEqualTo("user");
        assertThat(params.get("messages").get(0).get("content").asText()).isEqualTo("Subject: Refund\n\nCharged twice");
        // the ground-truth label is not in the template, so it is nowhere in the request
        assertThat(Json.string(params)).doesNotContain("billing");
    }

    @Test
    void theSchemaIsTheLastJsonFenceOfTheSystemText() {
        JobSpec job = job("{{x}}");
        String text = new PromptRenderer(job, ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).systemText();
        // how the local simulator finds it
        Matcher m = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(text);
        String last = null;
        while (m.find()) last = m.group(1);
        assertThat(Json.tree(last.getBytes(StandardCharsets.UTF_8))).isEqualTo(job.outputSchema());
        assertThat(last).doesNotContain("\n"); // compact
        assertThat(text).endsWith("```");
    }

    @Test
    void valuesAreInsertedVerbatimAndNeverExpanded() {
        JobSpec job = job("A={{a}} B={{b}} N={{n}} F={{f}} T={{t}} O={{o}} L={{l}} D={{c.d}} I={{l.1}}");
        String user = new PromptRenderer(job,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).userText(item("""
                {"a":"{{b}} and {{label}}","b":"x}}{{","n":1.50,"f":-3,"t":true,"o":{"k":[1,"v"]},"l":["p","q"],"c":{"d":"deep"},"label":"secret"}"""));
        assertThat(user).isEqualTo("A={{b}} and {{label}} B=x}}{{ N=1.50 F=-3 T=true O={\"k\":[1,\"v\"]} L=[\"p\",\"q\"] D=deep I=q");
    }

    @Test
    void missingAndNullFieldsFailTheItem() {
        PromptRenderer renderer = new PromptRenderer(job("{{subject}} / {{customer.name}}"),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        assertThatThrownBy(() -> renderer.params(item("{\"customer\":{\"name\":\"A\"}}")))
                .isInstanceOf(RenderException.class).hasMessage("template field 'subject' is missing");
        assertThatThrownBy(() -> renderer.params(item("{\"subject\":null,\"customer\":{\"name\":\"A\"}}")))
                .isInstanceOf(RenderException.class).hasMessage("template field 'subject' is null");
        assertThatThrownBy(() -> renderer.params(item("{\"subject\":\"s\",\"customer\":{}}")))
                .isInstanceOf(RenderException.class).hasMessage("template field 'customer.name' is missing");
        assertThatThrownBy(() -> renderer.params(item("{\"subject\":\"s\",\"customer\":\"Bob\"}")))
                .isInstanceOf(RenderException.class)
                .hasMessage("template field 'customer.name' is missing ('customer' is a string, not an object)");
    }

    @Test
    void aFlatKeyWithADotWins() {
        // CSV columns are flat: a column literally named "customer.name"
        PromptRenderer renderer = new PromptRenderer(job("{{customer.name}}"),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        assertThat(renderer.userText(item("{\"customer.name\":\"flat\"}"))).isEqualTo("flat");
    }

    @Test
    void rendersTheSameFromManyThreads() throws Exception {
        PromptRenderer renderer = new PromptRenderer(job("{{n}}"),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
        var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var futures = new java.util.ArrayList<java.util.concurrent.Future<Boolean>>();
            for (int i = 0; i < 2000; i++) {
                int n = i;
                futures.add(pool.submit(() -> renderer.params(item("{\"n\":" + n + "}"))
                        .get("messages").get(0).get("content").asText().equals(String.valueOf(n))));
            }
            for (var f : futures) assertThat(f.get()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}
