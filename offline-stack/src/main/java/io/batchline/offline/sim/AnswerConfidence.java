package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How confident the simulated model answers, per model family, from the data file
 * {@code io/batchline/offline/sim/answer-confidence.json} (a simulator assumption, dated, not a provider figure):
 * the share of answers whose {@code confidence} lands in the accept range [0.90, 0.99] ({@code confident}) and in
 * [0.70, 0.89] ({@code unsure}); the rest land in [0.40, 0.69]. A model id matches the first family its id
 * contains; an unknown one gets {@code default}.
 */
final class AnswerConfidence {
    static final String RESOURCE = "io/batchline/offline/sim/answer-confidence.json";

    /** @param confident share drawn in the accept range; @param unsure share drawn in the review range */
    record Shares(double confident, double unsure) {
        static final Shares DEFAULT = new Shares(0.75, 0.17);
    }

    private final Shares fallback;
    private final Map<String, Shares> byFamily = new LinkedHashMap<>();

    private AnswerConfidence(JsonNode doc) {
        this.fallback = shares(doc.path("default"), Shares.DEFAULT);
        doc.path("by_family").fields().forEachRemaining(e -> byFamily.put(e.getKey(), shares(e.getValue(), fallback)));
    }

    static AnswerConfidence bundled() {
        try (InputStream in = AnswerConfidence.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing classpath resource " + RESOURCE);
            return new AnswerConfidence(Json.MAPPER.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    Shares of(String model) {
        String id = model == null ? "" : model.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, Shares> e : byFamily.entrySet()) {
            if (id.contains(e.getKey())) return e.getValue();
        }
        return fallback;
    }

    private static Shares shares(JsonNode n, Shares otherwise) {
        if (!n.path("confident").isNumber() || !n.path("unsure").isNumber()) return otherwise;
        double confident = n.get("confident").doubleValue(), unsure = n.get("unsure").doubleValue();
        if (confident < 0 || unsure < 0 || confident + unsure > 1) {
            throw new IllegalStateException(RESOURCE + ": confident + unsure must be shares summing to at most 1");
        }
        return new Shares(confident, unsure);
    }
}
