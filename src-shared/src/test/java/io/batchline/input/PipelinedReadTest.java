package io.batchline.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class PipelinedReadTest {

    /** Items, blank lines, broken JSON, non-objects and duplicate ids, over many batches and a partial last one. */
    private static byte[] mixedInput(int lines) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= lines; i++) {
            switch (i % 7) {
                case 0 -> text.append("\n");
                case 3 -> text.append("{\"id\":\"x").append(i).append("\",\"body\":\n");
                case 5 -> text.append("[1,2]\n");
                case 6 -> text.append("{\"id\":\"x").append(i - 2).append("\",\"body\":\"again\"}\n");
                default -> text.append("{\"id\":\"x").append(i).append("\",\"body\":\"caf\u00e9 ").append(i).append("\"}\n");
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static InputReader reader(String name) {
        return new InputReader(name, "id", 1 << 20);
    }

    @Test
    void the_visitor_sees_the_same_calls_in_the_same_order_as_a_plain_read_all_on_one_thread() throws IOException {
        // GIVEN an input of many batches with every kind of line
        byte[] input = mixedInput(PipelinedRead.BATCH * PipelinedRead.QUEUED_BATCHES * 3 + 17);
        InputReaderTest.Collected plain = new InputReaderTest.Collected();
        InputReader.Summary plainSummary = reader("in.jsonl").read(new ByteArrayInputStream(input), plain);

        // WHEN it is read pipelined
        Set<Thread> visitorThreads = new HashSet<>();
        InputReaderTest.Collected piped = new InputReaderTest.Collected();
        InputVisitor recordingThread = new InputVisitor() {
            @Override
            public void item(InputItem item) {
                visitorThreads.add(Thread.currentThread());
                piped.item(item);
            }

            @Override
            public void error(InputError error) {
                visitorThreads.add(Thread.currentThread());
                piped.error(error);
            }
        };
        InputReader.Summary pipedSummary = PipelinedRead.read(reader("in.jsonl"), new ByteArrayInputStream(input),
                recordingThread);

        // THEN the calls, their order and the summary are the plain read's
        assertThat(plain.errors).isNotEmpty();
        assertThat(piped.all).isEqualTo(plain.all);
        assertThat(pipedSummary).isEqualTo(plainSummary);
        assertThat(visitorThreads).hasSize(1);
    }

    @Test
    void a_visitor_failure_stops_the_read_and_is_rethrown_as_it_was_thrown() {
        // GIVEN a visitor that fails on line 1002 (an item; line 1000 is a duplicate)
        IllegalStateException boom = new IllegalStateException("store refused line 1002");
        long[] lastLine = {0};
        InputVisitor failing = new InputVisitor() {
            @Override
            public void item(InputItem item) {
                lastLine[0] = item.line();
                if (item.line() == 1002) throw boom;
            }

            @Override
            public void error(InputError error) {
                lastLine[0] = error.line();
            }
        };
        byte[] input = mixedInput(50_000);

        // WHEN / THEN the same exception comes out, and nothing after line 1002 was visited
        assertThatThrownBy(() -> PipelinedRead.read(reader("in.jsonl"), new ByteArrayInputStream(input), failing))
                .isSameAs(boom);
        assertThat(lastLine[0]).isEqualTo(1002);
    }

    @Test
    void a_broken_input_fails_with_the_readers_io_error() throws IOException {
        // GIVEN a gzip cut in the middle
        ByteArrayOutputStream zipped = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
            gz.write(mixedInput(20_000));
        }
        byte[] cut = java.util.Arrays.copyOf(zipped.toByteArray(), zipped.size() / 2);
        InputReaderTest.Collected seen = new InputReaderTest.Collected();

        // WHEN / THEN it fails as a plain read does, naming the input
        assertThatThrownBy(() -> PipelinedRead.read(reader("in.jsonl.gz"), new ByteArrayInputStream(cut), seen))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("reading input in.jsonl.gz: ");
    }

    @Test
    void a_preparing_visitor_gets_each_items_own_prepared_value_in_order_prepared_on_the_reading_thread()
            throws IOException {
        // GIVEN a visitor that prepares each item's id upper-cased, noting where it prepares and where it visits
        byte[] input = mixedInput(PipelinedRead.BATCH * 5 + 3);
        Thread reading = Thread.currentThread();
        Set<Thread> preparedOn = new HashSet<>();
        java.util.List<String> seen = new java.util.ArrayList<>();
        InputReaderTest.Collected plain = new InputReaderTest.Collected();
        reader("in.jsonl").read(new ByteArrayInputStream(input), plain);
        PipelinedRead.PreparingVisitor<String> preparing = new PipelinedRead.PreparingVisitor<>() {
            @Override
            public String prepare(InputItem item) {
                preparedOn.add(Thread.currentThread());
                return item.id().toUpperCase(java.util.Locale.ROOT);
            }

            @Override
            public void item(InputItem item, String prepared) {
                seen.add(item.line() + ":" + prepared);
            }

            @Override
            public void error(InputError error) {
                seen.add(error.line() + ":error");
            }
        };

        // WHEN it is read pipelined
        PipelinedRead.read(reader("in.jsonl"), new ByteArrayInputStream(input), preparing);

        // THEN every item came with its own prepared value, in the plain read's order
        java.util.List<String> expected = plain.all.stream()
                .map(e -> e instanceof InputItem item ? item.line() + ":" + item.id().toUpperCase(java.util.Locale.ROOT)
                        : ((InputError) e).line() + ":error")
                .toList();
        assertThat(seen).isEqualTo(expected);
        if (Runtime.getRuntime().availableProcessors() >= 2) assertThat(preparedOn).containsExactly(reading);
    }
}
