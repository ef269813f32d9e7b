package io.batchline.validate;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What {@link JsonExtractor} found in a model's answer: either the JSON object and where it sat,
 * or the reason there is none. Exactly one of {@code json} and {@code failure} is set.
 */
public record Extraction(ObjectNode json, Source source, String failure) {

    /** Where the object was found; kept so the report can show how often models wrap their JSON. */
    public enum Source {
        /** The whole answer (after trimming whitespace) is the object. */
        BARE,
        /** Inside a markdown code fence (```json or a bare ```). */
        FENCED,
        /** The first balanced object amid prose (text before and/or after it). */
        IN_PROSE
    }

    public Extraction {
        if ((json == null) == (failure == null)) {
            throw new IllegalArgumentException("an extraction has either a JSON object or a failure reason");
        }
        if (json != null) {
            Objects.requireNonNull(source, "source of a found object");
        }
    }

    public static Extraction found(ObjectNode json, Source source) {
        return new Extraction(json, source, null);
    }

    public static Extraction failed(String reason) {
        return new Extraction(null, null, reason);
    }

    public boolean ok() {
        return json != null;
    }
}
