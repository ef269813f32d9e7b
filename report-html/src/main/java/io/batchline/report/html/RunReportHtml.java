package io.batchline.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * report.html: one self-contained page rendered from report.json, with inline CSS and inline SVG charts
 * and nothing else: no script, no font, no external URL. A Content-Security-Policy of {@code default-src 'none'}
 * makes a browser refuse anything external, so a stray reference shows up as an error, never as a leak.
 * Every text from the report is HTML-escaped.
 */
public final class RunReportHtml {
    private static final String[] KIND = {"accepted", "review", "rejected", "failed"};
    private static final String[] KIND_COLOR = {"#2e7d32", "#f9a825", "#ef6c00", "#c62828"};

    private final JsonNode r;
    private final StringBuilder h = new StringBuilder(32 * 1024);

    private RunReportHtml(JsonNode report) {
        this.r = report;
    }

    public static String render(JsonNode report) {
        return new RunReportHtml(report).page();
    }

    private String page() {
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>Batchline run ").append(esc(text("run_id"))).append("</title><style>").append(CSS)
                .append("</style></head><body>\n");
        header();
        kpis();
        canary();
        outcomes();
        strata();
        escalation();
        confidence();
        costAndTokens();
        awsCost();
        calibration();
        timeline();
        quality();
        grading();
        goldenQuality();
        errors();
        h.append("<footer>Generated from report.json by Batchline. Prices: ").append(esc(r.at("/price/model").asText("?")))
                .append(" batch prices as of ").append(esc(r.at("/price/as_of").asText("?"))).append(".</footer>\n");
        h.append("</body></html>\n");
        return h.toString();
    }

    private void header() {
        h.append("<header><h1>Run <code>").append(esc(text("run_id"))).append("</code></h1><p>job <b>")
                .append(esc(text("job"))).append("</b> &middot; input <code>").append(esc(text("input")))
                .append("</code><br>started ").append(esc(text("started_at"))).append(" &middot; finished ")
                .append(esc(text("finished_at")));
        Duration took = between(text("started_at"), text("finished_at"));
        if (took != null) h.append(" &middot; took ").append(human(took));
        if ("canceled".equals(text("status"))) { // canceled: the outcomes are complete, but not every item was answered
            h.append("<br><b id=\"status-canceled\" class=\"canceled\">canceled</b>");
            if (!text("canceled_at").isEmpty()) h.append(" at ").append(esc(text("canceled_at")));
        }
        if (r.at("/prompt_version/hash").isTextual()) { // which prompt the run sent (`compare` sets two side by side)
            h.append("<br>prompt version <code id=\"prompt-version\">").append(esc(r.at("/prompt_version/hash").asText()))
                    .append("</code>");
            if (r.at("/prompt_version/label").isTextual()) {
                h.append(" <b>").append(esc(r.at("/prompt_version/label").asText())).append("</b>");
            }
        }
        h.append("</p></header>\n");
    }

    private void kpis() {
        long items = r.path("items").asLong();
        h.append("<section class=\"kpis\">");
        kpi("items", String.format(Locale.ROOT, "%,d", items));
        kpi("accepted", percent(r.path("accepted").asLong(), items));
        kpi("cost", "$" + money(r.get("cost_usd")));
        kpi("cost per item", "$" + money(r.get("cost_per_item_usd")));
        kpi("items per hour", r.path("items_per_hour").isNumber()
                ? String.format(Locale.ROOT, "%,.0f", r.get("items_per_hour").asDouble()) : "&ndash;");
        kpi("projected monthly cost", r.path("projected_monthly_cost_usd").isNumber()
                ? "$" + money(r.get("projected_monthly_cost_usd")) : "&ndash;");
        kpi("validation pass rate", r.path("validation_pass_rate").isNumber()
                ? String.format(Locale.ROOT, "%.1f%%", r.get("validation_pass_rate").asDouble() * 100) : "&ndash;");
        h.append("</section>\n");
    }

    private void kpi(String label, String valueHtml) {
        h.append("<div class=\"kpi\"><div class=\"v\">").append(valueHtml).append("</div><div class=\"l\">")
                .append(esc(label)).append("</div></div>");
    }

    private void outcomes() {
        long items = Math.max(1, r.path("items").asLong());
        h.append("<section><h2>Outcomes</h2>");
        int w = 760;
        h.append("<svg id=\"chart-outcomes\" class=\"chart\" role=\"img\" aria-label=\"outcome breakdown\" width=\"")
                .append(w).append("\" height=\"44\" viewBox=\"0 0 ").append(w).append(" 44\">");
        double x = 0;
        for (int i = 0; i < KIND.length; i++) {
            long n = r.path(KIND[i]).asLong();
            double bw = w * (double) n / items;
            if (n > 0) {
                h.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-kind=\"%s\" data-count=\"%d\" x=\"%.2f\" "
                        + "y=\"4\" width=\"%.2f\" height=\"36\" fill=\"%s\"><title>%s: %d</title></rect>",
                        KIND[i], n, x, bw, KIND_COLOR[i], KIND[i], n));
            }
            x += bw;
        }
        h.append("</svg><table><tr><th>outcome</th><th>items</th><th>share</th></tr>");
        for (int i = 0; i < KIND.length; i++) {
            long n = r.path(KIND[i]).asLong();
            h.append("<tr><td><span class=\"sw\" style=\"background:").append(KIND_COLOR[i]).append("\"></span>")
                    .append(KIND[i]).append("</td><td>").append(String.format(Locale.ROOT, "%,d", n))
                    .append("</td><td>").append(percent(n, r.path("items").asLong())).append("</td></tr>");
        }
        h.append("</table></section>\n");
    }

    private void confidence() {
        JsonNode hist = r.path("confidence_histogram");
        h.append("<section><h2>Confidence</h2>");
        long max = 1;
        for (JsonNode b : hist) max = Math.max(max, b.path("count").asLong());
        int w = 760, ch = 200, left = 40, bottom = 24, n = Math.max(1, hist.size());
        double bw = (w - left) / (double) n;
        h.append("<svg id=\"chart-confidence\" class=\"chart\" role=\"img\" aria-label=\"confidence histogram\" width=\"")
                .append(w).append("\" height=\"").append(ch + bottom).append("\" viewBox=\"0 0 ").append(w).append(' ')
                .append(ch + bottom).append("\">");
        h.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", left, ch,
                w, ch));
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"12\" class=\"tick\">%d</text>", 2, max));
        int i = 0;
        for (JsonNode b : hist) {
            long count = b.path("count").asLong();
            double bh = (ch - 16) * (double) count / max;
            double x = left + i * bw;
            h.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-count=\"%d\" x=\"%.2f\" y=\"%.2f\" "
                    + "width=\"%.2f\" height=\"%.2f\" fill=\"#1565c0\"><title>%s-%s: %d</title></rect>", count, x + 2,
                    ch - bh, bw - 4, bh, b.path("from").asText(), b.path("to").asText(), count));
            h.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" class=\"tick\">%s</text>", x + 2, ch + 16,
                    esc(b.path("from").asText())));
            i++;
        }
        for (String t : new String[] {"review_at", "accept_at"}) {
            JsonNode v = r.path("thresholds").path(t);
            if (!v.isNumber()) continue;
            double x = left + v.asDouble() * (w - left);
            h.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"0\" x2=\"%.2f\" y2=\"%d\" class=\"threshold\"/>"
                    + "<text x=\"%.2f\" y=\"10\" class=\"tick\" text-anchor=\"end\">%s %s</text>", x, x, ch, x - 3, t,
                    v.asText()));
        }
        h.append("</svg><p class=\"note\">Items with a valid answer, by the confidence they reported; dashed lines"
                + " are the review and accept thresholds.</p></section>\n");
    }

    private void costAndTokens() {
        JsonNode u = r.path("usage");
        JsonNode p = r.path("price");
        String[][] kinds = {
            {"input", "input_tokens", "input_per_mtok"},
            {"output", "output_tokens", "output_per_mtok"},
            {"cache write", "cache_creation_input_tokens", "cache_write_per_mtok"},
            {"cache read", "cache_read_input_tokens", "cache_read_per_mtok"}};
        h.append("<section><h2>Cost and tokens</h2>");
        BigDecimal[] cost = new BigDecimal[kinds.length];
        BigDecimal maxCost = BigDecimal.ZERO;
        for (int i = 0; i < kinds.length; i++) {
            BigDecimal rate = p.path(kinds[i][2]).isNumber() ? p.get(kinds[i][2]).decimalValue() : BigDecimal.ZERO;
            cost[i] = BigDecimal.valueOf(u.path(kinds[i][1]).asLong()).multiply(rate).movePointLeft(6);
            maxCost = maxCost.max(cost[i]);
        }
        int w = 760, rowH = 30, left = 110;
        h.append("<svg id=\"chart-cost\" class=\"chart\" role=\"img\" aria-label=\"cost by token kind\" width=\"")
                .append(w).append("\" height=\"").append(kinds.length * rowH + 6).append("\" viewBox=\"0 0 ")
                .append(w).append(' ').append(kinds.length * rowH + 6).append("\">");
        for (int i = 0; i < kinds.length; i++) {
            double share = maxCost.signum() == 0 ? 0 : cost[i].doubleValue() / maxCost.doubleValue();
            double bw = (w - left - 120) * share;
            int y = i * rowH + 4;
            h.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" class=\"lbl\">%s</text>", y + 17, kinds[i][0]));
            h.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-usd=\"%s\" x=\"%d\" y=\"%d\" width=\"%.2f\" "
                    + "height=\"22\" fill=\"#6a1b9a\"><title>%s</title></rect>", cost[i].toPlainString(), left, y, bw,
                    kinds[i][0]));
            h.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" class=\"lbl\">$%s</text>", left + bw + 6,
                    y + 17, money(cost[i])));
        }
        h.append("</svg><table><tr><th>tokens</th><th>count</th><th>batch price / MTok</th><th>cost</th></tr>");
        for (int i = 0; i < kinds.length; i++) {
            h.append("<tr><td>").append(kinds[i][0]).append("</td><td>")
                    .append(String.format(Locale.ROOT, "%,d", u.path(kinds[i][1]).asLong())).append("</td><td>$")
                    .append(esc(p.path(kinds[i][2]).asText("?"))).append("</td><td>$").append(money(cost[i]))
                    .append("</td></tr>");
        }
        h.append("<tr class=\"total\"><td>total</td><td></td><td></td><td>$").append(money(r.get("cost_usd")))
                .append("</td></tr></table>");
        JsonNode b = r.path("budget");
        if (b.isObject()) {
            h.append("<p class=\"note\">Budget: job max ").append(b.path("max_usd").isNumber()
                    ? "$" + money(b.get("max_usd")) : "none").append(", reserved (worst case with retry reserve) ")
                    .append(b.path("reserved_usd").isNumber() ? "$" + money(b.get("reserved_usd")) : "&ndash;")
                    .append("; month ").append(esc(b.path("month").asText("&ndash;"))).append(" spent ")
                    .append(b.path("month_spent_usd").isNumber() ? "$" + money(b.get("month_spent_usd")) : "&ndash;")
                    .append(b.path("monthly_limit_usd").isNumber() ? " of $" + money(b.get("monthly_limit_usd")) : "")
                    .append(".</p>");
        }
        h.append("</section>\n");
    }

    private void timeline() {
        JsonNode batches = r.path("batches");
        Instant start = instant(text("started_at"));
        Instant end = instant(text("finished_at"));
        h.append("<section><h2>Batches</h2>");
        if (start == null || end == null || !end.isAfter(start) || batches.isEmpty()) {
            h.append("<p class=\"note\">No batch was submitted.</p></section>\n");
            return;
        }
        double span = Duration.between(start, end).toMillis();
        int w = 760, left = 150, rowH = 18, rows = batches.size();
        int height = rows * rowH + 24;
        h.append("<svg id=\"chart-timeline\" class=\"chart\" role=\"img\" aria-label=\"batch timeline\" width=\"")
                .append(w).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(w).append(' ')
                .append(height).append("\">");
        int row = 0;
        for (JsonNode b : batches) {
            Instant s = instant(b.path("submitted_at").asText(null));
            Instant e = instant(b.path("ended_at").asText(null));
            int y = row * rowH + 2;
            h.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" class=\"tick\">a%d shard %d (%d)</text>",
                    y + 12, b.path("attempt").asInt(), b.path("shard").asInt(), b.path("requests").asLong()));
            if (s != null) {
                Instant to = e != null ? e : end;
                double x0 = left + (w - left) * Duration.between(start, s).toMillis() / span;
                double x1 = left + (w - left) * Duration.between(start, to).toMillis() / span;
                h.append(String.format(Locale.ROOT, "<rect class=\"bar\" data-batch=\"%s\" x=\"%.2f\" y=\"%d\" "
                        + "width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s: %s</title></rect>",
                        esc(b.path("id").asText("")), x0, y, Math.max(2, x1 - x0), rowH - 4,
                        e != null ? "#00838f" : "#9e9e9e", esc(b.path("id").asText("")),
                        e != null ? human(Duration.between(s, e)) : "did not end"));
            }
            row++;
        }
        h.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"tick\">0</text><text x=\"%d\" y=\"%d\" "
                + "class=\"tick\" text-anchor=\"end\">%s</text>", left, height - 4, w, height - 4,
                human(Duration.between(start, end))));
        h.append("</svg><p class=\"note\">Each bar runs from the batch's submission to its end, from the run's start.</p>")
                .append("</section>\n");
    }

    /** Ground truth: accuracy and a confusion matrix, when report.json has a {@code quality} section. */
    private void quality() {
        JsonNode q = r.path("quality");
        if (!q.isObject()) return;
        h.append("<section id=\"quality\"><h2>Accuracy</h2>");
        if (q.path("accuracy").isNumber()) {
            h.append("<p class=\"big\">").append(rate(q.get("accuracy"))).append("</p>");
        }
        for (String field : List.of("labelled", "correct")) {
            if (q.has(field)) h.append("<p class=\"note\">").append(field).append(": ").append(esc(q.get(field).asText()))
                    .append("</p>");
        }
        Confusion c = Confusion.of(q.has("confusion_matrix") ? q.get("confusion_matrix") : q.path("confusion"));
        if (c != null && !c.labels.isEmpty()) {
            long max = 1;
            for (long[] rowCounts : c.counts) for (long v : rowCounts) max = Math.max(max, v);
            int cell = 44, left = 130, top = 100, n = c.labels.size();
            int w = left + n * cell + 90, height = top + n * cell + 4; // room for the last slanted label
            h.append("<svg id=\"chart-confusion\" class=\"chart\" role=\"img\" aria-label=\"confusion matrix\" width=\"")
                    .append(w).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(w).append(' ')
                    .append(height).append("\">");
            for (int i = 0; i < n; i++) {
                h.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" class=\"tick\">%s</text>",
                        top + i * cell + cell / 2 + 4, esc(clip(c.labels.get(i)))));
                h.append(String.format(Locale.ROOT, "<text transform=\"translate(%d,%d) rotate(-45)\" class=\"tick\">%s</text>",
                        left + i * cell + cell / 2, top - 6, esc(clip(c.labels.get(i)))));
                for (int j = 0; j < n; j++) {
                    long v = c.counts[i][j];
                    double shade = 0.08 + 0.92 * v / max;
                    String color = i == j ? "46,125,50" : "198,40,40";
                    h.append(String.format(Locale.ROOT, "<rect class=\"cell\" data-count=\"%d\" x=\"%d\" y=\"%d\" width=\"%d\" "
                            + "height=\"%d\" fill=\"rgba(%s,%.2f)\"><title>truth %s, predicted %s: %d</title></rect>"
                            + "<text x=\"%d\" y=\"%d\" class=\"cellv\">%d</text>", v, left + j * cell, top + i * cell,
                            cell - 2, cell - 2, color, v == 0 ? 0.04 : shade, esc(c.labels.get(i)), esc(c.labels.get(j)),
                            v, left + j * cell + 6, top + i * cell + cell / 2 + 4, v));
                }
            }
            h.append("</svg><p class=\"note\">Rows: true label; columns: predicted label.</p>");
        }
        h.append("</section>\n");
    }

    /** The human grading of the spot-check sample (`./batchline grade`): error rate, interval and the gate. */
    private void grading() {
        JsonNode g = r.path("grading");
        if (!g.isObject()) return;
        JsonNode s = g.path("sample");
        String verdict = g.path("verdict").asText();
        String css = switch (verdict) {
            case "passed" -> "pass";
            case "needs_reprocess" -> "fail";
            default -> "note";
        };
        h.append("<section id=\"grading\"><h2>Graded sample</h2><p><b id=\"grading-verdict\" class=\"").append(css)
                .append("\">").append(esc(verdict.replace('_', ' '))).append("</b>");
        if (g.path("max_error_rate").isNumber()) {
            h.append(" &middot; max error rate ").append(rate(g.get("max_error_rate")));
        }
        h.append("</p><p class=\"big\">error rate ").append(rate(s.get("error_rate"))).append("</p><p>95% interval ")
                .append(rate(s.at("/interval/low"))).append(" &ndash; ").append(rate(s.at("/interval/high")))
                .append(" &middot; ").append(String.format(Locale.ROOT, "%,d wrong of %,d graded (sample of %,d)",
                        s.path("wrong").asLong(), s.path("graded").asLong(), s.path("items").asLong()));
        if (g.path("more_graded_items_to_decide").isNumber()) {
            h.append(" &middot; about ").append(String.format(Locale.ROOT, "%,d",
                    g.get("more_graded_items_to_decide").asLong())).append(" more graded items would decide it");
        }
        h.append("</p>");
        JsonNode perClass = s.path("per_class");
        if (perClass.isObject() && perClass.size() > 0) {
            h.append("<table><tr><th>").append(esc(g.path("field").asText("class")))
                    .append(" (model's answer)</th><th>graded</th><th>wrong</th><th>error rate</th><th>95% interval</th></tr>");
            Iterator<Map.Entry<String, JsonNode>> it = perClass.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode c = e.getValue();
                h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(c.path("graded").asLong())
                        .append("</td><td>").append(c.path("wrong").asLong()).append("</td><td>")
                        .append(rate(c.get("error_rate"))).append("</td><td>").append(rate(c.at("/interval/low")))
                        .append(" &ndash; ").append(rate(c.at("/interval/high"))).append("</td></tr>");
            }
            h.append("</table>");
        }
        JsonNode review = g.path("review");
        h.append("<p class=\"note\">Review decisions (not a random sample, not in the estimate): ")
                .append(String.format(Locale.ROOT, "%,d graded, %,d wrong", review.path("graded").asLong(),
                        review.path("wrong").asLong()))
                .append(". Graders: ").append(esc(String.join(", ", texts(g.path("graders"))))).append("</p></section>\n");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.asText());
        return out;
    }

    /** The canary's verdict, when the job has a canary. */
    private void canary() {
        JsonNode c = r.path("canary");
        if (!c.isObject()) return;
        boolean passed = c.path("passed").asBoolean();
        h.append("<section id=\"canary\"><h2>Canary</h2><p><b class=\"").append(passed ? "pass\">passed" : "fail\">failed")
                .append("</b> &middot; ").append(String.format(Locale.ROOT, "%,d", c.path("items").asLong()))
                .append(" items &middot; pass rate ").append(rate(c.get("pass_rate")))
                .append(" &middot; $").append(money(c.get("cost_per_item_usd"))).append(" per item</p>");
        if (c.path("cause").isTextual()) {
            h.append("<p class=\"note\">").append(esc(c.get("cause").asText())).append("</p>");
        }
        h.append("</section>\n");
    }

    /** Outcomes per stratum, and how many items were truncated, chunked, cached or escalated. */
    private void strata() {
        JsonNode s = r.path("strata");
        List<String> counts = new ArrayList<>();
        for (String field : List.of("truncated", "chunked", "cached", "escalated_items")) {
            long n = r.path(field).asLong();
            if (n > 0) counts.add(field.replace('_', ' ') + " " + String.format(Locale.ROOT, "%,d", n));
        }
        if (!s.isObject() && counts.isEmpty()) return;
        h.append("<section id=\"strata\"><h2>Strata and long inputs</h2>");
        if (!counts.isEmpty()) h.append("<p>").append(esc(String.join(" \u00b7 ", counts))).append("</p>");
        if (s.isObject()) {
            h.append("<table><tr><th>stratum</th><th>items</th>");
            for (String kind : KIND) h.append("<th>").append(kind).append("</th>");
            h.append("<th>cost</th></tr>");
            Iterator<Map.Entry<String, JsonNode>> it = s.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>")
                        .append(String.format(Locale.ROOT, "%,d", e.getValue().path("items").asLong())).append("</td>");
                for (String kind : KIND) {
                    h.append("<td>").append(String.format(Locale.ROOT, "%,d", e.getValue().path(kind).asLong()))
                            .append("</td>");
                }
                h.append("<td>$").append(money(e.getValue().get("cost_usd"))).append("</td></tr>");
            }
            h.append("</table>");
        }
        h.append("</section>\n");
    }

    /** The escalation round: how many items it took, where they went, and what it cost. */
    private void escalation() {
        JsonNode e = r.path("escalation");
        if (!e.isObject()) return;
        h.append("<section id=\"escalation\"><h2>Escalation</h2><p>")
                .append(String.format(Locale.ROOT, "%,d", e.path("items").asLong())).append(" items escalated to ")
                .append(esc(e.path("model").asText())).append(" (on ")
                .append(esc(String.join(", ", io.batchline.json.Json.MAPPER.convertValue(e.path("on"), String[].class))))
                .append("); the escalation rounds cost $").append(money(e.get("cost_usd")))
                .append(", their first rounds $").append(money(e.get("first_round_cost_usd"))).append(".</p>");
        if (e.path("moved").size() > 0) {
            h.append("<table><tr><th>from -&gt; to</th><th>items</th></tr>");
            e.path("moved").fields().forEachRemaining(m -> h.append("<tr><td>").append(esc(m.getKey()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%,d", m.getValue().asLong()))
                    .append("</td></tr>"));
            h.append("</table>");
        }
        h.append("</section>\n");
    }

    /** What the run cost on AWS, beside its token cost. */
    private void awsCost() {
        JsonNode a = r.path("aws_cost");
        if (!a.isObject()) return;
        h.append("<section id=\"aws-cost\"><h2>AWS cost</h2><p><b>$").append(money(a.get("usd"))).append("</b>");
        // both figures are projected to a run of 1M such items (fixed + per shard + per item), not this run's
        if (a.path("per_million_items_usd").isNumber()) {
            h.append(" &middot; $").append(money(a.get("per_million_items_usd"))).append(" per million items");
        }
        if (a.path("share_of_token_cost").isNumber()) {
            h.append(" &middot; ").append(String.format(Locale.ROOT, "%.2f%%", a.get("share_of_token_cost").asDouble() * 100))
                    .append(" of the token cost");
            if (a.has("projection")) h.append(" at 1M items (projected)");
        }
        h.append("</p>");
        JsonNode by = a.path("usd_by_service");
        if (by.isObject() && !by.isEmpty()) {
            h.append("<table><tr><th>service</th><th>cost</th></tr>");
            Iterator<Map.Entry<String, JsonNode>> it = by.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>$").append(money(e.getValue()))
                        .append("</td></tr>");
            }
            h.append("</table>");
        }
        h.append("<p class=\"note\">Estimated from the run's counted operations at list prices")
                .append(a.path("prices_as_of").isTextual() ? " as of " + esc(a.get("prices_as_of").asText()) : "")
                .append(".</p></section>\n");
    }

    /** How far the token estimator was off on a counted sample, or why it was not measured. */
    private void calibration() {
        JsonNode c = r.path("calibration");
        if (!c.isObject()) return;
        h.append("<section id=\"calibration\"><h2>Token estimate calibration</h2><p>");
        if (c.path("skipped").isTextual()) {
            h.append("skipped: ").append(esc(c.get("skipped").asText()));
        } else {
            h.append("mean relative error ").append(rate(c.get("mean_relative_error"))).append(" &middot; max ")
                    .append(rate(c.get("max_relative_error"))).append(" &middot; sample of ")
                    .append(String.format(Locale.ROOT, "%,d", c.path("sample_size").asLong())).append(" requests");
        }
        h.append("</p></section>\n");
    }

    /** Accuracy on the golden items (a drift signal; they are not among the outcomes). */
    private void goldenQuality() {
        JsonNode g = r.path("golden_quality");
        if (!g.isObject()) return;
        h.append("<section id=\"golden-quality\"><h2>Golden items</h2><p>accuracy <b>").append(rate(g.get("accuracy")))
                .append("</b> on ").append(String.format(Locale.ROOT, "%,d", g.path("count").asLong()))
                .append(" golden items &middot; cost $").append(money(g.get("cost_usd"))).append("</p></section>\n");
    }

    private void errors() {
        h.append("<section><h2>Errors</h2><table><tr><th>class</th><th>items</th><th>rate</th></tr>");
        Iterator<Map.Entry<String, JsonNode>> it = r.path("error_classes").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(e.getValue().path("count").asLong())
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.2f%%",
                            e.getValue().path("rate").asDouble() * 100)).append("</td></tr>");
        }
        h.append("</table>");
        reasons("Why items failed", r.path("failed_reasons"));
        reasons("Why items were rejected", r.path("rejected_reasons"));
        h.append("</section>\n");
    }

    private void reasons(String title, JsonNode reasons) {
        if (!reasons.isArray() || reasons.isEmpty()) return;
        h.append("<h3>").append(esc(title)).append("</h3><table><tr><th>reason</th><th>items</th></tr>");
        for (JsonNode x : reasons) {
            h.append("<tr><td>").append(esc(x.path("reason").asText())).append("</td><td>")
                    .append(x.path("count").asLong()).append("</td></tr>");
        }
        h.append("</table>");
    }

    /** A confusion matrix given as {labels, matrix} or as {truth: {predicted: count}}. */
    private record Confusion(List<String> labels, long[][] counts) {
        static Confusion of(JsonNode node) {
            if (node == null || node.isMissingNode() || node.isNull()) return null;
            if (node.has("labels") && node.has("matrix")) {
                List<String> labels = new ArrayList<>();
                node.get("labels").forEach(l -> labels.add(l.asText()));
                long[][] counts = new long[labels.size()][labels.size()];
                for (int i = 0; i < labels.size(); i++) {
                    for (int j = 0; j < labels.size(); j++) counts[i][j] = node.get("matrix").path(i).path(j).asLong();
                }
                return new Confusion(labels, counts);
            }
            if (!node.isObject()) return null;
            Set<String> all = new LinkedHashSet<>();
            node.fields().forEachRemaining(e -> {
                all.add(e.getKey());
                e.getValue().fieldNames().forEachRemaining(all::add);
            });
            List<String> labels = new ArrayList<>(all);
            long[][] counts = new long[labels.size()][labels.size()];
            for (int i = 0; i < labels.size(); i++) {
                for (int j = 0; j < labels.size(); j++) {
                    counts[i][j] = node.path(labels.get(i)).path(labels.get(j)).asLong();
                }
            }
            return new Confusion(labels, counts);
        }
    }

    private String text(String field) {
        JsonNode v = r.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    private static Instant instant(String s) {
        if (s == null || s.isBlank()) return null;
        try {
            return Instant.parse(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Duration between(String a, String b) {
        Instant x = instant(a), y = instant(b);
        return x == null || y == null ? null : Duration.between(x, y);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 60) return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        if (s < 3600) return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    private static String percent(long n, long of) {
        return of == 0 ? "&ndash;" : String.format(Locale.ROOT, "%.1f%%", 100.0 * n / of);
    }

    /** A 0..1 ratio as a percentage, or a dash when absent. */
    private static String rate(JsonNode n) {
        return n == null || !n.isNumber() ? "&ndash;" : String.format(Locale.ROOT, "%.1f%%", n.asDouble() * 100);
    }

    private static String money(JsonNode n) {
        return n == null || !n.isNumber() ? "&ndash;" : money(n.decimalValue());
    }

    /** Cents when it is at least a dollar, otherwise enough digits to see what a cheap run cost. */
    public static String money(BigDecimal v) {
        if (v.abs().compareTo(BigDecimal.ONE) >= 0) return String.format(Locale.ROOT, "%,.2f", v);
        return v.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    private static String clip(String s) {
        return s.length() > 16 ? s.substring(0, 15) + "\u2026" : s;
    }

    public static String esc(String s) {
        if (s == null) return "";
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** The pages' shared style sheet (the comparison page uses it too). */
    public static String css() {
        return CSS;
    }

    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212121;margin:24px auto;\
            max-width:820px;padding:0 16px;background:#fafafa}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:14px 0 6px}
            header p{color:#555;margin:0 0 16px}code{font-size:12px}
            section{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:14px 16px;margin:0 0 16px}
            .kpis{display:flex;flex-wrap:wrap;gap:10px;background:none;border:none;padding:0}
            .kpi{background:#fff;border:1px solid #e0e0e0;border-radius:6px;padding:10px 14px;min-width:120px}
            .kpi .v{font-size:20px;font-weight:600}.kpi .l{color:#666;font-size:12px}
            table{border-collapse:collapse;margin-top:8px;font-size:13px}
            td,th{padding:3px 12px 3px 0;text-align:left;border-bottom:1px solid #eee}th{color:#666;font-weight:500}
            tr.total td{font-weight:600}
            .sw{display:inline-block;width:10px;height:10px;margin-right:6px;border-radius:2px}
            .chart{display:block;max-width:100%;height:auto}
            .axis{stroke:#9e9e9e}.threshold{stroke:#424242;stroke-dasharray:4 3}
            .tick{font-size:11px;fill:#555}.lbl{font-size:12px;fill:#333}.cellv{font-size:11px;fill:#111}
            .canceled,.fail{color:#c62828}.pass{color:#2e7d32}
            .note{color:#666;font-size:12px}.big{font-size:28px;font-weight:600;margin:0}
            footer{color:#888;font-size:12px;margin:8px 0 24px}
            """;
}
