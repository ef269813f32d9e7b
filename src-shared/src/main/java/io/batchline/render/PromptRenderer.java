package io.batchline.render;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.input.InputItem;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;

/**
 * Turns one input item into the {@code params} of a Message Batches request (R2.2, R2.6). Built once per
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

    public PromptRenderer(JobSpec job) {
        this.job = job;
        this.template = Template.parse(job.userTemplate());
        this.systemText = systemText(job);
    }

    /** The job's system prompt followed by the output schema the answer must satisfy. */
    public static String systemText(JobSpec job) {
        String system = job.system() == null ? "" : job.system().strip();
        String prefix = system.isEmpty() ? "" : system + "\n\n";
        return prefix + SCHEMA_INSTRUCTION + Json.string(job.outputSchema()) + "\n```";
    }

    public String systemText() {
        return systemText;
    }

    public Template template() {
        return template;
    }

    /** The user message for this item: the template with the item's fields; only template fields are used. */
    public String userText(InputItem item) {
        return template.render(item.fields());
    }

    /**
     * {@code {model, max_tokens, temperature, system:[{type:text, text, cache_control}], messages:[{role:user, content}]}}.
     * Throws {@link RenderException} when a template field is missing or null.
     */
    public ObjectNode params(InputItem item) {
        String user = userText(item);
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        ObjectNode params = nodes.objectNode();
        params.put("model", job.model());
        params.put("max_tokens", job.maxTokens());
        params.put("temperature", job.temperature());
        ArrayNode system = params.putArray("system");
        ObjectNode block = system.addObject();
        block.put("type", "text");
        block.put("text", systemText);
        block.putObject("cache_control").put("type", "ephemeral");
        ObjectNode message = params.putArray("messages").addObject();
        message.put("role", "user");
        message.put("content", user);
        return params;
    }
}
