package io.batchline.outcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written outcome line writer gives exactly data binding's bytes (outcome lines are a public contract). */
class OutcomeLineWriterTest {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String[] TEXTS = {"", "plain", "caf\u00e9 \u00fc\u00df", "\u20ac \u4e2d\u6587 \uffff",
            "emoji \ud83d\ude4f and a lone \ud800 surrogate \udc00", "quote \" backslash \\ slash /",
            "controls \u0000\u0001\u001f \b\t\n\f\r \u007f", "line\u2028separator\u2029", "<script>&amp;</script>",
            "x".repeat(3000)};

    /** Jackson's data binding: what every outcome line was written with before the writer. */
    private static String jackson(OutcomeLine line) {
        return new String(Json.bytes(line), StandardCharsets.UTF_8) + "\n";
    }

    private static String written(OutcomeLineWriter writer, List<OutcomeLine> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (OutcomeLine line : lines) writer.write(out, line);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void givenVariedLinesWhenWrittenThenTheBytesAreDataBindingsOneByOne() {
        Random random = new Random(7);
        List<OutcomeLine> lines = new ArrayList<>();
        lines.add(OutcomeLine.failedBeforeSubmit("T-1", 1, "line 1 is not JSON: Unexpected character ('x')"));
        lines.add(OutcomeLine.of(null, 0, "accepted").build());
        // the canonical constructor, as Jackson reads a line: explicit false flags, which the builder never writes
        lines.add(new OutcomeLine("T-2", Long.MAX_VALUE, "review", "confidence 0.8 is below accept_at 0.9: needs review",
                NODES.nullNode(), Double.NaN, new Usage(Long.MAX_VALUE, 0, 1, 2), new BigDecimal("1E-8"), -1,
                "msgbatch_1", "a1-l2", false, false, "", NODES.arrayNode(), "", Integer.MIN_VALUE, false, null));
        for (int i = 0; i < 2000; i++) lines.add(randomLine(random));

        OutcomeLineWriter writer = new OutcomeLineWriter();
        StringBuilder expected = new StringBuilder();
        for (OutcomeLine line : lines) {
            assertThat(written(new OutcomeLineWriter(), List.of(line))).isEqualTo(jackson(line));
            expected.append(jackson(line));
        }
        // one writer reused for every line, as collect uses it: no separator or state leaks between lines
        assertThat(written(writer, lines)).isEqualTo(expected.toString());
    }

    @Test
    void givenEveryFieldOfTheRecordSetWhenWrittenThenItMatchesDataBinding() throws Exception {
        // built from the record's components: a field added to OutcomeLine but not to the writer fails here
        RecordComponent[] components = OutcomeLine.class.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] values = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = sample(types[i], components[i].getName());
        }
        OutcomeLine line = OutcomeLine.class.getDeclaredConstructor(types).newInstance(values);
        String jackson = jackson(line);
        assertThat(Json.tree(jackson.getBytes(StandardCharsets.UTF_8)).size()).isEqualTo(components.length);
        assertThat(written(new OutcomeLineWriter(), List.of(line))).isEqualTo(jackson);
    }

    private static Object sample(Class<?> type, String name) {
        if (type == String.class) return name + " \u00e9\"\n";
        if (type == long.class) return 1234567890123L;
        if (type == int.class) return 3;
        if (type == Integer.class) return 4;
        if (type == Double.class) return 0.7000000000000001;
        if (type == Boolean.class) return Boolean.TRUE;
        if (type == BigDecimal.class) return new BigDecimal("0.00012345");
        if (type == Usage.class) return new Usage(1, 2, 3, 4);
        if (type == JsonNode.class) return NODES.objectNode().put(name, 1.5).putNull("n");
        throw new AssertionError("no sample value for a " + type + " field (" + name + "): add one, and the field to "
                + "OutcomeLineWriter");
    }

    private static OutcomeLine randomLine(Random r) {
        OutcomeKind kind = OutcomeKind.values()[r.nextInt(OutcomeKind.values().length)];
        // the canonical constructor: the flags may be true, false or absent, as on any line read back
        return new OutcomeLine(maybe(r, text(r)), r.nextInt(1_000_000) + 1, kind.label(), maybe(r, text(r)),
                r.nextBoolean() ? tree(r, 3) : null, r.nextBoolean() ? number(r) : null,
                r.nextInt(4) == 0 ? null : new Usage(r.nextInt(100_000), r.nextInt(5000), r.nextInt(3), r.nextLong()),
                r.nextInt(4) == 0 ? null : cost(r), r.nextInt(5), maybe(r, "msgbatch_" + r.nextInt()),
                maybe(r, "a" + r.nextInt(4) + "-l" + r.nextInt(1000)), bool(r), bool(r), maybe(r, text(r)),
                r.nextInt(3) == 0 ? history(r) : null, maybe(r, text(r)), r.nextBoolean() ? r.nextInt(9) : null, bool(r),
                null);
    }

    private static Double number(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> r.nextDouble();
            case 1 -> (double) Math.round(r.nextDouble() * 100) / 100;
            case 2 -> 1e-7 * r.nextInt(100);
            case 3 -> 1e21 * r.nextDouble();
            case 4 -> -0.0;
            default -> Double.POSITIVE_INFINITY;
        };
    }

    private static BigDecimal cost(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> BigDecimal.ZERO;
            case 1 -> BigDecimal.valueOf(r.nextInt(1_000_000), 8);
            case 2 -> new BigDecimal("1E+3");
            default -> new BigDecimal(new BigInteger(80, r), r.nextInt(20));
        };
    }

    private static Boolean bool(Random r) {
        return switch (r.nextInt(3)) {
            case 0 -> null;
            case 1 -> Boolean.TRUE;
            default -> Boolean.FALSE;
        };
    }

    private static String maybe(Random r, String s) {
        return r.nextInt(4) == 0 ? null : s;
    }

    private static String text(Random r) {
        return TEXTS[r.nextInt(TEXTS.length)];
    }

    private static JsonNode history(Random r) {
        ArrayNode history = NODES.arrayNode();
        for (int i = r.nextInt(3); i >= 0; i--) {
            ObjectNode entry = history.addObject().put("attempt", i + 1).put("custom_id", "a1-l1").put("result", "errored");
            if (r.nextBoolean()) entry.put("reason", text(r));
        }
        return history;
    }

    /** Objects, arrays and every scalar node kind a parsed or built output can hold. */
    private static JsonNode tree(Random r, int depth) {
        int kind = r.nextInt(depth > 0 ? 12 : 10);
        return switch (kind) {
            case 0 -> NODES.textNode(text(r));
            case 1 -> NODES.numberNode(r.nextInt());
            case 2 -> NODES.numberNode(r.nextLong());
            case 3 -> NODES.numberNode(number(r));
            case 4 -> NODES.numberNode(new BigInteger(100, r));
            case 5 -> NODES.numberNode(new BigDecimal(new BigInteger(70, r), r.nextInt(30) - 10));
            case 6 -> NODES.booleanNode(r.nextBoolean());
            case 7 -> NODES.nullNode();
            case 8 -> NODES.numberNode(r.nextFloat());
            case 9 -> Json.tree(("{\"confidence\":0.90,\"big\":123456789012345678901234567890,\"f\":1.0E-9,"
                    + "\"s\":\"caf\\u00e9 \\ud83d\\ude4f\"}").getBytes(StandardCharsets.UTF_8));
            case 10 -> {
                ObjectNode o = NODES.objectNode();
                for (int i = r.nextInt(4); i > 0; i--) o.set(text(r), tree(r, depth - 1));
                yield o;
            }
            default -> {
                ArrayNode a = NODES.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) a.add(tree(r, depth - 1));
                yield a;
            }
        };
    }
}
