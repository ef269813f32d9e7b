package io.batchline.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.input.FlatLine;
import io.batchline.input.InputItem;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;

/**
 * Turns one input item into the {@code params} of a Message Batches request. Built once per
 * job spec; immutable and thread-safe. The system text is the same for every item and carries
 * {@code cache_control} so prompt caching applies to the shared prefix.
 *
 * <p>Convention other parts rely on (the local Anthropic simulator among them): the output schema is the
 * LAST {@code ```json} fenced block of the system text.
 */
public final class PromptRenderer {

    static final String SCHEMA_INSTRUCTION =
            "Respond with a single JSON object that conforms to this JSON Schema:\n```json\n";

    private final JobSpec job;
    private final Template template;
    private final String systemText;
    private final ObjectNode cacheControl;
    /** null without few_shot */
    private final FewShot fewShot;
    /** each stratum's parsed user_template, by name (those that set one) */
    private final java.util.Map<String, Template> strataTemplates = new java.util.HashMap<>();

    /** Each request shape by stratum name ({@link RequestShape#JOB} for the job's own). */
    private final java.util.Map<String, RequestShape> shapes;

    public PromptRenderer(JobSpec job, io.batchline.catalogue.ModelCatalogue catalogue, String apiVersion) {
        this.job = job;
        java.util.List<String> problems = new java.util.ArrayList<>();
        this.shapes = RequestShape.forJob(job, catalogue, apiVersion, problems);
        if (!problems.isEmpty()) {
            throw new RenderException("the job's requests would be refused: " + String.join("; ", problems));
        }
        this.template = Template.parse(job.userTemplate());
        this.fewShot = FewShot.of(job);
        this.systemText = systemText(job, shapes.get(RequestShape.JOB).structuredOutput());
        if (job.strata() != null) {
            for (JobSpec.Stratum s : job.strata()) {
                if (s.userTemplate() != null) strataTemplates.put(s.name(), Template.parse(s.userTemplate()));
            }
        }
        this.cacheControl = cacheControl(job);
        this.plain = PlainTemplate.of(template, fewShot);
        this.plainShape = plain == null ? null : params("", null, null);
    }

    // ---------------------------------------------------------------- flat lines (fast path)

    /** The user template as escaped literals and text fields, for flat lines; null when they cannot be used. */
    private final PlainTemplate plain;
    private final ObjectNode plainShape;

    /**
     * What a flat line must hold for {@link #plainContent} to render it, with this id and label field; null when
     * this job's requests cannot be rendered from one (a dotted placeholder, few-shot examples by type).
     */
    public FlatLine.Fields flatFields(String idField, String labelField) {
        return plain == null ? null : new FlatLine.Fields(idField, labelField, plain.fields);
    }

    /**
     * The params of every plain request (the job's template, model and max_tokens), with an empty user message:
     * a flat line's request is these with {@link #plainContent} as the message. Shared: do not change it.
     */
    public ObjectNode plainShape() {
        return plainShape;
    }

    /**
     * A flat line's user message, rendered as {@link #params(InputItem)} renders it and escaped as the request
     * line carries it (see {@link JsonEscaper}). Only for a line read with {@link #flatFields}.
     */
    public EscapedText plainContent(FlatLine line) {
        return plain.render(line);
    }

    /** A user template of literals and top-level placeholders, prepared to render flat lines. */
    private static final class PlainTemplate {
        /** the distinct top-level fields, in order of first use */
        final java.util.List<String> fields = new java.util.ArrayList<>();
        /** per piece: the escaped literal, or null for a placeholder */
        private final byte[][] literals;
        /** per piece: the index in {@link #fields} of a placeholder */
        private final int[] fieldIndex;
        private int literalBytes;
        private long literalUtf8;

        private PlainTemplate(int pieces) {
            literals = new byte[pieces][];
            fieldIndex = new int[pieces];
        }

        static PlainTemplate of(Template template, FewShot fewShot) {
            if (fewShot != null && fewShot.byType()) return null; // its second system block depends on the item
            java.util.List<Object> pieces = template.pieces();
            PlainTemplate plain = new PlainTemplate(pieces.size());
            for (int i = 0; i < pieces.size(); i++) {
                if (pieces.get(i) instanceof String literal) {
                    byte[] out = new byte[JsonEscaper.maxEscapedLength(literal.length())];
                    plain.literals[i] = java.util.Arrays.copyOf(out, JsonEscaper.escape(literal, out, 0));
                    plain.literalBytes += plain.literals[i].length;
                    plain.literalUtf8 += TokenEstimator.utf8Length(literal);
                } else {
                    String[] path = (String[]) pieces.get(i);
                    if (path.length != 1) return null; // a dotted path reads into nested values: trees only
                    int index = plain.fields.indexOf(path[0]);
                    if (index < 0) {
                        index = plain.fields.size();
                        plain.fields.add(path[0]);
                    }
                    plain.fieldIndex[i] = index;
                }
            }
            return plain;
        }

        EscapedText render(FlatLine line) {
            byte[] src = line.bytes();
            int room = literalBytes;
            for (int i = 0; i < literals.length; i++) {
                int f = fieldIndex[i];
                if (literals[i] == null) room += (line.verbatim(f) ? 1 : 3) * (line.end(f) - line.start(f));
            }
            byte[] out = new byte[room];
            long[] utf8 = {literalUtf8};
            int p = 0;
            for (int i = 0; i < literals.length; i++) {
                byte[] literal = literals[i];
                if (literal != null) {
                    System.arraycopy(literal, 0, out, p, literal.length);
                    p += literal.length;
                } else {
                    int f = fieldIndex[i];
                    p = JsonEscaper.transcode(src, line.start(f), line.end(f), out, p, utf8);
                }
            }
            return new EscapedText(out, p, utf8[0]);
        }
    }

    /**
     * The job's system prompt, its static few-shot examples, then the output schema the answer must satisfy, unless
     * {@code structuredOutput}: then the schema travels as {@code output_config.format} and is not repeated here.
     */
    public static String systemText(JobSpec job, boolean structuredOutput) {
        String system = job.system() == null ? "" : job.system().strip();
        String prefix = system.isEmpty() ? "" : system + "\n\n";
        FewShot fewShot = FewShot.of(job);
        if (fewShot != null && fewShot.staticText() != null) prefix += fewShot.staticText() + "\n\n";
        if (structuredOutput) {
            String text = prefix.strip();
            return text.isEmpty() ? "Answer with the JSON object the response format describes." : text;
        }
        return prefix + SCHEMA_INSTRUCTION + Json.string(job.outputSchema()) + "\n```";
    }

    /** The request shapes of this job: what plan.json reports as request_shapes. */
    public java.util.Map<String, RequestShape> shapes() {
        return shapes;
    }

    /** The shape of a stratum's requests (null: the job's own). */
    public RequestShape shape(JobSpec.Stratum stratum) {
        if (stratum != null) {
            RequestShape own = shapes.get(stratum.name());
            if (own != null) return own;
        }
        return shapes.get(RequestShape.JOB);
    }

    public String systemText() {
        return systemText;
    }

    public Template template() {
        return template;
    }

    /**
     * {@code {"type":"ephemeral"}}, with {@code "ttl"} when the job names one ({@code cache_ttl}: 5m or 1h).
     * Every request of a job carries the identical block, as the provider needs for cache hits.
     */
    public static ObjectNode cacheControl(JobSpec job) {
        ObjectNode control = JsonNodeFactory.instance.objectNode();
        control.put("type", "ephemeral");
        if (job.cacheTtl() != null) control.put("ttl", job.cacheTtl());
        return control;
    }

    /** The user message for this item: the template with the item's fields; only template fields are used. */
    public String userText(InputItem item) {
        return template.render(item.fields());
    }

    /**
     * {@code {model, max_tokens, [temperature], [thinking], [output_config], system:[{type:text, text, cache_control}],
     * messages:[{role:user, content}]}}: see {@link RequestShape}.
     * Throws {@link RenderException} when a template field is missing or null.
     */
    public ObjectNode params(InputItem item) {
        return params(item.fields(), null);
    }

    /**
     * The params for these item fields in a stratum (null = the job's template, model and max_tokens). The
     * fields may differ from the item's own: a chunk or a truncated copy of its long field; per-type
     * few-shot examples are chosen from them.
     */
    public ObjectNode params(com.fasterxml.jackson.databind.JsonNode fields, JobSpec.Stratum stratum) {
        Template t = stratum == null ? template : strataTemplates.getOrDefault(stratum.name(), template);
        String user = t.render(fields);
        return params(user, fewShot == null ? null : fewShot.typedText(fields), stratum);
    }

    private ObjectNode params(String user, String typed, JobSpec.Stratum stratum) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode params = nodes.objectNode();
        shape(stratum).applyTo(params);
        ArrayNode system = params.putArray("system");
        ObjectNode block = system.addObject();
        block.put("type", "text");
        block.put("text", systemText);
        block.set("cache_control", cacheControl.deepCopy());
        if (typed != null) { // a second cached block: the same bytes for every item of this type
            ObjectNode examples = system.addObject();
            examples.put("type", "text");
            examples.put("text", typed);
            examples.set("cache_control", cacheControl.deepCopy());
        }
        ObjectNode message = params.putArray("messages").addObject();
        message.put("role", "user");
        message.put("content", user);
        return params;
    }
}
