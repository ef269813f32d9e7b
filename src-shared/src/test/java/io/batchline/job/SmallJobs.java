package io.batchline.job;

import io.batchline.catalogue.ModelCatalogue;
import java.nio.charset.StandardCharsets;

/** The smallest valid job spec, with the keys a test is about added to it. */
final class SmallJobs {
    private SmallJobs() {}

    static final String BASE = """
            name: j
            model: claude-haiku-4-5-20251001
            user_template: "{{subject}}"
            max_tokens: 10
            output_schema: {type: object, properties: {confidence: {type: number}}}
            """;

    /** The small job with {@code extra} (YAML lines) added, loaded and checked like any job spec. */
    static JobSpec with(String extra) {
        return JobSpecLoader.load((BASE + extra).getBytes(StandardCharsets.UTF_8),
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
    }
}
