package io.batchline.rerun;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;

/**
 * A rerun's link to the run it reprocesses: report.json {@code rerun_of} and {@code runs/<id>/rerun-of.json}.
 *
 * @param runId    the earlier run
 * @param only     the tiers selected, as {@code --only} writes them
 * @param selected how many items were selected
 */
public record RerunLink(@JsonProperty("run_id") String runId, @JsonProperty("only") String only,
                        @JsonProperty("selected") long selected) {

    /** Registration: freezes the link `rerun` recorded for this input key with the run, once. */
    public static void freeze(ObjectStore store, String inputKey, String runId) {
        String request = RunKeys.rerunRequest(inputKey);
        String frozen = RunKeys.rerunOf(runId);
        if (store.exists(request) && !store.exists(frozen)) store.put(frozen, store.read(request), "application/json");
    }

    /** Finalize: adds {@code rerun_of} to the report of a run that has a link. */
    public static void addTo(ObjectStore store, String runId, ObjectNode report) {
        String frozen = RunKeys.rerunOf(runId);
        if (store.exists(frozen)) report.set("rerun_of", Json.tree(store.read(frozen)));
    }
}
