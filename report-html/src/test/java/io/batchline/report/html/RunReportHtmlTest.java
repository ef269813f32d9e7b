package io.batchline.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RunReportHtmlTest {

    @Test
    void thePageIsSelfContainedEscapedAndDrawsTheRunsNumbers() {
        ObjectNode report = ReportFixture.report();
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
        ObjectNode report = ReportFixture.report();
        report.set("quality", Json.tree(("{\"accuracy\":0.75,\"labelled\":4,\"correct\":3,\"confusion_matrix\":"
                + "{\"billing\":{\"billing\":2,\"account\":1},\"account\":{\"account\":1}}}")
                .getBytes(StandardCharsets.UTF_8)));

        String html = RunReportHtml.render(report);

        assertThat(html).contains("id=\"quality\"", "75.0%", "id=\"chart-confusion\"");
        assertThat(html).contains("truth billing, predicted account: 1", "truth billing, predicted billing: 2",
                "truth account, predicted billing: 0");
    }

    @Test
    void theBlocksReportJsonGainedShowUpEscapedAndOnlyWhenPresent() {
        // GIVEN a report without the blocks: none of their sections is drawn
        String plain = RunReportHtml.render(ReportFixture.report());
        assertThat(plain).doesNotContain("id=\"status-canceled\"", "id=\"canary\"", "id=\"golden-quality\"",
                "id=\"strata\"", "id=\"calibration\"", "id=\"aws-cost\"");

        // AND the same report with every block, as FinalizeStage and StageMeter add them
        ObjectNode report = ReportFixture.report();
        report.put("status", "canceled").put("canceled_at", "2026-11-03T10:20:00Z");
        report.put("truncated", 2).put("chunked", 3).put("cached", 4).put("escalated_items", 5);
        report.set("canary", json("{\"items\":20,\"answered\":20,\"valid\":15,\"pass_rate\":0.75,"
                + "\"min_pass_rate\":0.9,\"cost_usd\":0.01,\"cost_per_item_usd\":0.0005,\"passed\":false,"
                + "\"cause\":\"canary of 20 items: <script>x</script> & more\"}"));
        report.set("golden_quality", json("{\"accuracy\":0.875,\"count\":8,\"cost_usd\":0.0042}"));
        report.set("strata", json("{\"<b>enterprise</b>\":{\"items\":7,\"accepted\":5,\"review\":1,\"rejected\":0,"
                + "\"failed\":1,\"cost_usd\":0.0123}}"));
        report.set("calibration", json("{\"measured\":true,\"sample_size\":50,\"mean_relative_error\":0.031,"
                + "\"max_relative_error\":0.12}"));
        report.set("aws_cost", json("{\"usd\":0.000321,\"share_of_token_cost\":0.0025,\"per_million_items_usd\":"
                + "80.25,\"usd_by_service\":{\"lambda\":0.0002,\"s3\":0.000121},\"prices_as_of\":\"2026-10-01\"}"));

        // WHEN it is rendered
        String html = RunReportHtml.render(report);

        // THEN each block's values are on the page, and text from the report is escaped
        assertThat(html).doesNotContain("<script").doesNotContain("<b>enterprise");
        assertThat(html).contains("id=\"status-canceled\"", "canceled</b> at 2026-11-03T10:20:00Z");
        assertThat(html).contains("id=\"canary\"", "failed</b> &middot; 20 items &middot; pass rate 75.0%",
                "$0.0005 per item", "canary of 20 items: &lt;script&gt;x&lt;/script&gt; &amp; more");
        assertThat(html).contains("id=\"golden-quality\"", "accuracy <b>87.5%</b> on 8 golden items",
                "cost $0.0042");
        assertThat(html).contains("id=\"strata\"", "truncated 2 \u00b7 chunked 3 \u00b7 cached 4 \u00b7 escalated items 5",
                "<td>&lt;b&gt;enterprise&lt;/b&gt;</td><td>7</td><td>5</td><td>1</td><td>0</td><td>1</td><td>$0.0123</td>");
        assertThat(html).contains("id=\"calibration\"", "mean relative error 3.1%", "max 12.0%", "sample of 50 requests");
        assertThat(html).contains("id=\"aws-cost\"", "$0.000321", "0.25% of the token cost",
                "$80.25 per million items", "<td>lambda</td><td>$0.0002</td>", "<td>s3</td><td>$0.000121</td>");

        // AND a skipped calibration says why
        report.set("calibration", json("{\"measured\":false,\"skipped\":\"count_tokens failed: <503>\"}"));
        assertThat(RunReportHtml.render(report)).contains("skipped: count_tokens failed: &lt;503&gt;");
    }

    @Test
    void aGradedReportShowsTheQualityGatesVerdict() {
        ObjectNode report = ReportFixture.report();
        report.set("grading", json("{\"verdict\":\"needs_reprocess\",\"max_error_rate\":0.02,\"field\":"
                + "\"primary_category\",\"sample\":{\"items\":10,\"graded\":10,\"wrong\":5,\"error_rate\":0.5,"
                + "\"interval\":{\"low\":0.2366,\"high\":0.7634}},\"review\":{\"graded\":5,\"wrong\":2},"
                + "\"graders\":[\"ana\"]}"));

        String html = RunReportHtml.render(report);

        assertThat(html).contains("id=\"grading-verdict\"").contains("needs reprocess");
        assertThat(html).contains("error rate 50.0%", "5 wrong of 10 graded (sample of 10)");
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        return Json.tree(text.getBytes(StandardCharsets.UTF_8));
    }
}
