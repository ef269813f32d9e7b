package io.batchline.grade;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Grading in the terminal: for each item, the input fields the template used, the answer and its confidence,
 * then one key: {@code c} correct, {@code w} wrong (then the right value of the compared field), {@code s} skip,
 * {@code q} quit. Reads answers line by line from any Reader, so a test can script a session. The end of input
 * quits like {@code q}.
 */
public final class InteractiveGrader {
    private final BufferedReader in;
    private final PrintStream out;
    private final ComparedField field;
    private final String grader;
    private final Clock clock;

    public InteractiveGrader(Reader in, PrintStream out, ComparedField field, String grader, Clock clock) {
        this.in = in instanceof BufferedReader b ? b : new BufferedReader(in);
        this.out = out;
        this.field = field;
        this.grader = grader;
        this.clock = clock;
    }

    /** The verdicts given before the session ended (skips included), in order; whether the grader quit early. */
    public record Session(List<GradeRecord> records, boolean quit) {}

    /**
     * @param items  the items still to grade, in order
     * @param inputs per line, the input fields the template used (absent lines show no input)
     */
    public Session grade(List<GradableItem> items, Map<Long, ? extends JsonNode> inputs) {
        List<GradeRecord> records = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            GradableItem item = items.get(i);
            show(item, inputs.get(item.line()), i + 1, items.size());
            Verdict verdict = askVerdict();
            if (verdict == null) return new Session(records, true);
            JsonNode modelValue = field.valueIn(item.output());
            JsonNode correctValue = null;
            if (verdict == Verdict.WRONG && field.name() != null) {
                correctValue = askRightValue(modelValue);
                if (correctValue == null) return new Session(records, true);
            }
            records.add(new GradeRecord(item.line(), item.id(), item.from(), verdict, correctValue, modelValue, grader,
                    clock.instant()));
        }
        return new Session(records, false);
    }

    private void show(GradableItem item, JsonNode input, int n, int of) {
        out.printf(Locale.ROOT, "%n[%d/%d] line %d  id %s  (%s item, outcome %s, confidence %s)%n", n, of, item.line(),
                item.id(), item.from(), item.outcome(),
                item.confidence() == null ? "-" : String.format(Locale.ROOT, "%.2f", item.confidence()));
        if (input == null || input.isEmpty()) {
            out.println("  input:  (not available)");
        } else {
            input.fields().forEachRemaining(e -> out.println("  " + e.getKey() + ": "
                    + indent(e.getValue().isTextual() ? e.getValue().textValue() : Json.string(e.getValue()))));
        }
        if (field.name() != null) {
            JsonNode v = field.valueIn(item.output());
            out.println("  answer: " + field.name() + " = " + (v == null ? "(none)" : v.isTextual() ? v.textValue() : v));
        }
        out.println("  output: " + (item.output() == null ? "(none)" : Json.string(item.output())));
        if (item.outcomeLine().hasNonNull("reason")) out.println("  reason: " + item.outcomeLine().get("reason").asText());
    }

    private static String indent(String text) {
        return text.replace("\n", "\n      ");
    }

    /** The verdict typed, or null to quit. */
    private Verdict askVerdict() {
        while (true) {
            out.print("c correct, w wrong, s skip, q quit > ");
            out.flush();
            String answer = readLine();
            if (answer == null) return null;
            switch (answer.trim().toLowerCase(Locale.ROOT)) {
                case "c", "correct" -> { return Verdict.CORRECT; }
                case "w", "wrong" -> { return Verdict.WRONG; }
                case "s", "skip" -> { return Verdict.SKIP; }
                case "q", "quit" -> { return null; }
                default -> out.println("  type c, w, s or q");
            }
        }
    }

    /** The right value typed (a class by name or number), or null to quit. */
    private JsonNode askRightValue(JsonNode modelValue) {
        StringBuilder prompt = new StringBuilder("  right ").append(field.name());
        if (field.hasClasses()) {
            prompt.append(" (");
            for (int k = 0; k < field.classes().size(); k++) {
                prompt.append(k == 0 ? "" : ", ").append(k + 1).append(' ').append(field.classes().get(k));
            }
            prompt.append(")");
        }
        while (true) {
            out.print(prompt + " > ");
            out.flush();
            String answer = readLine();
            if (answer == null) return null;
            String t = answer.trim();
            if (t.equalsIgnoreCase("q")) return null;
            if (field.hasClasses() && t.matches("\\d+")) {
                int k = Integer.parseInt(t);
                if (k >= 1 && k <= field.classes().size()) t = field.classes().get(k - 1);
            }
            try {
                JsonNode value = field.parse(t);
                if (value.equals(modelValue)) {
                    out.println("  that is the model's answer; type the right one (or q to quit)");
                    continue;
                }
                return value;
            } catch (IllegalArgumentException e) {
                out.println("  " + e.getMessage());
            }
        }
    }

    private String readLine() {
        try {
            String line = in.readLine();
            if (line == null) out.println();
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
