package io.batchline.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.run.RunKeys;
import io.batchline.store.ObjectStore;
import java.nio.charset.StandardCharsets;

/** Writes report.html next to report.json, rendered by the {@link ReportPages} the process was wired with. */
public final class RunReportPage {
    public static final String CONTENT_TYPE = "text/html; charset=utf-8";

    private RunReportPage() {}

    public static void publish(ObjectStore store, String runId, JsonNode report, ReportPages pages) {
        store.put(RunKeys.reportPage(runId), pages.runReport(report).getBytes(StandardCharsets.UTF_8), CONTENT_TYPE);
    }
}
