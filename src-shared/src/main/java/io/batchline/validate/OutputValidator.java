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
 * Validates model outputs against a job's {@code output_schema}. Build one per job and share it:
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
    /** A check of the common flat schemas that proves an output valid without the library, or null (see FlatSchema). */
    private final FlatSchema flat;

    public OutputValidator(JsonNode outputSchema) {
        VersionFlag draft = checkSchema(outputSchema);
        try {
            JsonSchema compiled = JsonSchemaFactory.getInstance(draft).getSchema(outputSchema, CONFIG);
            // Resolves every $ref now: a dangling reference fails the job up front, not on the first item,
            // and no lazy initialisation is left to race on between threads.
            compiled.initializeValidators();
            this.schema = compiled;
            this.flat = FlatSchema.of(outputSchema);
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
        if (flat != null && flat.provesValid(output)) return List.of();
        try {
            return describe(schema.validate(output));
        } catch (NumberFormatException | ArithmeticException e) {
            // the library reads numbers as decimals of their text: 1e400 (parsed as Infinity) throws; such an output
            // is invalid for this item alone, not a failed collect
            return List.of("/: a number in the output is out of range for the schema checks (" + e.getMessage()
                    + ") (number)");
        }
    }

    /** The library's verdict alone, without the flat-schema shortcut (tests compare the two). */
    List<String> validateByLibrary(JsonNode output) {
        return describe(schema.validate(output));
    }

    /** True when this schema has the shortcut. */
    boolean hasShortcut() {
        return flat != null;
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
        if (messages.isEmpty()) return List.of(); // most outputs: no stream to set up (collect speed)
        return messages.stream()
                .map(OutputValidator::describe)
                .distinct()
                .sorted()
                .toList();
    }

    /**
     * The schemas jobs mostly have: one object of scalar properties ({@code type} string, number or boolean,
     * string {@code enum}, {@code minLength}/{@code maxLength}, {@code minimum}/{@code maximum}), {@code required},
     * {@code additionalProperties: false}. {@link #provesValid} says true only where the library must say valid too,
     * and false for anything else (invalid, or not sure): the library then judges and words the errors. For speed: the
     * library's walk (its numbers compared as decimals of their text) was a tenth of collect's time. A schema using
     * any other keyword gets no FlatSchema. OutputValidatorTests compares the two over many outputs.
     */
    static final class FlatSchema {
        private static final Set<String> ROOT_KEYS = Set.of("$schema", "type", "required", "additionalProperties",
                "properties", "title", "description", "$comment");
        private static final Set<String> PROPERTY_KEYS = Set.of("type", "enum", "minLength", "maxLength", "minimum",
                "maximum", "title", "description", "$comment");
        /** Beyond 2^53 a long does not convert to double exactly. */
        private static final long EXACT = 1L << 53;

        private final String[] required;
        private final boolean closed;
        private final java.util.Map<String, Property> properties = new java.util.HashMap<>();

        private record Property(String type, Set<String> values, int minLength, int maxLength, double minimum,
                                double maximum) {}

        private FlatSchema(String[] required, boolean closed) {
            this.required = required;
            this.closed = closed;
        }

        static FlatSchema of(JsonNode schema) {
            for (java.util.Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
                if (!ROOT_KEYS.contains(it.next())) return null;
            }
            if (!"object".equals(schema.path("type").textValue())) return null;
            JsonNode additional = schema.get("additionalProperties");
            if (additional != null && !additional.isBoolean()) return null;
            JsonNode required = schema.get("required");
            if (required != null && !required.isArray()) return null;
            List<String> names = new java.util.ArrayList<>();
            if (required != null) {
                for (JsonNode name : required) {
                    if (!name.isTextual()) return null;
                    names.add(name.textValue());
                }
            }
            FlatSchema flat = new FlatSchema(names.toArray(String[]::new), additional != null && !additional.booleanValue());
            JsonNode properties = schema.get("properties");
            if (properties == null) return flat;
            if (!properties.isObject()) return null;
            for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                java.util.Map.Entry<String, JsonNode> e = it.next();
                Property p = property(e.getValue());
                if (p == null) return null;
                flat.properties.put(e.getKey(), p);
            }
            return flat;
        }

        private static Property property(JsonNode s) {
            if (!s.isObject()) return null;
            for (java.util.Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
                if (!PROPERTY_KEYS.contains(it.next())) return null;
            }
            JsonNode typeNode = s.get("type");
            String type = typeNode == null ? null : typeNode.textValue();
            if (typeNode != null && !("string".equals(type) || "number".equals(type) || "boolean".equals(type))) return null;
            Set<String> values = null;
            if (s.has("enum")) {
                if (!s.get("enum").isArray() || s.get("enum").isEmpty()) return null;
                values = new java.util.HashSet<>();
                for (JsonNode v : s.get("enum")) {
                    if (!v.isTextual()) return null;
                    values.add(v.textValue());
                }
                if (type != null && !type.equals("string")) return null;
                type = "string";
            }
            int minLength = 0, maxLength = Integer.MAX_VALUE;
            if (s.has("minLength") || s.has("maxLength")) {
                if (!"string".equals(type)) return null;
                if (s.has("minLength")) {
                    if (!s.get("minLength").isInt() || s.get("minLength").intValue() < 0) return null;
                    minLength = s.get("minLength").intValue();
                }
                if (s.has("maxLength")) {
                    if (!s.get("maxLength").isInt() || s.get("maxLength").intValue() < 0) return null;
                    maxLength = s.get("maxLength").intValue();
                }
            }
            double minimum = Double.NEGATIVE_INFINITY, maximum = Double.POSITIVE_INFINITY;
            if (s.has("minimum") || s.has("maximum")) {
                if (!"number".equals(type)) return null;
                if (s.has("minimum") && Double.isNaN(minimum = bound(s.get("minimum")))) return null;
                if (s.has("maximum") && Double.isNaN(maximum = bound(s.get("maximum")))) return null;
            }
            if (type == null) return null; // an untyped property: anything goes, and the library knows the corners
            return new Property(type, values, minLength, maxLength, minimum, maximum);
        }

        /**
         * A bound that compares with a double exactly as the library compares decimals: one whose value is a double,
         * written as that double's own decimal (0, 1, 0.5, 100), else NaN.
         */
        private static double bound(JsonNode n) {
            if (!n.isNumber()) return Double.NaN;
            java.math.BigDecimal decimal = n.decimalValue();
            double d = decimal.doubleValue();
            if (Double.isInfinite(d) || new java.math.BigDecimal(d).compareTo(decimal) != 0
                    || new java.math.BigDecimal(Double.toString(d)).compareTo(decimal) != 0) {
                return Double.NaN;
            }
            return d;
        }

        /** True only for an output the library finds valid; false when invalid or not sure. */
        boolean provesValid(JsonNode output) {
            if (!output.isObject()) return false;
            for (String name : required) if (!output.has(name)) return false;
            for (java.util.Iterator<java.util.Map.Entry<String, JsonNode>> it = output.fields(); it.hasNext(); ) {
                java.util.Map.Entry<String, JsonNode> e = it.next();
                Property p = properties.get(e.getKey());
                if (p == null) {
                    if (closed) return false;
                    continue;
                }
                if (!holds(p, e.getValue())) return false;
            }
            return true;
        }

        private static boolean holds(Property p, JsonNode v) {
            switch (p.type()) {
                case "boolean":
                    return v.isBoolean();
                case "string": {
                    if (!v.isTextual()) return false;
                    String text = v.textValue();
                    if (p.values() != null && !p.values().contains(text)) return false;
                    if (p.minLength() == 0 && p.maxLength() == Integer.MAX_VALUE) return true;
                    int length = text.codePointCount(0, text.length()); // JSON Schema counts code points
                    return length >= p.minLength() && length <= p.maxLength();
                }
                default: { // number: doubles and exact longs, compared as the decimals the library reads
                    double d;
                    if (v.isDouble()) {
                        d = v.doubleValue();
                        if (!Double.isFinite(d)) return false;
                    } else if (v.isInt() || v.isLong()) {
                        long l = v.longValue();
                        if (l <= -EXACT || l >= EXACT) return false;
                        d = l;
                    } else {
                        return false;
                    }
                    return d >= p.minimum() && d <= p.maximum();
                }
            }
        }
    }

    private static String describe(ValidationMessage message) {
        String pointer = message.getInstanceLocation() == null ? "" : message.getInstanceLocation().toString();
        // The root's JSON pointer is the empty string, which reads as nothing at all in a message.
        return (pointer.isEmpty() ? "/" : pointer) + ": " + message.getError() + " (" + message.getType() + ")";
    }
}
