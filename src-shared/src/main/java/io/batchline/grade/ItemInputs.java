package io.batchline.grade;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.input.InputError;
import io.batchline.input.InputItem;
import io.batchline.input.InputReader;
import io.batchline.input.InputVisitor;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.render.Template;
import io.batchline.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The input a grader needs to judge an answer: of the run's input, the given lines' fields that the job's
 * templates use (the label is never among them unless a template sends it). One streamed pass over the input.
 */
public final class ItemInputs {
    private ItemInputs() {}

    /** The top-level input fields the job's user_template (and its strata's) insert, in order of appearance. */
    public static Set<String> templateFields(JobSpec job) {
        Set<String> fields = new LinkedHashSet<>();
        addFields(job.userTemplate(), fields);
        if (job.strata() != null) for (JobSpec.Stratum s : job.strata()) addFields(s.userTemplate(), fields);
        return fields;
    }

    private static void addFields(String template, Set<String> into) {
        if (template == null) return;
        for (String path : Template.parse(template).fields()) into.add(path.split("\\.", 2)[0]);
    }

    /** Per line asked for, its template fields; lines the input does not hold as items are absent. */
    public static Map<Long, ObjectNode> read(ObjectStore store, String inputKey, JobSpec job, Set<Long> lines) {
        Set<String> fields = templateFields(job);
        Map<Long, ObjectNode> found = new HashMap<>();
        try {
            InputReader.forJob(job, inputKey).read(store.open(inputKey), new InputVisitor() {
                @Override
                public void item(InputItem item) {
                    if (!lines.contains(item.line())) return;
                    ObjectNode shown = Json.MAPPER.createObjectNode();
                    for (String f : fields) if (item.fields().has(f)) shown.set(f, item.fields().get(f));
                    found.put(item.line(), shown);
                }

                @Override
                public void error(InputError error) {
                    // a line that failed at planning has no answer to grade
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("reading the run's input " + inputKey, e);
        }
        return found;
    }
}
