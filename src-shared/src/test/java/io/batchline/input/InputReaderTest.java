package io.batchline.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class InputReaderTest {

    /** What the visitor saw, in order. */
    static final class Collected implements InputVisitor {
        final List<Object> all = new ArrayList<>();
        final List<InputItem> items = new ArrayList<>();
        final List<InputError> errors = new ArrayList<>();
        InputReader.Summary summary;

        @Override
        public void item(InputItem item) {
            items.add(item);
            all.add(item);
        }

        @Override
        public void error(InputError error) {
            errors.add(error);
            all.add(error);
        }

        InputError errorOnLine(long line) {
            return errors.stream().filter(e -> e.line() == line).findFirst()
                    .orElseThrow(() -> new AssertionError("no error on line " + line + ": " + errors));
        }
    }

    static Collected read(String name, byte[] content, int maxLineBytes) throws IOException {
        Collected c = new Collected();
        c.summary = new InputReader(name, "id", maxLineBytes).read(new ByteArrayInputStream(content), c);
        return c;
    }

    static Collected read(String name, String content) throws IOException {
        return read(name, content.getBytes(StandardCharsets.UTF_8), 1_048_576);
    }

    @Test
    void jsonlItemsKeepPhysicalLineNumbersAcrossBlankLines() throws IOException {
        Collected c = read("in.jsonl", "{\"id\":\"a\",\"x\":1}\n\n   \n{\"id\":\"b\",\"x\":2}\r\n{\"id\":\"c\"}");
        assertThat(c.items).extracting(InputItem::line).containsExactly(1L, 4L, 5L);
        assertThat(c.items).extracting(InputItem::id).containsExactly("a", "b", "c");
        assertThat(c.items.get(1).bytes()).isEqualTo("{\"id\":\"b\",\"x\":2}".length()); // '\r' dropped
        assertThat(c.errors).isEmpty();
        assertThat(c.summary).isEqualTo(new InputReader.Summary(5, 3, 0));
    }

    @Test
    void emptyFileYieldsNothing() throws IOException {
        Collected c = read("in.jsonl", "");
        assertThat(c.all).isEmpty();
        assertThat(c.summary).isEqualTo(new InputReader.Summary(0, 0, 0));
        assertThat(read("in.jsonl", "\n \n").summary).isEqualTo(new InputReader.Summary(2, 0, 0));
    }

    @Test
    void badLinesFailAloneWithPreciseReasons() throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes("{\"id\":\"ok1\"}\n".getBytes(StandardCharsets.UTF_8));                      // 1
        file.writeBytes("{\"id\":\"x\",\"subject\":\"hi\"} {\"id\":\"y\"}\n".getBytes(StandardCharsets.UTF_8)); // 2 two values
        file.writeBytes("{\"id\":\"x\", \"subject\": }\n".getBytes(StandardCharsets.UTF_8));         // 3 malformed
        file.writeBytes("[1,2]\n".getBytes(StandardCharsets.UTF_8));                                 // 4
        file.writeBytes("\"text\"\n".getBytes(StandardCharsets.UTF_8));                              // 5
        file.writeBytes("{\"id\":\"caf".getBytes(StandardCharsets.UTF_8));                           // 6 bad UTF-8
        file.write(0xE9);
        file.writeBytes("\"}\n".getBytes(StandardCharsets.UTF_8));
        file.writeBytes("{\"id\":[1]}\n".getBytes(StandardCharsets.UTF_8));                          // 7
        file.writeBytes("{\"id\":\"ok1\"}\n".getBytes(StandardCharsets.UTF_8));                      // 8 duplicate
        file.writeBytes("{\"id\":\"ok2\",\"id\":\"ok3\"}\n".getBytes(StandardCharsets.UTF_8));       // 9 dup key
        file.writeBytes("42\n".getBytes(StandardCharsets.UTF_8));                                    // 10
        file.writeBytes("{\"id\":\"ok4\"}\n".getBytes(StandardCharsets.UTF_8));                      // 11
        Collected c = read("in.jsonl", file.toByteArray(), 1_048_576);

        assertThat(c.items).extracting(InputItem::line).containsExactly(1L, 11L);
        assertThat(c.errorOnLine(2).reason()).isEqualTo("malformed JSON at column 27: unexpected content after the JSON value");
        assertThat(c.errorOnLine(3).reason()).startsWith("malformed JSON at column 23: Unexpected character ('}' (code 125))");
        assertThat(c.errorOnLine(4).reason()).isEqualTo("line is a JSON array, not an object");
        assertThat(c.errorOnLine(5).reason()).isEqualTo("line is a JSON string, not an object");
        assertThat(c.errorOnLine(6).reason()).isEqualTo("invalid UTF-8 at byte 11 of the line");
        assertThat(c.errorOnLine(7).reason()).isEqualTo("id field 'id' is a JSON array, not a string or number");
        assertThat(c.errorOnLine(8)).isEqualTo(new InputError(8, "ok1", "duplicate id 'ok1' (first seen on line 1)"));
        assertThat(c.errorOnLine(9).reason()).startsWith("malformed JSON at column").contains("Duplicate field 'id'");
        assertThat(c.errorOnLine(10).reason()).isEqualTo("line is a JSON number, not an object");
        assertThat(c.errors).extracting(InputError::id).containsOnlyOnce("ok1");
        assertThat(c.summary.nonBlank()).isEqualTo(11);
    }

    @Test
    void oversizeLineIsSkippedWithItsLengthAndTheRestGoesOn() throws IOException {
        String big = "{\"id\":\"big\",\"t\":\"" + "x".repeat(2_345_660) + "\"}";
        String content = "{\"id\":\"a\"}\n" + big + "\n{\"id\":\"b\"}\n";
        Collected c = read("in.jsonl", content.getBytes(StandardCharsets.UTF_8), 1_048_576);
        assertThat(c.items).extracting(InputItem::id).containsExactly("a", "b");
        assertThat(c.items).extracting(InputItem::line).containsExactly(1L, 3L);
        assertThat(c.errors).containsExactly(new InputError(2, null,
                String.format(java.util.Locale.ROOT, "line is %,d bytes, over max_line_bytes 1,048,576", big.length())));
    }

    @Test
    void lineOfExactlyTheLimitIsAcceptedAndOneMoreIsNot() throws IOException {
        String exact = "{\"id\":\"" + "y".repeat(20 - 9) + "\"}"; // 20 bytes
        assertThat(exact).hasSize(20);
        assertThat(read("in.jsonl", (exact + "\r\n").getBytes(StandardCharsets.UTF_8), 20).items).hasSize(1);
        assertThat(read("in.jsonl", exact.getBytes(StandardCharsets.UTF_8), 20).items).hasSize(1);
        Collected over = read("in.jsonl", (exact + " \n").getBytes(StandardCharsets.UTF_8), 20);
        assertThat(over.errors).singleElement().extracting(InputError::reason)
                .isEqualTo("line is 21 bytes, over max_line_bytes 20");
    }

    @Test
    void missingIdGetsAStableHashOfTheLine() throws IOException {
        Collected c = read("in.jsonl", "{\"t\":\"same\"}\n{\"t\":\"other\"}\n{\"t\":\"same\"}\n{\"id\":17}\n{\"id\":\"\"}");
        String first = c.items.get(0).id();
        assertThat(first).matches("h[0-9a-f]{16}");
        assertThat(first).isEqualTo("h" + io.batchline.run.RunIds.sha256Hex("{\"t\":\"same\"}").substring(0, 16));
        assertThat(c.items.get(1).id()).isNotEqualTo(first);
        // the identical line 3 has the same hash: a duplicate, reported
        assertThat(c.errorOnLine(3).reason()).isEqualTo("duplicate id '" + first + "' (first seen on line 1)");
        assertThat(c.items.get(2).id()).isEqualTo("17"); // numbers are ids too
        assertThat(c.items.get(3).id()).matches("h[0-9a-f]{16}"); // a blank id counts as absent
    }

    @Test
    void numbersAreKeptAsWritten() throws IOException {
        Collected c = read("in.jsonl", "{\"id\":1,\"price\":1.50,\"big\":12345678901234567890}");
        assertThat(c.items.get(0).fields().get("price").asText()).isEqualTo("1.50");
        assertThat(c.items.get(0).fields().get("big").asText()).isEqualTo("12345678901234567890");
    }

    @Test
    void utf8BomOnTheFirstLineIsIgnored() throws IOException {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] content = (new String(bom, StandardCharsets.ISO_8859_1) + "{\"id\":\"a\"}\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(read("in.jsonl", content, 100).items).extracting(InputItem::id).containsExactly("a");
    }

    @Test
    void readsGzipByName() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            for (int i = 1; i <= 1000; i++) out.write(("{\"id\":\"t" + i + "\",\"n\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
        }
        Collected c = read("inbox/job/x.JSONL.gz", gz.toByteArray(), 1000);
        assertThat(c.items).hasSize(1000);
        assertThat(c.items.get(999).fields().get("n").asInt()).isEqualTo(1000);

        assertThatThrownBy(() -> read("x.jsonl.gz", "not gzip".getBytes(StandardCharsets.UTF_8), 100))
                .isInstanceOf(IOException.class).hasMessageStartingWith("reading input x.jsonl.gz: ");
    }

    @Test
    void aTruncatedOrCorruptGzipIsACorruptInputNotATransientFailure() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            for (int i = 1; i <= 2000; i++) out.write(("{\"id\":\"t" + i + "\",\"n\":" + i + "}\n").getBytes(StandardCharsets.UTF_8));
        }
        byte[] whole = gz.toByteArray();
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);

        assertThatThrownBy(() -> read("x.jsonl.gz", truncated, 1000))
                .isInstanceOf(CorruptInputException.class)
                .hasMessageStartingWith("reading input x.jsonl.gz: corrupt input: the gzip stream is truncated");
        assertThatThrownBy(() -> read("x.jsonl.gz", "not gzip".getBytes(StandardCharsets.UTF_8), 100))
                .isInstanceOf(CorruptInputException.class).hasMessageContaining("not valid gzip");

        // a source that fails on its own (a broken connection) stays a plain IOException: reading again may work
        InputStream broken = new InputStream() {
            private final InputStream head = new ByteArrayInputStream(truncated);

            @Override
            public int read() throws IOException {
                int b = head.read();
                if (b < 0) throw new java.io.EOFException("connection reset");
                return b;
            }
        };
        assertThatThrownBy(() -> new InputReader("x.jsonl.gz", "id", 1000).read(broken, new Collected()))
                .isInstanceOf(IOException.class).isNotInstanceOf(CorruptInputException.class)
                .hasMessageContaining("connection reset");
    }

    @Test
    void formatComesFromTheName() {
        assertThat(InputReader.formatOf("a/b.jsonl")).isEqualTo(InputReader.Format.JSONL);
        assertThat(InputReader.formatOf("a/b.csv.gz")).isEqualTo(InputReader.Format.CSV);
        assertThat(InputReader.isGzip("a/b.csv.gz")).isTrue();
        assertThat(InputReader.isGzip("a/b.csv")).isFalse();
        assertThatThrownBy(() -> InputReader.formatOf("b.json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'b.json'").hasMessageContaining(".jsonl or .csv");
    }

    // ---------------------------------------------------------------- CSV

    @Test
    void csvWithQuotedCommasQuotesAndNewlines() throws IOException {
        String csv = "id,subject,body\r\n"
                + "T-1,Hello,plain body\r\n"
                + "\r\n"
                + "T-2,\"Comma, inside\",\"She said \"\"hi\"\"\nand then\r\n\nleft\"\r\n"
                + "T-3,,\"\"\n"
                + "T-4,last,no newline at end";
        Collected c = read("tickets.csv", csv);
        assertThat(c.errors).isEmpty();
        assertThat(c.items).extracting(InputItem::line).containsExactly(2L, 4L, 8L, 9L);
        InputItem two = c.items.get(1);
        assertThat(two.id()).isEqualTo("T-2");
        assertThat(two.fields().get("subject").asText()).isEqualTo("Comma, inside");
        assertThat(two.fields().get("body").asText()).isEqualTo("She said \"hi\"\nand then\n\nleft");
        assertThat(c.items.get(2).fields().get("subject").asText()).isEmpty();
        assertThat(c.items.get(2).fields().get("body").asText()).isEmpty();
        assertThat(c.items.get(3).fields().get("body").asText()).isEqualTo("no newline at end");
        assertThat(c.summary.lines()).isEqualTo(9);
    }

    @Test
    void csvBadRecordsFailAlone() throws IOException {
        String csv = "id,text\n"
                + "1,ok\n"
                + "2,too,many\n"
                + "3\n"
                + "4,\"closed\"junk\n"
                + "1,dup\n"
                + "5,\"unclosed\n"
                + "still inside\n";
        Collected c = read("x.csv", csv);
        assertThat(c.items).extracting(InputItem::id).containsExactly("1");
        assertThat(c.errorOnLine(3).reason()).isEqualTo("CSV record has 3 fields, the header has 2");
        assertThat(c.errorOnLine(4).reason()).isEqualTo("CSV record has 1 field, the header has 2");
        assertThat(c.errorOnLine(5).reason()).startsWith("unexpected 'j' after the closing quote at column 11");
        assertThat(c.errorOnLine(6).reason()).isEqualTo("duplicate id '1' (first seen on line 2)");
        // the quote on line 7 never closes, so it ends its record there and line 8 is a record again
        assertThat(c.errorOnLine(7).reason()).startsWith("unclosed quote starting at column 3: the quoted field runs"
                + " past the end of line 7 and the file ends before it closes");
        assertThat(c.errorOnLine(8).reason()).isEqualTo("CSV record has 1 field, the header has 2");
        assertThat(c.summary.nonBlank()).isEqualTo(7);
    }

    /** Every physical line but the header and blank ones: exactly one item or error, on its own 1-based line. */
    private static void assertOneOutcomePerLine(Collected c, long... lines) {
        List<Long> seen = new ArrayList<>();
        for (Object o : c.all) seen.add(o instanceof InputItem i ? i.line() : ((InputError) o).line());
        assertThat(seen).containsExactly(java.util.Arrays.stream(lines).boxed().toArray(Long[]::new));
    }

    @Test
    void csvUnclosedQuoteEndsItsRecordAtItsLineAndTheLinesAfterAreRecordsAgain() throws IOException {
        StringBuilder csv = new StringBuilder("id,subject,body\n"   // 1 header
                + "r2,fine,\"quoted, with comma\"\n"                // 2
                + "r3,\"opens a quote,never closed\n");              // 3
        for (int i = 4; i <= 10; i++) csv.append("r").append(i).append(",s").append(i).append(",b").append(i).append('\n');
        Collected c = read("x.csv", csv.toString());
        assertOneOutcomePerLine(c, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(c.items).extracting(InputItem::id).containsExactly("r2", "r4", "r5", "r6", "r7", "r8", "r9", "r10");
        assertThat(c.items.get(1).fields().get("body").asText()).isEqualTo("b4");
        assertThat(c.errorOnLine(3).reason()).startsWith("unclosed quote starting at column 4: the quoted field runs"
                + " past the end of line 3").contains("line 3 and the lines after it are read as records again");

        // a later quoted field closes it by accident: the record does not parse, so the same rule applies
        String accidental = "id,subject,body\n"
                + "a,\"open\n"                       // 2: opens
                + "b,plain,text\n"                   // 3
                + "c,\"quoted, field\",x\n"          // 4: its quote closes line 2's, then 'q' follows
                + "d,last,one\n";                    // 5
        Collected a = read("x.csv", accidental);
        assertOneOutcomePerLine(a, 2, 3, 4, 5);
        assertThat(a.items).extracting(InputItem::id).containsExactly("b", "c", "d");
        assertThat(a.errorOnLine(2).reason()).contains("do not make a well-formed record (unexpected 'q'");

        // it closes into a record of the wrong field count: also ended at its first line
        Collected w = read("x.csv", "id,text\n1,\"x\n2,y\",z\n3,z\n");
        assertOneOutcomePerLine(w, 2, 3, 4);
        assertThat(w.errorOnLine(2).reason()).contains("make a record of 3 fields, not the header's 2");
        assertThat(w.errorOnLine(3).reason()).isEqualTo("CSV record has 3 fields, the header has 2");
        assertThat(w.items).extracting(InputItem::id).containsExactly("3");

        // a quoted field over several lines that makes a good record is still one record
        Collected good = read("x.csv", "id,text\n1,\"two\nlines\"\n2,z\n");
        assertOneOutcomePerLine(good, 2, 4);
        assertThat(good.items.get(0).fields().get("text").asText()).isEqualTo("two\nlines");

        // still open at max_line_bytes: decided there, the lines after are read again
        StringBuilder big = new StringBuilder("id,text\n1,\"open\n");
        for (int i = 2; i <= 30; i++) big.append(i).append(",t").append(i).append('\n');
        Collected b = read("x.csv", big.toString().getBytes(StandardCharsets.UTF_8), 40);
        long[] expected = java.util.stream.LongStream.rangeClosed(2, 31).toArray();
        assertOneOutcomePerLine(b, expected);
        assertThat(b.errorOnLine(2).reason()).contains("still open after max_line_bytes (40 bytes)");
        assertThat(b.items).hasSize(29);

        // the header's own unclosed quote: the header is unusable and every line after still gets its outcome
        Collected h = read("x.csv", "id,\"text\n1,a\n2,b\n");
        assertOneOutcomePerLine(h, 2, 3);
        assertThat(h.errors).extracting(InputError::reason).allMatch(r -> r.startsWith(
                "CSV header on line 1 is unusable: unclosed quote starting at column 4"));
    }

    @Test
    void csvOversizeRecordSpanningLinesIsSkippedAsOneRecord() throws IOException {
        String csv = "id,text\n1,\"" + "a".repeat(30) + "\n" + "b".repeat(30) + "\"\n2,ok\n";
        Collected c = read("x.csv", csv.getBytes(StandardCharsets.UTF_8), 40);
        assertThat(c.items).extracting(InputItem::id).containsExactly("2");
        assertThat(c.items).extracting(InputItem::line).containsExactly(4L);
        assertThat(c.errors).containsExactly(new InputError(2, null, "CSV record is 65 bytes, over max_line_bytes 40"));
    }

    @Test
    void csvHeaderProblemsFailEveryRecordWithTheCause() throws IOException {
        Collected c = read("x.csv", "id,text,text\n1,a,b\n2,c,d\n");
        assertThat(c.items).isEmpty();
        assertThat(c.errors).extracting(InputError::reason).containsOnly(
                "CSV header on line 1 is unusable: column name 'text' appears twice");
        assertThat(c.errors).extracting(InputError::line).containsExactly(2L, 3L);
        assertThat(read("x.csv", "id,text\n").all).isEmpty(); // a header alone: no items
    }

    @Test
    void csvInvalidUtf8() throws IOException {
        byte[] content = "id,text\n1,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Collected c = read("x.csv", content, 100);
        assertThat(c.errors).containsExactly(new InputError(2, null, "invalid UTF-8 at byte 6 of the line"));
    }

    @Test
    void streamsAnInputLargerThanItsBuffersWithoutLoadingIt() throws IOException {
        // 200,000 lines produced on the fly: nothing here holds the file
        long lines = 200_000;
        InputStream generated = new InputStream() {
            long line = 0;
            byte[] current = new byte[0];
            int pos = 0;

            @Override
            public int read() {
                if (pos == current.length) {
                    if (line == lines) return -1;
                    line++;
                    current = ("{\"id\":\"t" + line + "\",\"text\":\"" + "z".repeat((int) (line % 300)) + "\"}\n")
                            .getBytes(StandardCharsets.UTF_8);
                    pos = 0;
                }
                return current[pos++];
            }
        };
        long[] count = {0};
        long[] lastLine = {0};
        InputReader.Summary s = new InputReader("big.jsonl", "id", 1000).read(generated, new InputVisitor() {
            @Override
            public void item(InputItem item) {
                count[0]++;
                lastLine[0] = item.line();
            }

            @Override
            public void error(InputError error) {
                throw new AssertionError(error.toString());
            }
        });
        assertThat(count[0]).isEqualTo(lines);
        assertThat(lastLine[0]).isEqualTo(lines);
        assertThat(s.items()).isEqualTo(lines);
    }
}
