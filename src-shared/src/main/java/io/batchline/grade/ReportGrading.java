package io.batchline.grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.report.ReportPages;
import io.batchline.report.RunReportPage;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;

/**
 * Adds the {@code grading} block to a finished run's report.json and renders report.html again. The report's
 * bytes are otherwise kept exactly as the finalizer wrote them: the block is spliced in as the last member (a
 * previous grading block, always the last member, is replaced), and the result is checked to parse to the
 * original report plus the block; only if that check fails is the report re-serialized from its tree.
 */
public final class ReportGrading {
    private static final String MEMBER = ",\"grading\":";

    private ReportGrading() {}

    /** Returns the report as written, with the block; {@code pages} renders report.html again. */
    public static JsonNode addTo(ObjectStore store, String runId, ObjectNode grading, ReportPages pages) {
        byte[] original = store.read(RunKeys.report(runId));
        byte[] updated = withGrading(original, grading);
        store.put(RunKeys.report(runId), updated, "application/json");
        JsonNode report = Json.tree(updated);
        RunReportPage.publish(store, runId, report, pages);
        return report;
    }

    static byte[] withGrading(byte[] reportBytes, ObjectNode grading) {
        JsonNode tree = Json.tree(reportBytes);
        if (!tree.isObject()) throw new IllegalStateException("report.json is not a JSON object");
        ObjectNode expected = ((ObjectNode) tree).deepCopy();
        expected.remove("grading");
        expected.set("grading", Json.tree(Json.bytes(grading))); // as it reads back, numbers and all
        String text = new String(reportBytes, StandardCharsets.UTF_8).stripTrailing();
        if (tree.has("grading")) {
            int at = text.lastIndexOf(MEMBER);
            text = at < 0 ? null : text.substring(0, at) + "}";
        }
        if (text != null && text.endsWith("}")) {
            String body = text.substring(0, text.length() - 1);
            String member = body.stripTrailing().endsWith("{") ? MEMBER.substring(1) : MEMBER; // an empty report
            String spliced = body + member + Json.string(grading) + "}";
            if (Json.tree(spliced.getBytes(StandardCharsets.UTF_8)).equals(expected)) {
                return spliced.getBytes(StandardCharsets.UTF_8);
            }
        }
        return Json.bytes(expected);
    }
}
