package io.batchline.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Few-shot examples rendered once per job into the cached shared prefix. The static examples join the
 * first system block (the same for every item); the examples of one type (the value of {@code by_field}) form a
 * second system block, byte-identical for every item of that type, so both stay cacheable. Example inputs that
 * are objects are rendered with the job's user_template, so they read exactly like real items. Outputs are shown
 * as one-line JSON inside {@code <output>} tags, never in a {@code ```json} fence: the output schema stays the
 * last such fence of the prompt.
 */
public final class FewShot {
    static final String STATIC_HEADING = "Examples of inputs and the answers expected for them:";
    static final String TYPED_HEADING = "More examples for inputs like this one (%s: %s):";

    private final String staticText;
    private final String byField;
    private final Map<String, String> typedText = new HashMap<>();

    private FewShot(JobSpec.FewShot spec, Template template) {
        this.staticText = spec.examples() == null || spec.examples().isEmpty() ? null
                : STATIC_HEADING + "\n\n" + render(spec.examples(), template);
        this.byField = spec.byField();
        if (spec.byValue() != null) {
            spec.byValue().forEach((value, examples) -> typedText.put(value,
                    String.format(TYPED_HEADING, byField, value) + "\n\n" + render(examples, template)));
        }
    }

    /** The job's examples; null when it has none, so the hot path pays nothing. */
    public static FewShot of(JobSpec job) {
        if (job.fewShot() == null) return null;
        return new FewShot(job.fewShot(), Template.parse(job.userTemplate()));
    }

    /** True when some examples are for one type of item only ({@code by_field}): a second, per-item system block. */
    public boolean byType() {
        return byField != null;
    }

    /** The examples for every item, or null. */
    public String staticText() {
        return staticText;
    }

    /** The examples for this item's type, or null when its {@code by_field} value has none (not a tricky type). */
    public String typedText(JsonNode fields) {
        if (byField == null) return null;
        JsonNode value = fields.get(byField);
        if (value == null || !value.isValueNode() || value.isNull()) return null;
        return typedText.get(value.asText());
    }

    private static String render(List<JobSpec.Example> examples, Template template) {
        StringBuilder out = new StringBuilder();
        for (JobSpec.Example e : examples) {
            if (out.length() > 0) out.append("\n\n");
            String input = e.input().isTextual() ? e.input().textValue() : template.render(e.input());
            out.append("<example>\n<input>\n").append(input.strip()).append("\n</input>\n<output>\n")
                    .append(Json.string(e.output())).append("\n</output>\n</example>");
        }
        return out.toString();
    }
}
