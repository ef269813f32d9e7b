package io.batchline.rerun;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.input.InputError;
import io.batchline.input.InputItem;
import io.batchline.input.InputReader;
import io.batchline.input.InputVisitor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The rerun's input, read back by the pipeline's own reader: exactly the selected records come out, on their
 * original lines with their original ids and fields, and the file has as many physical lines as the original.
 */
class RerunInputTest {
    private static final int MAX = 4096;

    /** What the pipeline reads from a file: "line id fields" per item, "line !reason" per error. */
    private static List<String> read(byte[] bytes, String name) throws IOException {
        List<String> seen = new ArrayList<>();
        InputReader.Summary s = new InputReader(name, "id", MAX).read(new ByteArrayInputStream(bytes), new InputVisitor() {
            @Override
            public void item(InputItem item) {
                seen.add(item.line() + " " + item.id() + " " + item.fields());
            }

            @Override
            public void error(InputError error) {
                seen.add(error.line() + " !" + error.reason());
            }
        });
        seen.add("lines=" + s.lines());
        return seen;
    }

    private static List<String> only(List<String> all, long... lines) {
        List<String> kept = new ArrayList<>();
        for (String s : all) {
            if (s.startsWith("lines=")) continue;
            long line = Long.parseLong(s.substring(0, s.indexOf(' ')));
            for (long l : lines) if (l == line) kept.add(s);
        }
        return kept;
    }

    /** The items and errors read, without the line count (a blanked last line without a newline writes nothing). */
    private static List<String> records(byte[] bytes, String name) throws IOException {
        List<String> all = read(bytes, name);
        return all.subList(0, all.size() - 1);
    }

    private static BitSet bits(long... lines) {
        BitSet b = new BitSet();
        for (long l : lines) b.set((int) l);
        return b;
    }

    private static byte[] rerun(byte[] original, String name, BitSet selected, boolean gzipOut) throws IOException {
        BitSet starts = InputReader.formatOf(name) == InputReader.Format.CSV
                ? RerunInput.csvRecordStarts(new ByteArrayInputStream(original), name, "id", MAX) : null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var o = gzipOut ? new GZIPOutputStream(out) : out) {
            RerunInput.Written w = RerunInput.write(new ByteArrayInputStream(original), name, selected, starts, o);
            assertThat(w.kept()).isEqualTo(selected.cardinality());
        }
        return out.toByteArray();
    }

    private static final String JSONL = """
            {"id":"a","text":"one"}

            {"id":"b","text":"two"}\r
            {"text":"no id, hashed"}
            not json
            {"id":"c","text":"three"}""";

    @Test
    void jsonlKeepsTheSelectedLinesOnTheirNumbersWithTheirIds() throws IOException {
        byte[] original = JSONL.getBytes(StandardCharsets.UTF_8);
        List<String> before = read(original, "in.jsonl");
        assertThat(before).hasSize(6).last().isEqualTo("lines=6");

        byte[] copy = rerun(original, "in.jsonl", bits(3, 4, 6), false);

        assertThat(read(copy, "in.jsonl")).last().isEqualTo("lines=6");
        assertThat(records(copy, "in.jsonl")).isEqualTo(only(before, 3, 4, 6));
        assertThat(new String(copy, StandardCharsets.UTF_8)).isEqualTo("""


                {"id":"b","text":"two"}\r
                {"text":"no id, hashed"}

                {"id":"c","text":"three"}""");
    }

    @Test
    void gzippedJsonlIsReadThroughGzipAndWrittenGzippedUnderTheSameName() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (var o = new GZIPOutputStream(gz)) {
            o.write(JSONL.getBytes(StandardCharsets.UTF_8));
        }
        List<String> before = read(gz.toByteArray(), "in.jsonl.gz");

        byte[] copy = rerun(gz.toByteArray(), "in.jsonl.gz", bits(1, 6), true);

        assertThat(records(copy, "in.jsonl.gz")).isEqualTo(only(before, 1, 6));
        assertThat(rerun(gz.toByteArray(), "in.jsonl.gz", bits(1, 6), true)).as("the same bytes every time")
                .isEqualTo(copy);
    }

    @Test
    void aLineLongerThanTheBufferIsCopiedWholeOrBlankedWhole() throws IOException {
        String longText = "x".repeat(200_000);
        byte[] original = ("{\"id\":\"a\",\"t\":\"" + longText + "\"}\n{\"id\":\"b\",\"t\":\"s\"}\n")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(new String(rerun(original, "in.jsonl", bits(1), false), StandardCharsets.UTF_8))
                .isEqualTo("{\"id\":\"a\",\"t\":\"" + longText + "\"}\n\n");
        assertThat(new String(rerun(original, "in.jsonl", bits(2), false), StandardCharsets.UTF_8))
                .isEqualTo("\n{\"id\":\"b\",\"t\":\"s\"}\n");
    }

    private static final String CSV = """
            id,subject,body
            a,plain,one line

            b,"spans","first line
            second line, with a comma

            and a blank line inside the quotes"
            c,after,"a ""quoted"" word"
            d,"unclosed,quote
            e,reread,after the unclosed quote
            f,last,no newline at the end""";

    @Test
    void csvKeepsTheHeaderAndWholeRecordsThatSpanLines() throws IOException {
        byte[] original = CSV.getBytes(StandardCharsets.UTF_8);
        List<String> before = read(original, "in.csv");
        assertThat(before).as("the reader's numbering: a record's line is the line it starts on")
                .anyMatch(s -> s.startsWith("4 b "))
                .anyMatch(s -> s.startsWith("8 c "))
                .anyMatch(s -> s.startsWith("9 !unclosed quote"))
                .anyMatch(s -> s.startsWith("10 e "))
                .last().isEqualTo("lines=11");

        for (BitSet selected : List.of(bits(4), bits(2, 8), bits(4, 10), bits(9, 11), bits(2, 4, 8, 9, 10, 11))) {
            byte[] copy = rerun(original, "in.csv", selected, false);
            long[] lines = selected.stream().asLongStream().toArray();
            assertThat(records(copy, "in.csv")).as("selected %s", selected).isEqualTo(only(before, lines));
        }
        assertThat(new String(rerun(original, "in.csv", bits(4), false), StandardCharsets.UTF_8)).isEqualTo("""
                id,subject,body


                b,"spans","first line
                second line, with a comma

                and a blank line inside the quotes"



                """);
    }

    @Test
    void aCsvWithCrlfAndAByteOrderMarkReadsTheSame() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] body = "id,t\r\na,\"x\r\ny\"\r\nb,z\r\n".getBytes(StandardCharsets.UTF_8);
        byte[] original = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, original, 0, 3);
        System.arraycopy(body, 0, original, 3, body.length);
        List<String> before = read(original, "in.csv");

        assertThat(records(rerun(original, "in.csv", bits(4), false), "in.csv")).isEqualTo(only(before, 4));
        assertThat(records(rerun(original, "in.csv", bits(2), false), "in.csv")).isEqualTo(only(before, 2));
    }
}
