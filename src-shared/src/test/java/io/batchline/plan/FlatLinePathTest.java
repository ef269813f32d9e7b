package io.batchline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.input.FlatLine;
import io.batchline.input.InputError;
import io.batchline.input.InputItem;
import io.batchline.input.InputReader;
import io.batchline.input.InputVisitor;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.render.EscapedText;
import io.batchline.render.PromptRenderer;
import io.batchline.render.RenderException;
import io.batchline.render.TokenEstimator;
import io.batchline.store.FileObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plan's fast path reads plain lines as {@link FlatLine}s and renders their requests without a Jackson
 * tree. For every line of a varied input it must give what the tree path gives: the same item or error (line,
 * id, reason), the same request bytes, token estimate and label; a line it cannot take goes the tree path.
 */
class FlatLinePathTest {

    /** One line per case; raw bytes where a case needs bytes JSON text cannot carry (invalid UTF-8). */
    static List<byte[]> variedInput() {
        List<String> lines = new ArrayList<>(List.of(
                "\ufeff{\"id\":\"T-1\",\"subject\":\"BOM on the first line\",\"body\":\"plain\",\"label\":\"account\"}",
                "{\"id\":\"T-2\",\"subject\":\"escapes\",\"body\":\"q \\\" b \\\\ s \\/ n \\n t \\t r \\r f \\f b \\b\",\"label\":\"other\"}",
                "{\"id\":\"T-3\",\"subject\":\"u escapes\",\"body\":\"\\u00e9 \\u20AC \\u0001 \\u001f \\u007f \\u0022 \\u005c \\u2028 \\u0041\"}",
                "{\"id\":\"T-4\",\"subject\":\"surrogate escapes\",\"body\":\"pray \\ud83d\\ude4f\",\"label\":\"x\"}",
                "{\"id\":\"T-5\",\"subject\":\"raw unicode é ü 渡辺 Ольга محمد\",\"body\":\"emoji 🙏🚀 and \u2028 \u2029 \u007f and \ufeff\"}",
                "{ \"id\" : \"T-6\" ,\t\"subject\" :\"spaces\\taround\" , \"body\": \"tokens\" }   ",
                "{\"id\":\"T-7\",\"subject\":\"numbers and literals elsewhere\",\"body\":\"b\",\"n\":1.50,\"m\":-0,\"e\":1e5,"
                        + "\"E\":-2.5E+10,\"t\":true,\"f\":false,\"z\":null}",
                "{\"id\":\"T-8\",\"subject\":\"nested elsewhere\",\"body\":\"b\",\"meta\":{\"a\":[1,2,{\"b\":null}]}}",
                "{\"id\":null,\"subject\":\"null id\",\"body\":\"hashed\"}",
                "{\"subject\":\"no id\",\"body\":\"hashed too\"}",
                "{\"id\":\"   \",\"subject\":\"blank id\",\"body\":\"hashed\"}",
                "{\"id\":42,\"subject\":\"number id\",\"body\":\"b\"}",
                "{\"id\":4.0,\"subject\":\"decimal id\",\"body\":\"b\"}",
                "{\"id\":\"T-\\u0031\\u0034\",\"subject\":\"escaped id\",\"body\":\"b\"}",
                "{\"id\":\"Zoë-1\",\"subject\":\"unicode id\",\"body\":\"b\",\"label\":\"crème\"}",
                "{\"id\":\"T-1\",\"subject\":\"duplicate id\",\"body\":\"b\"}",
                "{\"id\":\"T-16\",\"subject\":\"duplicate key\",\"body\":\"b\",\"body\":\"c\"}",
                "{\"id\":\"T-17\",\"subj\\u0065ct\":\"escaped key\",\"body\":\"b\"}",
                "{\"id\":\"T-18\",\"subject\":42,\"body\":\"number in the template\"}",
                "{\"id\":\"T-19\",\"subject\":true,\"body\":{\"an\":\"object\",\"in\":[\"the\",\"template\"]}}",
                "{\"id\":\"T-20\",\"subject\":null,\"body\":\"null in the template\"}",
                "{\"id\":\"T-21\",\"body\":\"missing subject\"}",
                "{\"id\":\"T-22\",\"subject\":\"label is a number\",\"body\":\"b\",\"label\":7}",
                "{\"id\":\"T-23\",\"subject\":\"label is an object\",\"body\":\"b\",\"label\":{\"a\":1}}",
                "{\"id\":\"T-24\",\"subject\":\"label is null\",\"body\":\"b\",\"label\":null}",
                "{\"id\":\"T-25\",\"subject\":\"label escaped\",\"body\":\"b\",\"label\":\"a\\nb\"}",
                "{\"id\":\"T-26\",\"subject\":\"\",\"body\":\"\"}",
                "{}",
                "[1,2]",
                "\"a string\"",
                "null",
                "{\"id\":\"T-30\",\"subject\":\"unclosed",
                "{\"id\":\"T-31\",\"subject\":\"trailing comma\",\"body\":\"b\",}",
                "{\"id\":\"T-32\",\"subject\":\"after the object\",\"body\":\"b\"} {}",
                "{\"id\":\"T-33\",\"subject\":\"leading zero\",\"body\":\"b\",\"n\":01}",
                "{\"id\":\"T-34\",\"subject\":\"bad number\",\"body\":\"b\",\"n\":1.}",
                "{\"id\":\"T-35\",\"subject\":\"bad escape \\x\",\"body\":\"b\"}",
                "{\"id\":\"T-36\",\"subject\":\"raw tab\tin a string\",\"body\":\"b\"}",
                "{\"id\":\"T-37\",\"subject\":\"single quotes\",'body':\"b\"}",
                "{\"id\":\"T-38\",\"subject\":\"literal\",\"body\":\"b\",\"x\":tru}",
                "{\"id\":\"T-39\",\"subject\":\"a {{body}} placeholder stays literal\",\"body\":\"{{subject}}\"}",
                "{\"id\":\"T-40\",\"subject\":\"long\",\"body\":\"" + "word ".repeat(300) + "\"}",
                "{\"id\":\"T-41\",\"subject\":\"over max_line_bytes\",\"body\":\"" + "x".repeat(70_000) + "\"}",
                "   ",
                "{\"id\":\"T-43\",\"subject\":\"lone surrogate escape\",\"body\":\"\\ud800x\"}",
                "{\"body\":\"key order differs\",\"label\":\"billing\",\"subject\":\"s\",\"id\":\"T-44\"}"));
        List<byte[]> bytes = new ArrayList<>();
        for (String line : lines) bytes.add(line.getBytes(StandardCharsets.UTF_8));
        // invalid UTF-8: a stray continuation byte, an overlong form, an encoded surrogate, a truncated sequence
        for (byte[] bad : new byte[][] {{(byte) 0x80}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xE2, (byte) 0x82}}) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            line.writeBytes("{\"id\":\"bad-utf8\",\"subject\":\"".getBytes(StandardCharsets.UTF_8));
            line.writeBytes(bad);
            line.writeBytes("\",\"body\":\"b\"}".getBytes(StandardCharsets.UTF_8));
            bytes.add(line.toByteArray());
        }
        return bytes;
    }

    static byte[] file(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            out.writeBytes(line);
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** What one path made of one line. */
    record Event(long line, String id, String outcome) {}

    /** Reads the file and renders every item as plan does: the tree path, or flat lines where the reader makes them. */
    static final class Recorder implements InputVisitor {
        final JobSpec job;
        final PromptRenderer renderer;
        final RequestLineWriter writer;
        final FlatLine.Fields flatFields;
        final List<Event> events = new ArrayList<>();
        int flatItems;

        Recorder(JobSpec job, boolean flat) {
            this.job = job;
            this.renderer = new PromptRenderer(job, ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023);
            this.writer = new RequestLineWriter(renderer.systemText());
            this.flatFields = flat ? renderer.flatFields(job.idField(), job.groundTruthField()) : null;
            if (flat) assertThat(flatFields).as("the job can be read as flat lines").isNotNull();
        }

        @Override
        public FlatLine.Fields flatFields() {
            return flatFields;
        }

        @Override
        public void item(InputItem item) {
            String customId = Planner.customId(1, item.line());
            String outcome;
            try {
                if (item.flat() != null) {
                    flatItems++;
                    EscapedText content = renderer.plainContent(item.flat());
                    ObjectNode shape = renderer.plainShape();
                    outcome = writer.writePlain(customId, shape, content).toString(StandardCharsets.UTF_8)
                            + " tokens=" + TokenEstimator.estimate(shape, content.utf8Length())
                            + " label=" + item.flat().label()
                            + " fields=" + item.fields(); // the tree is still there for whoever asks for it
                } else {
                    ObjectNode params = renderer.params(item);
                    outcome = writer.write(customId, params).toString(StandardCharsets.UTF_8)
                            + " tokens=" + TokenEstimator.estimate(params) + " label=" + treeLabel(item)
                            + " fields=" + item.fields();
                }
            } catch (RenderException e) {
                outcome = "render error: " + e.getMessage();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            events.add(new Event(item.line(), item.id(), outcome));
        }

        /** As Planner reads the ground-truth label from a tree. */
        private String treeLabel(InputItem item) {
            JsonNode value = item.fields().get(job.groundTruthField());
            return value == null || value.isNull() || value.isContainerNode() ? null : value.asText();
        }

        @Override
        public void error(InputError error) {
            events.add(new Event(error.line(), error.id(), "error: " + error.reason()));
        }
    }

    static List<Event> read(JobSpec job, byte[] input, Recorder recorder) throws Exception {
        InputReader.forJob(job, "tickets.jsonl").read(new ByteArrayInputStream(input), recorder);
        return recorder.events;
    }

    @Test
    void every_line_of_a_varied_input_reads_and_renders_the_same_on_the_flat_and_the_tree_path() throws Exception {
        for (String template : java.util.Arrays.asList(
                null, // the sample's
                "{{body}}",
                "Subject: {{subject}} \"quoted\" \\ é 渡 🙏 \u0001\n{{body}}{{subject}}")) {
            ObjectNode spec = Json.MAPPER.valueToTree(PlannerTest.sampleJob());
            spec.putNull("strata");
            spec.putNull("long_inputs");
            if (template != null) spec.put("user_template", template);
            JobSpec job = Json.convert(spec, JobSpec.class);
            byte[] input = file(variedInput());

            Recorder flat = new Recorder(job, true);
            List<Event> tree = read(job, input, new Recorder(job, false));
            List<Event> fast = read(job, input, flat);

            assertThat(fast).as("template %s", template).containsExactlyElementsOf(tree);
            assertThat(flat.flatItems).as("lines taken as flat").isGreaterThanOrEqualTo(15);
            assertThat(tree).extracting(Event::outcome).anyMatch(o -> o.startsWith("error: duplicate id"))
                    .anyMatch(o -> o.startsWith("error: invalid UTF-8")).anyMatch(o -> o.startsWith("render error"))
                    .anyMatch(o -> o.startsWith("error: malformed JSON"));
        }
    }

    @Test
    void plan_writes_the_same_shards_indexes_and_failures_whichever_path_reads_the_lines(@TempDir Path dir)
            throws Exception {
        ObjectNode spec = Json.MAPPER.valueToTree(PlannerTest.withShard(PlannerTest.sampleJob(), 7, 10_000_000));
        spec.putNull("strata");
        spec.putNull("long_inputs");
        JobSpec job = Json.convert(spec, JobSpec.class);
        // the same job with few-shot examples by type for a field no line has: every request is the same, but
        // the second system block could depend on the line, so this job reads every line as a tree
        ObjectNode fewShot = (ObjectNode) spec.get("few_shot");
        fewShot.put("by_field", "no_such_field");
        fewShot.set("by_value", Json.MAPPER.createObjectNode().set("never", fewShot.get("examples")));
        JobSpec treeJob = Json.convert(spec, JobSpec.class);
        assertThat(new PromptRenderer(treeJob,
                ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).flatFields("id", "label")).isNull();
        byte[] input = file(variedInput());

        FileObjectStore flatStore = new FileObjectStore(dir.resolve("flat"));
        Plan flat = new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(job, "r", 1, new ByteArrayInputStream(input), "tickets.jsonl",
                flatStore));
        FileObjectStore treeStore = new FileObjectStore(dir.resolve("tree"));
        Plan tree = new Planner(ModelCatalogue.bundled(), ModelCatalogue.API_VERSION_2023).plan(PlanRequest.of(treeJob, "r", 1, new ByteArrayInputStream(input), "tickets.jsonl",
                treeStore));

        assertThat(Json.string(flat)).isEqualTo(Json.string(tree));
        assertThat(flat.shards()).hasSizeGreaterThan(2);
        assertThat(flat.invalid()).isGreaterThan(10);
        assertThat(flatStore.list("")).isEqualTo(treeStore.list("")).isNotEmpty();
        for (String key : flatStore.list("")) {
            assertThat(new String(Files.readAllBytes(flatStore.pathOf(key)), StandardCharsets.UTF_8)).as(key)
                    .isEqualTo(new String(Files.readAllBytes(treeStore.pathOf(key)), StandardCharsets.UTF_8));
        }
    }
}
