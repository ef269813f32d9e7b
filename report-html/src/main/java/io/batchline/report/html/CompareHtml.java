package io.batchline.report.html;

import static io.batchline.report.html.RunReportHtml.esc;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.compare.RunComparison;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** compare.html: compare.json as a page in report.html's style; every text from the runs is HTML-escaped. */
public final class CompareHtml {
    private final JsonNode c;
    private final StringBuilder h = new StringBuilder(16 * 1024);

    private CompareHtml(JsonNode compare) {
        this.c = compare;
    }

    public static String render(JsonNode compare) {
        return new CompareHtml(compare).page();
    }

    private String page() {
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Batchline compare ").append(esc(c.at("/a/run_id").asText())).append(" vs ")
                .append(esc(c.at("/b/run_id").asText())).append("</title><style>").append(RunReportHtml.css())
                .append("pre{white-space:pre-wrap;margin:0;font-size:12px;max-width:340px}</style></head><body>\n");
        header();
        kpis();
        promptChanges();
        accuracy();
        matrix("tiers", "Outcome moves", "A's outcome (rows) against B's (columns)", c.path("tiers"));
        matrix("confusion", "Answers", "A's answer in the compared field (rows) against B's (columns)",
                c.path("confusion"));
        changed();
        h.append("<footer>Generated from compare.json by Batchline.</footer>\n</body></html>\n");
        return h.toString();
    }

    private void header() {
        h.append("<header><h1>Run <code>").append(esc(c.at("/a/run_id").asText())).append("</code> against <code>")
                .append(esc(c.at("/b/run_id").asText())).append("</code></h1><p>");
        for (String s : new String[]{"a", "b"}) {
            JsonNode side = c.path(s);
            h.append(s.toUpperCase(Locale.ROOT)).append(": job <b>").append(esc(side.path("job").asText()))
                    .append("</b> &middot; model <code>").append(esc(side.path("model").asText()))
                    .append("</code> &middot; prompt version <code id=\"prompt-").append(s).append("\">")
                    .append(esc(side.at("/prompt_version/hash").asText())).append("</code>");
            if (side.at("/prompt_version/label").isTextual()) {
                h.append(" <b>").append(esc(side.at("/prompt_version/label").asText())).append("</b>");
            }
            h.append("<br>");
        }
        JsonNode items = c.path("items");
        h.append(String.format(Locale.ROOT, "%,d line(s) in both runs; %,d only in A, %,d only in B",
                items.path("common").asLong(), items.path("only_in_a").asLong(), items.path("only_in_b").asLong()));
        if (items.path("different_ids").asLong() > 0) {
            h.append(String.format(Locale.ROOT, "; %,d line(s) with different ids left out",
                    items.path("different_ids").asLong()));
        }
        h.append("</p></header>\n");
    }

    private void kpis() {
        h.append("<section class=\"kpis\">");
        kpi("changed answers", String.format(Locale.ROOT, "<span id=\"changed-count\">%,d</span> (%s)",
                c.at("/changed/count").asLong(), rate(c.at("/changed/rate"))));
        if (c.has("ground_truth")) {
            kpi("accuracy A (labels)", rate(c.at("/ground_truth/a/accuracy")));
            kpi("accuracy B (labels)", rate(c.at("/ground_truth/b/accuracy")));
        }
        if (c.has("graded")) {
            kpi("accuracy A (graded)", rate(c.at("/graded/a/accuracy")));
            kpi("accuracy B (graded)", rate(c.at("/graded/b/accuracy")));
        }
        kpi("cost per item A", "$" + RunReportHtml.money(c.at("/cost/a/per_item_usd").decimalValue()));
        kpi("cost per item B", "$" + RunReportHtml.money(c.at("/cost/b/per_item_usd").decimalValue()));
        h.append("</section>\n");
    }

    private void kpi(String label, String valueHtml) {
        h.append("<div class=\"kpi\"><div class=\"v\">").append(valueHtml).append("</div><div class=\"l\">")
                .append(esc(label)).append("</div></div>");
    }

    private void promptChanges() {
        h.append("<section id=\"prompt-changes\"><h2>What changed in the job</h2>");
        JsonNode changes = c.path("prompt_changes");
        if (changes.isEmpty()) {
            h.append("<p>Nothing: both runs used the same job spec.</p></section>\n");
            return;
        }
        h.append("<p class=\"note\">").append(c.path("same_prompt").asBoolean()
                ? "Same prompt version: no change reaches the requests."
                : "Different prompt versions: fields marked request are sent to the model.").append("</p>");
        h.append("<table><tr><th>field</th><th></th><th>A</th><th>B</th></tr>");
        for (JsonNode ch : changes) {
            h.append("<tr><td><code>").append(esc(ch.path("field").asText())).append("</code></td><td>")
                    .append(ch.path("request_shaping").asBoolean() ? "request" : "").append("</td><td>")
                    .append(value(ch.get("a"))).append("</td><td>").append(value(ch.get("b"))).append("</td></tr>");
        }
        h.append("</table></section>\n");
    }

    private static String value(JsonNode v) {
        if (v == null) return "<span class=\"note\">(not set)</span>";
        return "<pre>" + esc(v.isTextual() ? v.textValue() : v.toString()) + "</pre>";
    }

    private void accuracy() {
        if (!c.has("ground_truth") && !c.has("graded")) return;
        h.append("<section id=\"accuracy\"><h2>Accuracy</h2><table><tr><th></th><th>items</th><th>A</th><th>B</th>"
                + "</tr>");
        if (c.has("ground_truth")) {
            JsonNode g = c.get("ground_truth");
            h.append("<tr><td>against the input's labels</td><td>").append(g.path("labelled").asLong())
                    .append("</td><td id=\"accuracy-a\">").append(rate(g.at("/a/accuracy")))
                    .append("</td><td id=\"accuracy-b\">").append(rate(g.at("/b/accuracy"))).append("</td></tr>");
        }
        if (c.has("graded")) {
            JsonNode g = c.get("graded");
            h.append("<tr><td>against graded verdicts</td><td>").append(g.path("items").asLong()).append("</td><td>")
                    .append(rate(g.at("/a/accuracy"))).append("</td><td>").append(rate(g.at("/b/accuracy")))
                    .append("</td></tr>");
        }
        h.append("</table>");
        if (c.has("ground_truth")) {
            h.append(String.format(Locale.ROOT, "<p class=\"note\">Right only in A: %,d; right only in B: %,d.</p>",
                    c.at("/ground_truth/only_a_right").asLong(), c.at("/ground_truth/only_b_right").asLong()));
        }
        h.append("</section>\n");
    }

    private void matrix(String id, String title, String note, JsonNode rows) {
        TreeSet<String> columns = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = rows.fields(); it.hasNext(); ) {
            it.next().getValue().fieldNames().forEachRemaining(columns::add);
        }
        h.append("<section id=\"").append(id).append("\"><h2>").append(esc(title)).append("</h2><p class=\"note\">")
                .append(esc(note)).append("</p><table><tr><th>A \\ B</th>");
        for (String col : columns) h.append("<th>").append(esc(col)).append("</th>");
        h.append("</tr>");
        for (Iterator<Map.Entry<String, JsonNode>> it = rows.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> row = it.next();
            h.append("<tr><td>").append(esc(row.getKey())).append("</td>");
            for (String col : columns) {
                long n = row.getValue().path(col).asLong();
                h.append(row.getKey().equals(col) ? "<td><b>" : "<td>").append(n == 0 ? "" : String.format(Locale.ROOT,
                        "%,d", n)).append(row.getKey().equals(col) ? "</b></td>" : "</td>");
            }
            h.append("</tr>");
        }
        h.append("</table></section>\n");
    }

    private void changed() {
        JsonNode first = c.at("/changed/first");
        h.append("<section id=\"changed\"><h2>Changed answers</h2>");
        if (first.isEmpty()) {
            h.append("<p>No answer changed.</p></section>\n");
            return;
        }
        h.append(String.format(Locale.ROOT, "<p class=\"note\">The first %,d of %,d; every one is in %s.</p>",
                first.size(), c.at("/changed/count").asLong(), esc(c.at("/changed/file").asText())));
        h.append("<table><tr><th>line</th><th>id</th><th>A</th><th>B</th><th>label</th></tr>");
        for (JsonNode x : first) {
            h.append("<tr><td>").append(x.path("line").asLong()).append("</td><td>").append(esc(x.path("id").asText("")))
                    .append("</td><td>").append(esc(answer(x.get("a")))).append(" <span class=\"note\">")
                    .append(esc(x.path("a_outcome").asText())).append("</span></td><td>")
                    .append(esc(answer(x.get("b")))).append(" <span class=\"note\">")
                    .append(esc(x.path("b_outcome").asText())).append("</span></td><td>")
                    .append(esc(x.path("ground_truth").asText(x.path("graded_value").asText("")))).append("</td></tr>");
        }
        h.append("</table></section>\n");
    }

    private static String answer(JsonNode v) {
        return v == null || v.isNull() ? RunComparison.NO_ANSWER : v.asText();
    }

    private static String rate(JsonNode n) {
        return n == null || !n.isNumber() ? "&ndash;" : String.format(Locale.ROOT, "%.1f%%", n.asDouble() * 100);
    }
}
