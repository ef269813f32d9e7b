package io.batchline.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.job.JobSpec;
import io.batchline.job.PromptVersion;
import io.batchline.json.Json;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * What changed between two job specs, field by field, as loaded (defaults filled in): objects are followed down to
 * their leaves ({@code confidence.accept_at}), other values (texts, arrays, a whole few-shot list) are compared
 * whole. Each change says whether it is request-shaping (it changed the prompt version) and carries the value
 * before ({@code a}) and after ({@code b}); a side without the field has none.
 */
final class JobSpecDiff {
    private JobSpecDiff() {}

    static ArrayNode of(JobSpec a, JobSpec b) {
        Map<String, JsonNode> left = new TreeMap<>();
        Map<String, JsonNode> right = new TreeMap<>();
        flatten("", Json.MAPPER.valueToTree(a), left);
        flatten("", Json.MAPPER.valueToTree(b), right);
        TreeMap<String, Boolean> fields = new TreeMap<>();
        left.keySet().forEach(k -> fields.put(k, true));
        right.keySet().forEach(k -> fields.put(k, true));
        ArrayNode changes = Json.MAPPER.createArrayNode();
        // request-shaping fields first, then the rest, each in name order
        for (boolean shaping : new boolean[]{true, false}) {
            for (String field : fields.keySet()) {
                if (isRequestShaping(field) != shaping) continue;
                JsonNode va = left.get(field);
                JsonNode vb = right.get(field);
                if (va != null && va.equals(vb)) continue;
                ObjectNode c = changes.addObject();
                c.put("field", field);
                c.put("request_shaping", shaping);
                if (va != null) c.set("a", va);
                if (vb != null) c.set("b", vb);
            }
        }
        return changes;
    }

    static boolean isRequestShaping(String field) {
        int dot = field.indexOf('.');
        return PromptVersion.REQUEST_FIELDS.contains(dot < 0 ? field : field.substring(0, dot));
    }

    /** Objects compared whole: an output schema or a few-shot block is one value, its inner keys mean nothing apart. */
    private static final java.util.Set<String> WHOLE = java.util.Set.of("output_schema", "few_shot");

    private static void flatten(String prefix, JsonNode object, Map<String, JsonNode> into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isNull()) continue;
            String path = prefix + e.getKey();
            if (e.getValue().isObject() && !WHOLE.contains(path)) flatten(path + ".", e.getValue(), into);
            else into.put(path, e.getValue());
        }
    }
}
