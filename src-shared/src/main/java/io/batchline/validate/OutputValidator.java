package io.batchline.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaException;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates model outputs against a job's {@code output_schema} (R4.1). Build one per job and share it:
 * the compiled schema is immutable after construction, so {@link #validate} is safe from many threads.
 */
public final class OutputValidator {

    private static final VersionFlag DEFAULT_DRAFT = VersionFlag.V202012;

    // JSON pointers in messages, English whatever the JVM's locale (messages end up in outcome files),
    // and "format" asserted: job authors who write "format": "date" expect it checked, while 2020-12
    // otherwise treats format as an annotation only.
    private static final SchemaValidatorsConfig CONFIG = SchemaValidatorsConfig.builder()
            .pathType(PathType.JSON_POINTER)
            .locale(Locale.ENGLISH)
            .formatAssertionsEnabled(true)
            .build();

    private final JsonSchema schema;

    public OutputValidator(JsonNode outputSchema) {
        VersionFlag draft = checkSchema(outputSchema);
        try {
            JsonSchema compiled = JsonSchemaFactory.getInstance(draft).getSchema(outputSchema, CONFIG);
            // Resolves every $ref now: a dangling reference fails the job up front, not on the first item,
            // and no lazy initialisation is left to race on between threads.
            compiled.initializeValidators();
            this.schema = compiled;
        } catch (JsonSchemaException e) {
            throw new IllegalArgumentException("output_schema cannot be compiled: " + e.getMessage(), e);
        }
    }

    /**
     * Errors of one output, sorted and de-duplicated, each naming the JSON pointer and the rule, e.g.
     * {@code "/primary_category: does not have a value in the enumeration [billing, other] (enum)"}.
     * Empty when the output is valid.
     */
    public List<String> validate(JsonNode output) {
        Objects.requireNonNull(output, "output to validate");
        return describe(schema.validate(output));
    }

    /**
     * Checks the schema itself against its draft's meta-schema ({@code $schema} if present, else 2020-12).
     *
     * @return the draft the schema is written in
     * @throws IllegalArgumentException naming every problem when the schema is not a valid JSON Schema
     */
    public static VersionFlag checkSchema(JsonNode outputSchema) {
        if (outputSchema == null || outputSchema.isMissingNode() || outputSchema.isNull()) {
            throw new IllegalArgumentException("output_schema is missing");
        }
        if (!outputSchema.isObject()) {
            throw new IllegalArgumentException("output_schema must be a JSON object, found "
                    + outputSchema.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        VersionFlag draft = draftOf(outputSchema);
        Set<ValidationMessage> problems;
        try {
            JsonSchema metaSchema = JsonSchemaFactory.getInstance(draft)
                    .getSchema(SchemaLocation.of(draft.getId()), CONFIG);
            problems = metaSchema.validate(outputSchema);
        } catch (JsonSchemaException e) {
            throw new IllegalArgumentException("output_schema cannot be checked against the "
                    + draft.getId() + " meta-schema: " + e.getMessage(), e);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("output_schema is not a valid JSON Schema (" + draft.getId() + "): "
                    + String.join("; ", describe(problems)));
        }
        return draft;
    }

    private static VersionFlag draftOf(JsonNode schema) {
        JsonNode declared = schema.get("$schema");
        if (declared == null) {
            return DEFAULT_DRAFT;
        }
        if (!declared.isTextual()) {
            throw new IllegalArgumentException("output_schema $schema must be a string URI, found " + declared);
        }
        try {
            return SpecVersionDetector.detectOptionalVersion(schema, false)
                    .orElseThrow(() -> unsupportedDraft(declared.asText()));
        } catch (JsonSchemaException e) {
            throw unsupportedDraft(declared.asText());
        }
    }

    private static IllegalArgumentException unsupportedDraft(String declared) {
        String supported = Arrays.stream(VersionFlag.values()).map(VersionFlag::getId)
                .collect(Collectors.joining(", "));
        return new IllegalArgumentException("output_schema $schema '" + declared
                + "' is not a supported JSON Schema draft (supported: " + supported + ")");
    }

    private static List<String> describe(Set<ValidationMessage> messages) {
        return messages.stream()
                .map(OutputValidator::describe)
                .distinct()
                .sorted()
                .toList();
    }

    private static String describe(ValidationMessage message) {
        String pointer = message.getInstanceLocation() == null ? "" : message.getInstanceLocation().toString();
        // The root's JSON pointer is the empty string, which reads as nothing at all in a message.
        return (pointer.isEmpty() ? "/" : pointer) + ": " + message.getError() + " (" + message.getType() + ")";
    }
}
