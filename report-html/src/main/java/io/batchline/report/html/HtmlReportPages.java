package io.batchline.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.report.ReportPages;

/** The domain's {@link ReportPages} as HTML: report.html is {@link RunReportHtml}'s page. */
public final class HtmlReportPages implements ReportPages {
    @Override
    public String runReport(JsonNode report) {
        return RunReportHtml.render(report);
    }
}
