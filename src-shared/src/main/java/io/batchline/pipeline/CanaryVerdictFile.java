package io.batchline.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.run.RunKeys;
import io.batchline.store.NoSuchObjectException;
import io.batchline.store.ObjectStore;
import java.util.List;
import java.util.Optional;

/**
 * The canary's verdict as stored with the run ({@code runs/<id>/canary.json}): written once by the canary check,
 * read again by a repeat of it and by the finalizer for the report.
 */
final class CanaryVerdictFile {
    /** The verdict's fields the report's {@code canary} block shows. */
    private static final List<String> REPORTED = List.of("items", "answered", "valid", "pass_rate", "min_pass_rate",
            "cost_usd", "cost_per_item_usd", "max_cost_per_item_usd", "passed", "cause", "escalating",
            "escalation_estimate_usd");

    private CanaryVerdictFile() {
    }

    /** The run's verdict, or empty before its canary was checked (or when it has none). */
    static Optional<JsonNode> read(ObjectStore store, String runId) {
        try {
            return Optional.of(Json.tree(store.read(RunKeys.canary(runId))));
        } catch (NoSuchObjectException absent) {
            return Optional.empty();
        }
    }

    static void write(ObjectStore store, String runId, JsonNode verdict) {
        store.put(RunKeys.canary(runId), Json.bytes(verdict), "application/json");
    }

    /** The verdict for the report's {@code canary} block, or null when the run had no canary check. */
    static ObjectNode reportBlock(ObjectStore store, String runId) {
        return read(store, runId).map(verdict -> {
            ObjectNode block = Json.MAPPER.createObjectNode();
            for (String field : REPORTED) {
                if (verdict.has(field)) block.set(field, verdict.get(field));
            }
            return block;
        }).orElse(null);
    }
}
