package io.batchline.cli.operate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.aws.s3.S3ObjectStore;
import io.batchline.cli.Target;
import io.batchline.cli.UserInputException;
import io.batchline.compare.CompareException;
import io.batchline.compare.RunComparison;
import io.batchline.json.Json;
import io.batchline.pipeline.PipelineConfig;
import io.batchline.report.html.CompareHtml;
import io.batchline.store.ObjectStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./batchline compare RUN_A RUN_B [--out DIR] [--state DIR | --target FILE]}: two finished runs item by
 * item (see {@link RunComparison}), written as compare.json, compare.html and changed.jsonl into DIR (default
 * {@code batchline-compare/<RUN_A>-vs-<RUN_B>/}), with a short summary in the terminal.
 */
final class CompareCommand {
    /** Changed items printed in the terminal; compare.html shows more, changed.jsonl has them all. */
    static final int CHANGED_PRINTED = 10;
    private final PrintStream out;
    /** The catalogue and API version job specs are checked against. */
    private final PipelineConfig config;

    CompareCommand(PrintStream out, PipelineConfig config) {
        this.out = out;
        this.config = config;
    }

    static Path defaultOut(String a, String b) {
        return Path.of("batchline-compare", a + "-vs-" + b);
    }

    int run(String a, String b, Path outDir, Target target) throws IOException {
        return compare(new S3ObjectStore(target.s3(), target.names().bucket()), a, b,
                outDir == null ? defaultOut(a, b) : outDir);
    }

    int compare(ObjectStore bucket, String a, String b, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path changed = dir.resolve("changed.jsonl");
        Path spill = Files.createTempDirectory(dir, ".sorting-");
        RunComparison.Result result;
        try (OutputStream changedOut = new BufferedOutputStream(Files.newOutputStream(changed))) {
            result = RunComparison.compare(bucket, a, b, spill, changedOut, config.catalogue(),
                    config.anthropicVersion());
        } catch (CompareException e) {
            Files.deleteIfExists(changed);
            throw new UserInputException(String.join("; ", e.problems()));
        } finally {
            try (var left = Files.list(spill)) {
                for (Path p : left.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(spill);
        }
        ObjectNode json = result.json();
        Files.write(dir.resolve("compare.json"), Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(json));
        Files.writeString(dir.resolve("compare.html"), CompareHtml.render(json), StandardCharsets.UTF_8);
        print(json, dir);
        return 0;
    }

    private void print(JsonNode c, Path dir) {
        out.printf("Run %s (%s) against %s (%s)%n", c.at("/a/run_id").asText(), version(c.get("a")),
                c.at("/b/run_id").asText(), version(c.get("b")));
        JsonNode items = c.get("items");
        out.printf("  lines       %,d in both; %,d only in A, %,d only in B%s%n", items.path("common").asLong(),
                items.path("only_in_a").asLong(), items.path("only_in_b").asLong(),
                items.path("different_ids").asLong() > 0 ? String.format(Locale.ROOT,
                        "; %,d with different ids left out", items.path("different_ids").asLong()) : "");
        JsonNode ch = c.get("changed");
        out.printf("  changed     %,d answer(s) of %s (%s)%n", ch.path("count").asLong(),
                c.at("/a/compared_field").asText("the output"), percent(ch.get("rate")));
        int shown = 0;
        for (JsonNode x : ch.path("first")) {
            if (shown++ == CHANGED_PRINTED) break;
            out.printf("              line %d %s: %s -> %s%s%n", x.path("line").asLong(), x.path("id").asText(""),
                    answer(x.get("a")), answer(x.get("b")),
                    x.hasNonNull("ground_truth") ? " (label " + x.get("ground_truth").asText() + ")" : "");
        }
        if (ch.path("count").asLong() > shown) {
            out.printf("              ... every one in %s%n", dir.resolve("changed.jsonl"));
        }
        if (c.has("ground_truth")) {
            JsonNode g = c.get("ground_truth");
            out.printf("  accuracy    A %s, B %s against the labels of %,d item(s) (right only in A %,d, only in B"
                            + " %,d)%n", percent(g.at("/a/accuracy")), percent(g.at("/b/accuracy")),
                    g.path("labelled").asLong(), g.path("only_a_right").asLong(), g.path("only_b_right").asLong());
        } else {
            out.println("  accuracy    no labels (the job has no ground_truth_field, or the input carries none)");
        }
        if (c.has("graded")) {
            JsonNode g = c.get("graded");
            out.printf("  graded      A %s, B %s against %,d graded item(s)%n", percent(g.at("/a/accuracy")),
                    percent(g.at("/b/accuracy")), g.path("items").asLong());
        }
        out.printf("  cost/item   A $%s, B $%s (totals $%s and $%s over the lines in both)%n",
                c.at("/cost/a/per_item_usd").decimalValue().toPlainString(),
                c.at("/cost/b/per_item_usd").decimalValue().toPlainString(),
                c.at("/cost/a/total_usd").decimalValue().toPlainString(),
                c.at("/cost/b/total_usd").decimalValue().toPlainString());
        List<String> request = new ArrayList<>(), other = new ArrayList<>();
        for (JsonNode p : c.path("prompt_changes")) {
            (p.path("request_shaping").asBoolean() ? request : other).add(p.path("field").asText());
        }
        out.printf("  prompt      %s%s%n", c.path("same_prompt").asBoolean() ? "same prompt version"
                        : "changed: " + String.join(", ", request),
                other.isEmpty() ? "" : "; other job fields changed: " + String.join(", ", other));
        out.printf("  written     %s, compare.html, changed.jsonl (%,d line(s))%n", dir.resolve("compare.json"),
                ch.path("count").asLong());
    }

    private static String version(JsonNode side) {
        String hash = side.at("/prompt_version/hash").asText();
        JsonNode label = side.at("/prompt_version/label");
        return label.isTextual() ? label.asText() + ", " + hash : hash;
    }

    private static String answer(JsonNode v) {
        return v == null || v.isNull() ? "(no answer)" : v.asText();
    }

    private static String percent(JsonNode rate) {
        return rate == null || !rate.isNumber() ? "-" : String.format(Locale.ROOT, "%.1f%%", rate.asDouble() * 100);
    }
}
