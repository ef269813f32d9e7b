package io.batchline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import io.batchline.report.ReportPages;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ReportPages} without the HTML module: a minimal page holding the report as JSON, and a record of every
 * report rendered. Tests of the page itself belong to report-html.
 */
public final class RecordingReportPages implements ReportPages {
    private final List<JsonNode> rendered = new ArrayList<>();

    @Override
    public synchronized String runReport(JsonNode report) {
        rendered.add(report);
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Run report</title></head><body><pre>"
                + Json.string(report).replace("&", "&amp;").replace("<", "&lt;") + "</pre></body></html>";
    }

    public synchronized List<JsonNode> rendered() {
        return List.copyOf(rendered);
    }
}
