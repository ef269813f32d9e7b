package io.batchline.job;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaId;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.batchline.json.Json;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.render.RequestShape;
import io.batchline.render.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.time.LocalDate;

/**
 * Reads a job spec: YAML -> checked against {@code batchline/job-spec.schema.json} (the users'
 * documentation of job specs) -> defaults filled in -> semantic checks the schema cannot express.
 * Every problem is collected and reported at once in one {@link JobSpecException}.
 */
public final class JobSpecLoader {
    private JobSpecLoader() {}

    public static final String SCHEMA_RESOURCE = "batchline/job-spec.schema.json";

    /** Duplicate keys are errors: a repeated key in YAML is almost always a mistake that would hide a value. */
    private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private static final SchemaValidatorsConfig SCHEMA_CONFIG = SchemaValidatorsConfig.builder()
            .locale(Locale.ENGLISH)
            .pathType(PathType.JSON_PATH)
            .build();
    private static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final JsonSchema JOB_SPEC_SCHEMA = loadJobSpecSchema();
    /** The 2020-12 meta-schema, bundled with the validator: checks that output_schema is a schema. */
    private static final JsonSchema META_SCHEMA =
            SCHEMAS.getSchema(SchemaLocation.of(SchemaId.V202012), SCHEMA_CONFIG);

    /**
     * Loads a job spec and checks it against the static facts of {@code catalogue} at {@code apiVersion} (the model
     * exists, the requests it implies are ones the model accepts). A run's snapshot is read with this, so a run
     * keeps working while its model retires mid-way; before anything is spent, use
     * {@link #load(byte[], LocalDate, ModelCatalogue, String)}.
     */
    public static JobSpec load(byte[] yaml, ModelCatalogue catalogue, String apiVersion) {
        return load(yaml, null, catalogue, apiVersion);
    }

    /**
     * {@link #load(byte[], ModelCatalogue, String)}, and the model must still be served on {@code servedOn} (null:
     * not checked).
     */
    public static JobSpec load(byte[] yaml, LocalDate servedOn, ModelCatalogue catalogue, String apiVersion) {
        JsonNode doc;
        try {
            doc = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new JobSpecException("not valid YAML: " + e.getOriginalMessage() + locationOf(e), e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading job spec", e);
        }
        return fromTree(doc, servedOn, catalogue, apiVersion);
    }

    public static JobSpec load(InputStream yaml, ModelCatalogue catalogue, String apiVersion) {
        return load(yaml, null, catalogue, apiVersion);
    }

    public static JobSpec load(InputStream yaml, LocalDate servedOn, ModelCatalogue catalogue, String apiVersion) {
        try {
            // a job spec is a small config file, not an input
            return load(yaml.readAllBytes(), servedOn, catalogue, apiVersion);
        } catch (IOException e) {
            throw new UncheckedIOException("reading job spec", e);
        }
    }

    private static String locationOf(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    static JobSpec fromTree(JsonNode doc, LocalDate servedOn, ModelCatalogue catalogue, String apiVersion) {
        if (doc == null || doc.isMissingNode() || doc.isNull()) {
            throw new JobSpecException(List.of("$: the job spec is empty"));
        }
        if (!doc.isObject()) {
            throw new JobSpecException(List.of("$: expected a mapping of job settings, found " + doc.getNodeType()
                    .name().toLowerCase(Locale.ROOT)));
        }
        List<String> problems = new ArrayList<>();
        doc = yamlSwitchesAsWords((ObjectNode) doc);
        for (ValidationMessage m : JOB_SPEC_SCHEMA.validate(doc)) problems.add(describe(m));

        ObjectNode spec = withDefaults((ObjectNode) doc);
        // Semantic checks run even after schema errors, guarding types, so one pass shows everything.
        checkModel(spec, catalogue, servedOn, problems);
        checkTemplate(spec, problems);
        checkOutputSchema(spec, problems);
        checkThresholds(spec, problems);
        checkSampleGate(spec, problems);
        checkEscalation(spec, problems);
        PromptStrategyChecks.check(spec, problems); // few_shot, long_inputs, strata
        GoldenCanaryChecks.check(spec, problems); // golden, canary
        if (!problems.isEmpty()) throw new JobSpecException(problems);
        spec.remove("allow_unpinned_model");
        JobSpec job;
        try {
            job = Json.MAPPER.treeToValue(spec, JobSpec.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // the schema should have caught this: say so rather than hide it
            throw new JobSpecException("cannot bind job spec: " + e.getMessage(), e);
        }
        // the requests this job implies, per model: refused here, before anything is spent, not hours later
        RequestShape.forJob(job, catalogue, apiVersion, problems);
        io.batchline.escalate.EscalationRound.shape(job, catalogue, apiVersion, problems);
        if (!problems.isEmpty()) throw new JobSpecException(problems);
        return job;
    }

    /**
     * YAML reads a bare {@code on}/{@code off} as a boolean: {@code structured_output: off} and {@code thinking: off}
     * mean the words.
     */
    private static ObjectNode yamlSwitchesAsWords(ObjectNode doc) {
        ObjectNode copy = doc.deepCopy();
        if (copy.path("structured_output").isBoolean()) {
            copy.put("structured_output", copy.get("structured_output").booleanValue() ? "on" : "off");
        }
        if (copy.path("escalation").path("structured_output").isBoolean()) {
            ObjectNode escalation = (ObjectNode) copy.get("escalation");
            escalation.put("structured_output", escalation.get("structured_output").booleanValue() ? "on" : "off");
        }
        if (copy.path("thinking").isBoolean()) {
            copy.put("thinking", copy.get("thinking").booleanValue() ? "adaptive" : "off");
        }
        return copy;
    }

    private static String describe(ValidationMessage m) {
        String path = m.getInstanceLocation().toString();
        String message = m.getMessage();
        // networknt prefixes the location itself; keep one copy
        String body = message.startsWith(path + ": ") ? message.substring(path.length() + 2) : message;
        return path + ": " + body;
    }

    private static ObjectNode withDefaults(ObjectNode doc) {
        ObjectNode spec = doc.deepCopy();
        putIfAbsent(spec, "system", "");
        putIfAbsent(spec, "id_field", "id");
        if (!spec.has("max_attempts")) spec.put("max_attempts", 3);
        if (!spec.has("max_line_bytes")) spec.put("max_line_bytes", 1_048_576);
        if (!spec.has("confidence")) spec.putObject("confidence");
        if (spec.get("confidence").isObject()) {
            ObjectNode confidence = (ObjectNode) spec.get("confidence");
            putIfAbsent(confidence, "field", "confidence");
            if (!confidence.has("accept_at")) confidence.put("accept_at", 0.9);
            if (!confidence.has("review_at")) confidence.put("review_at", 0.7);
        }
        if (!spec.has("shard")) spec.putObject("shard");
        if (spec.get("shard").isObject()) {
            ObjectNode shard = (ObjectNode) spec.get("shard");
            if (!shard.has("max_requests")) shard.put("max_requests", 10_000);
            if (!shard.has("max_bytes")) shard.put("max_bytes", 104_857_600L);
        }
        return spec;
    }

    private static void putIfAbsent(ObjectNode node, String field, String value) {
        if (!node.has(field)) node.put(field, value);
    }

    /** The job's and each stratum's model: known to the catalogue, pinned unless allowed, served on the day. */
    private static void checkModel(ObjectNode spec, ModelCatalogue catalogue, LocalDate servedOn, List<String> problems) {
        boolean allowUnpinned = spec.path("allow_unpinned_model").asBoolean(false);
        LocalDate day = servedOn; // null: lifecycle not checked
        JsonNode model = spec.get("model");
        if (model != null && model.isTextual() && !model.textValue().isEmpty()) {
            catalogue.problemWith(model.textValue(), day, allowUnpinned).ifPresent(p -> problems.add("$.model: " + p));
        }
        JsonNode escalationModel = spec.path("escalation").path("model");
        if (escalationModel.isTextual() && !escalationModel.textValue().isEmpty()) {
            catalogue.problemWith(escalationModel.textValue(), day, allowUnpinned)
                    .ifPresent(p -> problems.add("$.escalation.model: " + p));
        }
        JsonNode strata = spec.path("strata");
        for (int i = 0; i < strata.size(); i++) {
            JsonNode m = strata.get(i).path("model");
            if (m.isTextual() && !m.textValue().isEmpty()) {
                String where = "$.strata[" + i + "].model: ";
                catalogue.problemWith(m.textValue(), day, allowUnpinned).ifPresent(p -> problems.add(where + p));
            }
        }
    }

    /**
     * Chunked long inputs (one line merged from many answers, each of which would escalate alone) do not combine
     * with an escalation yet.
     */
    private static void checkEscalation(ObjectNode spec, List<String> problems) {
        if (!spec.path("escalation").isObject()) return;
        if ("chunk".equals(spec.path("long_inputs").path("mode").asText(""))) {
            problems.add("$.escalation: cannot be combined with long_inputs mode chunk (use mode truncate)");
        }
    }

    /** sample.max_error_rate is a rate strictly between 0 and 1: 0 could never pass, 1 could never fail. */
    private static void checkSampleGate(ObjectNode spec, List<String> problems) {
        JsonNode max = spec.path("sample").path("max_error_rate");
        if (!max.isNumber()) return; // absent, or the schema already named the wrong type
        double value = max.doubleValue();
        if (!(value > 0 && value < 1)) {
            problems.add("$.sample.max_error_rate: " + max.asText() + " must be between 0 and 1, both excluded"
                    + " (a rate, e.g. 0.02 for 2%)");
        }
    }

    private static void checkTemplate(ObjectNode spec, List<String> problems) {
        JsonNode template = spec.get("user_template");
        if (template == null || !template.isTextual()) return;
        for (String p : Template.problems(template.textValue())) problems.add("$.user_template: " + p);
    }

    private static void checkOutputSchema(ObjectNode spec, List<String> problems) {
        JsonNode schema = spec.get("output_schema");
        if (schema == null || !schema.isObject()) return;
        int before = problems.size();
        for (ValidationMessage m : META_SCHEMA.validate(schema)) {
            problems.add("$.output_schema" + describe(m).substring(1) + " (not a valid JSON Schema)");
        }
        if (problems.size() == before) {
            try {
                SCHEMAS.getSchema(schema, SCHEMA_CONFIG).initializeValidators();
            } catch (JsonSchemaException | IllegalArgumentException e) {
                problems.add("$.output_schema: cannot be compiled as a JSON Schema: " + e.getMessage());
            }
        }
        JsonNode field = spec.path("confidence").path("field");
        if (!field.isTextual()) return;
        JsonNode properties = schema.path("properties");
        JsonNode property = properties.path(field.textValue());
        if (property.isMissingNode()) {
            List<String> names = new ArrayList<>();
            for (Iterator<String> it = properties.fieldNames(); it.hasNext(); ) names.add(it.next());
            problems.add("$.confidence.field: '" + field.textValue() + "' is not a property of output_schema"
                    + (names.isEmpty() ? " (it declares no properties)" : " (its properties: " + String.join(", ", names) + ")"));
        } else if (property.has("type") && !allowsNumber(property.get("type"))) {
            problems.add("$.output_schema.properties." + field.textValue() + ": the confidence field must be a number, not "
                    + property.get("type"));
        }
    }

    private static boolean allowsNumber(JsonNode type) {
        if (type.isTextual()) return type.textValue().equals("number") || type.textValue().equals("integer");
        if (type.isArray()) {
            for (JsonNode t : type) if (allowsNumber(t)) return true;
        }
        return false;
    }

    private static void checkThresholds(ObjectNode spec, List<String> problems) {
        JsonNode accept = spec.path("confidence").path("accept_at");
        JsonNode review = spec.path("confidence").path("review_at");
        if (accept.isNumber() && review.isNumber() && review.doubleValue() > accept.doubleValue()) {
            problems.add("$.confidence.review_at: " + review.asText() + " must be <= accept_at (" + accept.asText() + ")");
        }
    }

    private static JsonSchema loadJobSpecSchema() {
        try (InputStream in = JobSpecLoader.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) throw new IllegalStateException("missing classpath resource " + SCHEMA_RESOURCE);
            return SCHEMAS.getSchema(Json.MAPPER.readTree(in), SCHEMA_CONFIG);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + SCHEMA_RESOURCE, e);
        }
    }

    /** The job spec schema as JSON, e.g. for a CLI to print. */
    public static JsonNode schema() {
        return JOB_SPEC_SCHEMA.getSchemaNode();
    }
}
