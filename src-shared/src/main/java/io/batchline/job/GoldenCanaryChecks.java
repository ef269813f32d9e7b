package io.batchline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.render.Template;
import java.util.List;
import java.util.Locale;

/** Checks of {@code golden} and {@code canary} that the job-spec schema cannot express. */
final class GoldenCanaryChecks {
    private GoldenCanaryChecks() {}

    static void check(ObjectNode spec, List<String> problems) {
        checkGolden(spec, problems);
        checkCanary(spec, problems);
    }

    private static void checkGolden(ObjectNode spec, List<String> problems) {
        JsonNode golden = spec.path("golden");
        if (!golden.isObject()) return;
        JsonNode file = golden.path("file");
        if (file.isTextual()) {
            String name = file.textValue().toLowerCase(Locale.ROOT);
            String plain = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
            if (!plain.endsWith(".jsonl") && !plain.endsWith(".csv")) {
                problems.add("$.golden.file: '" + file.textValue() + "' must be a .jsonl or .csv file (optionally .gz),"
                        + " in the same format as the job's inputs");
            }
        }
        String labelField = golden.path("label_field").isTextual() ? golden.get("label_field").textValue()
                : spec.path("ground_truth_field").isTextual() ? spec.get("ground_truth_field").textValue() : "label";
        JsonNode template = spec.path("user_template");
        if (template.isTextual() && Template.problems(template.textValue()).isEmpty()
                && Template.parse(template.textValue()).fields().contains(labelField)) {
            problems.add("$.golden.label_field: '" + labelField + "' is a user_template field, so the golden label"
                    + " would be sent to the model; name a field the template does not use");
        }
    }

    private static void checkCanary(ObjectNode spec, List<String> problems) {
        JsonNode canary = spec.path("canary");
        if (!canary.isObject()) return;
        JsonNode rate = canary.path("min_pass_rate");
        JsonNode cost = canary.path("max_cost_per_item_usd");
        if (rate.isNumber() && rate.doubleValue() == 0 && (cost.isMissingNode() || cost.isNull())) {
            problems.add("$.canary: min_pass_rate 0 without max_cost_per_item_usd can never fail; set a limit or"
                    + " remove the canary");
        }
    }
}
