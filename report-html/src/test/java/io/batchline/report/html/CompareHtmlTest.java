package io.batchline.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.compare.RunComparison;
import io.batchline.outcome.OutcomeKind;
import io.batchline.run.RunKeys;
import io.batchline.store.FileObjectStore;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** compare.html, from the compare.json of two small runs whose second one changed the system prompt. */
class CompareHtmlTest {
    static final String JOB = """
            name: triage
            model: claude-haiku-4-5-20251001
            user_template: "Subject: {{subject}}"
            max_tokens: 100
            %s
            output_schema:
              type: object
              properties:
                primary_category: {type: string, enum: [billing, technical, account]}
                confidence: {type: number}
            """;
    @TempDir Path tmp;

    private static void run(ObjectStore store, String id, String jobExtra, String... answers) {
        store.put(RunKeys.jobSnapshot(id), JOB.formatted(jobExtra).getBytes(StandardCharsets.UTF_8), "application/yaml");
        store.put(RunKeys.report(id), ("{\"run_id\":\"" + id + "\",\"status\":\"succeeded\",\"cost_usd\":1.5}")
                .getBytes(StandardCharsets.UTF_8), "application/json");
        StringBuilder accepted = new StringBuilder();
        for (int i = 0; i < answers.length; i++) {
            accepted.append(String.format("{\"id\":\"T-%d\",\"line\":%d,\"outcome\":\"accepted\",\"output\":"
                    + "{\"primary_category\":\"%s\",\"confidence\":0.95},\"cost_usd\":0.001}%n", i + 1, i + 1, answers[i]));
        }
        store.put(RunKeys.outcome(id, OutcomeKind.ACCEPTED), accepted.toString().getBytes(StandardCharsets.UTF_8),
                "application/x-ndjson");
    }

    @Test
    void thePageNamesBothVersionsAndEscapesWhatItShows() {
        ObjectStore store = new FileObjectStore(tmp.resolve("bucket"));
        run(store, "run-a", "version: v1", "billing", "billing", "technical");
        run(store, "run-b", "version: v2\nsystem: \"<script>alert(1)</script> Be careful.\"", "billing", "account",
                "account");
        JsonNode c = RunComparison.compare(store, "run-a", "run-b", tmp.resolve("spill"), null,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).json();
        long changed = c.at("/changed/count").asLong();

        String html = CompareHtml.render(c);

        assertThat(changed).isEqualTo(2);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("default-src 'none'");
        assertThat(html).contains("id=\"changed-count\">" + changed + "<").contains("v2")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; Be careful.").doesNotContain("<script");
    }
}
