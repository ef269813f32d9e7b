package io.batchline.grade;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Verdicts graded elsewhere, for the non-interactive {@code grade --verdicts FILE}: CSV with the columns
 * {@code line,verdict,correct_value} (a header row is optional) or JSONL of
 * {@code {"line": 57, "verdict": "correct|wrong|skip", "correct_value": ...}}. The whole file is checked before
 * anything is stored: an unknown line, a bad verdict or a wrong answer without a valid right value refuses it,
 * naming each problem's line in the file.
 */
public final class VerdictFile {
    private static final int MAX_PROBLEMS = 25;

    private VerdictFile() {}

    /** CSV when the name ends in .csv, JSONL when it ends in .jsonl or .json; null for anything else. */
    public static Boolean isCsv(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".csv")) return true;
        if (lower.endsWith(".jsonl") || lower.endsWith(".json") || lower.endsWith(".ndjson")) return false;
        return null;
    }

    /**
     * Reads and checks every verdict; returns them as records of {@code grader} at {@code at}, in file order.
     *
     * @param withReview whether review items may be graded (else only the sample's lines are known)
     */
    public static List<GradeRecord> read(String fileName, Reader reader, GradableItems items, ComparedField field,
                                         boolean withReview, String grader, Instant at) {
        Boolean csv = isCsv(fileName);
        if (csv == null) {
            throw new VerdictFileException(fileName, List.of("the name must end in .csv (line,verdict,correct_value)"
                    + " or .jsonl ({\"line\":..,\"verdict\":..,\"correct_value\":..} per line)"));
        }
        List<String> problems = new ArrayList<>();
        List<GradeRecord> records = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(reader)) {
            String text;
            int fileLine = 0;
            while ((text = in.readLine()) != null && problems.size() < MAX_PROBLEMS) {
                fileLine++;
                if (text.isBlank()) continue;
                String where = "line " + fileLine + ": ";
                Raw raw;
                try {
                    raw = csv ? csvRow(text) : jsonRow(text);
                } catch (IllegalArgumentException e) {
                    problems.add(where + e.getMessage());
                    continue;
                }
                if (raw == null) continue; // the CSV header
                try {
                    records.add(check(raw, items, field, withReview, grader, at));
                } catch (IllegalArgumentException e) {
                    problems.add(where + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + fileName, e);
        }
        if (records.isEmpty() && problems.isEmpty()) problems.add("no verdicts in the file");
        if (!problems.isEmpty()) throw new VerdictFileException(fileName, problems);
        return records;
    }

    /** One row as written: the line as text, the verdict as text, the right value as JSON (null when absent). */
    private record Raw(String line, String verdict, JsonNode correctValue) {}

    private static GradeRecord check(Raw raw, GradableItems items, ComparedField field, boolean withReview,
                                     String grader, Instant at) {
        long line;
        try {
            line = Long.parseLong(raw.line().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + raw.line() + "' is not a line number");
        }
        GradableItem item = items.item(line);
        if (item == null || (!items.inSample(line) && !withReview)) {
            throw new IllegalArgumentException("input line " + line + " is not " + (withReview
                    ? "a sample or review item of this run" : "a sample item of this run"
                    + (items.isReviewLine(line) ? " (it is a review item: add --review)" : "")));
        }
        Verdict verdict = Verdict.ofLabel(raw.verdict());
        if (verdict == null) {
            throw new IllegalArgumentException("verdict '" + raw.verdict() + "' is not correct, wrong or skip");
        }
        JsonNode modelValue = field.valueIn(item.output());
        JsonNode correctValue = null;
        if (verdict == Verdict.WRONG && field.name() != null) {
            correctValue = field.parse(raw.correctValue());
            if (correctValue.equals(modelValue)) {
                throw new IllegalArgumentException("wrong, but the right value '" + correctValue.asText()
                        + "' is the model's answer");
            }
        }
        return new GradeRecord(line, item.id(), item.from(), verdict, correctValue, modelValue, grader, at);
    }

    private static Raw jsonRow(String text) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (!n.isObject()) throw new IllegalArgumentException("not a JSON object");
        JsonNode line = n.get("line");
        if (line == null || !line.canConvertToExactIntegral()) {
            throw new IllegalArgumentException("'line' must be the item's input line number, got " + line);
        }
        return new Raw(line.asText(), n.path("verdict").asText(null), n.get("correct_value"));
    }

    private static Raw csvRow(String text) {
        List<String> cells = csvCells(text);
        if (cells.get(0).trim().equalsIgnoreCase("line")) return null;
        if (cells.size() < 2 || cells.size() > 3) {
            throw new IllegalArgumentException("expected line,verdict[,correct_value], got " + cells.size()
                    + " column(s)");
        }
        String value = cells.size() == 3 && !cells.get(2).isEmpty() ? cells.get(2) : null;
        return new Raw(cells.get(0), cells.get(1).trim(),
                value == null ? null : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.textNode(value));
    }

    /** One CSV record on one line: commas separate, double quotes quote, a doubled quote is a quote. */
    static List<String> csvCells(String text) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(c);
            }
        }
        if (quoted) throw new IllegalArgumentException("a quote is not closed");
        cells.add(cell.toString());
        return cells;
    }
}
