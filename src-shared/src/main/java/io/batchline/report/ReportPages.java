package io.batchline.report;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Renders the run's report page (report.html) from its report.json. The domain decides where the page lives
 * ({@link io.batchline.run.RunKeys#reportPage}) and when it is written ({@link RunReportPage}); the HTML is
 * rendered outside the domain, in the report-html module.
 */
public interface ReportPages {
    /** The whole page, a self-contained HTML document. */
    String runReport(JsonNode report);
}
