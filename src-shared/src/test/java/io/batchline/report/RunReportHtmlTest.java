package io.batchline.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import io.batchline.metrics.RunMetricsTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RunReportHtmlTest {

    @Test
    void thePageIsSelfContainedEscapedAndDrawsTheRunsNumbers() {
        ObjectNode report = RunMetricsTest.report();
        report.put("job", "<script>alert(1)</script>");
        String html = RunReportHtml.render(report);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("default-src 'none'");
        assertThat(html).doesNotContain("<script").doesNotContain("http://").doesNotContain("https://")
                .doesNotContain("url(").contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(html).contains("id=\"chart-outcomes\"", "id=\"chart-confidence\"", "id=\"chart-cost\"",
                "id=\"chart-timeline\"");
        assertThat(html).contains("data-kind=\"accepted\" data-count=\"1\"", "data-kind=\"failed\" data-count=\"1\"");
        assertThat(html).contains("data-batch=\"msgbatch_1\"");
        assertThat(html).doesNotContain("id=\"quality\"");
    }

    @Test
    void groundTruthAddsAccuracyAndAConfusionMatrix() {
        ObjectNode report = RunMetricsTest.report();
        report.set("quality", Json.tree(("{\"accuracy\":0.75,\"labelled\":4,\"correct\":3,\"confusion_matrix\":"
                + "{\"billing\":{\"billing\":2,\"account\":1},\"account\":{\"account\":1}}}")
                .getBytes(StandardCharsets.UTF_8)));

        String html = RunReportHtml.render(report);

        assertThat(html).contains("id=\"quality\"", "75.0%", "id=\"chart-confusion\"");
        assertThat(html).contains("truth billing, predicted account: 1", "truth billing, predicted billing: 2",
                "truth account, predicted billing: 0");
    }
}
