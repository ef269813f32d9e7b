package io.batchline.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.job.JobSpec;
import io.batchline.job.JobSpecException;
import io.batchline.job.JobSpecLoader;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The job spec's result_cache and the cache key. */
class ResultCacheSpecTest {
    private static final String JOB = """
            name: t
            model: claude-haiku-4-5-20251001
            max_tokens: 100
            user_template: "{{text}}"
            output_schema: {type: object, properties: {confidence: {type: number}}}
            """;

    private static JobSpec load(String yaml) {
        return JobSpecLoader.load(yaml.getBytes(StandardCharsets.UTF_8),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }

    @Test
    void theCacheIsOffUnlessTheJobAsksAndTheWindowReadsAsADuration() {
        assertThat(load(JOB).resultCache()).isNull();
        assertThat(load(JOB + "result_cache: {window: 7d}\n").resultCache().windowDuration()).isEqualTo(Duration.ofDays(7));
        assertThat(load(JOB + "result_cache: {window: 12h}\n").resultCache().windowDuration()).isEqualTo(Duration.ofHours(12));
        assertThat(load(JOB + "result_cache: {window: 30m}\n").resultCache().windowDuration())
                .isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aWindowThatIsNotADurationIsRefusedByItsPath() {
        for (String bad : new String[] {"result_cache: {window: 7}\n", "result_cache: {window: 0d}\n",
                "result_cache: {window: 1w}\n", "result_cache: {}\n", "result_cache: {window: 7d, size: 3}\n"}) {
            try {
                load(JOB + bad);
                throw new AssertionError("accepted " + bad);
            } catch (JobSpecException e) {
                assertThat(e.getMessage()).as(bad).contains("$.result_cache");
            }
        }
    }

    @Test
    void theKeyIsTheRequestItselfWhateverTheOrderOfItsFields() {
        ObjectNode a = (ObjectNode) Json.tree("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        ObjectNode reordered = (ObjectNode) Json.tree("{\"messages\":[{\"content\":\"hi\",\"role\":\"user\"}],\"max_tokens\":10,\"model\":\"m\"}"
                .getBytes(StandardCharsets.UTF_8));
        ObjectNode otherPrompt = (ObjectNode) Json.tree("{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi!\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        ObjectNode otherMaxTokens = a.deepCopy().put("max_tokens", 11);

        assertThat(ResultCache.requestHash(a)).hasSize(64).isEqualTo(ResultCache.requestHash(reordered));
        assertThat(ResultCache.requestHash(a)).isNotEqualTo(ResultCache.requestHash(otherPrompt))
                .isNotEqualTo(ResultCache.requestHash(otherMaxTokens));
    }
}
