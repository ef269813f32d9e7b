package io.batchline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.render.RenderException;
import io.batchline.render.Template;
import io.batchline.validate.OutputValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of {@code few_shot}, {@code long_inputs} and {@code strata} that the job-spec
 * schema cannot express: examples must render with the template and meet output_schema, the long field must be a
 * template field, chunk settings must be consistent, strata must be distinct. Each problem names its path.
 */
final class PromptStrategyChecks {
    private PromptStrategyChecks() {}

    static void check(ObjectNode spec, List<String> problems) {
        checkFewShot(spec, problems);
        checkLongInputs(spec, problems);
        checkStrata(spec, problems);
    }

    private static Template template(JsonNode text) {
        if (text == null || !text.isTextual() || !Template.problems(text.textValue()).isEmpty()) return null;
        return Template.parse(text.textValue());
    }

    private static OutputValidator validator(ObjectNode spec) {
        JsonNode schema = spec.get("output_schema");
        if (schema == null || !schema.isObject()) return null;
        try {
            return new OutputValidator(schema);
        } catch (RuntimeException e) {
            return null; // reported by the output_schema check
        }
    }

    private static void checkFewShot(ObjectNode spec, List<String> problems) {
        JsonNode fewShot = spec.get("few_shot");
        if (fewShot == null || !fewShot.isObject()) return;
        Template template = template(spec.get("user_template"));
        OutputValidator validator = validator(spec);
        checkExamples(fewShot.get("examples"), "$.few_shot.examples", template, validator, problems);
        JsonNode byValue = fewShot.get("by_value");
        if (byValue != null && byValue.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = byValue.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                checkExamples(e.getValue(), "$.few_shot.by_value." + e.getKey(), template, validator, problems);
            }
        }
        JsonNode byField = fewShot.path("by_field");
        JsonNode label = spec.path("ground_truth_field");
        if (byField.isTextual() && label.isTextual() && byField.textValue().equals(label.textValue())) {
            problems.add("$.few_shot.by_field: '" + byField.textValue() + "' is the ground_truth_field: choosing "
                    + "examples by the label would leak it to the model");
        }
    }

    private static void checkExamples(JsonNode examples, String path, Template template, OutputValidator validator,
                                      List<String> problems) {
        if (examples == null || !examples.isArray()) return;
        for (int i = 0; i < examples.size(); i++) {
            String at = path + "[" + i + "]";
            JsonNode input = examples.get(i).get("input");
            if (input != null && input.isObject() && template != null) {
                try {
                    template.render(input);
                } catch (RenderException e) {
                    problems.add(at + ".input: cannot be rendered with user_template: " + e.getMessage());
                }
            }
            JsonNode output = examples.get(i).get("output");
            if (output != null && output.isObject() && validator != null) {
                List<String> errors = validator.validate(output);
                if (!errors.isEmpty()) {
                    problems.add(at + ".output: does not match output_schema: " + String.join("; ", errors));
                }
            }
            if (examples.get(i).toString().contains("```json")) {
                problems.add(at + ": must not contain a ```json fence (the output schema is the last one of the prompt)");
            }
        }
    }

    private static void checkLongInputs(ObjectNode spec, List<String> problems) {
        JsonNode li = spec.get("long_inputs");
        if (li == null || !li.isObject()) return;
        boolean chunk = "chunk".equals(li.path("mode").asText("truncate"));
        JsonNode field = li.get("field");
        if (field != null && field.isTextual()) {
            Set<String> fields = new HashSet<>();
            List<String> templates = new ArrayList<>();
            templates.add("user_template");
            Template main = template(spec.get("user_template"));
            if (main != null) fields.addAll(main.fields());
            for (JsonNode stratum : spec.path("strata")) {
                Template t = template(stratum.get("user_template"));
                if (t != null) fields.addAll(t.fields());
            }
            if (main != null && !fields.contains(field.textValue())) {
                problems.add("$.long_inputs.field: '" + field.textValue() + "' is not a placeholder of user_template"
                        + " (its fields: " + String.join(", ", new java.util.TreeSet<>(fields)) + ")");
            }
        }
        if (!chunk) {
            for (String name : List.of("chunk_tokens", "overlap_tokens", "max_chunks", "merge", "merge_fields")) {
                if (li.has(name)) problems.add("$.long_inputs." + name + ": only used with mode: chunk");
            }
            return;
        }
        if (li.has("marker")) problems.add("$.long_inputs.marker: only used with mode: truncate");
        long chunkTokens = li.path("chunk_tokens").asLong(li.path("max_input_tokens").asLong(0));
        JsonNode overlap = li.get("overlap_tokens");
        if (overlap != null && overlap.isIntegralNumber() && chunkTokens > 0 && overlap.asLong() >= chunkTokens) {
            problems.add("$.long_inputs.overlap_tokens: " + overlap.asLong() + " must be below chunk_tokens ("
                    + chunkTokens + ") or the chunks would never advance");
        }
        JsonNode mergeFields = li.get("merge_fields");
        if (mergeFields != null && mergeFields.isObject()) {
            JsonNode properties = spec.path("output_schema").path("properties");
            String confidence = spec.path("confidence").path("field").asText("confidence");
            for (Iterator<String> it = mergeFields.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                if (name.equals(confidence)) {
                    problems.add("$.long_inputs.merge_fields." + name + ": the confidence field is always merged as "
                            + "the lowest of the chunks'");
                } else if (properties.isObject() && !properties.has(name)) {
                    problems.add("$.long_inputs.merge_fields." + name + ": not a property of output_schema");
                }
            }
        }
    }

    private static void checkStrata(ObjectNode spec, List<String> problems) {
        JsonNode strata = spec.get("strata");
        if (strata == null || !strata.isArray()) return;
        Set<String> names = new HashSet<>();
        for (int i = 0; i < strata.size(); i++) {
            JsonNode s = strata.get(i);
            String at = "$.strata[" + i + "]";
            String name = s.path("name").asText("");
            if (!name.isEmpty() && !names.add(name)) problems.add(at + ".name: '" + name + "' is used twice");
            if ("default".equals(name)) {
                problems.add(at + ".name: 'default' names the items of no stratum in report.json; choose another");
            }
            JsonNode template = s.get("user_template");
            if (template != null && template.isTextual()) {
                for (String p : Template.problems(template.textValue())) problems.add(at + ".user_template: " + p);
            }
            if (!s.has("model") && !s.has("max_tokens") && !s.has("user_template")) {
                problems.add(at + ": sets none of model, max_tokens, user_template, so it would change nothing");
            }
        }
    }
}
