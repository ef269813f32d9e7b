package io.batchline.escalate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.job.JobSpec;
import io.batchline.json.Json;
import io.batchline.render.PromptRenderer;
import io.batchline.render.RenderException;
import io.batchline.render.RequestShape;
import java.util.ArrayList;
import java.util.List;

/**
 * The escalation round of a job ({@code escalation}): one more request for an item, to another model, whose answer
 * decides the item's tier. Its request is the item's first request with the escalation's model, max_tokens,
 * structured output and system prompt (the job's where unset) and the same user message, rendered for that model
 * by the same rules ({@link RequestShape}) as the job's own requests.
 */
public final class EscalationRound {
    /** The job whose requests escalate. */
    private final JobSpec job;
    /** The job as the escalation round renders it ({@link #jobOf}). */
    private final JobSpec escalated;
    /** The escalation's requests as the catalogue's model rules shape them; null when they would be refused. */
    private final RequestShape shape;
    /** Why the escalation's requests would be refused; empty when {@link #shape} is set. */
    private final List<String> refusals;

    private EscalationRound(JobSpec job, JobSpec escalated, RequestShape shape, List<String> refusals) {
        this.job = job;
        this.escalated = escalated;
        this.shape = shape;
        this.refusals = List.copyOf(refusals);
    }

    /**
     * The escalation round of {@code job} with its requests shaped once by {@code catalogue} at {@code apiVersion};
     * null when the job has none. Built once per job and used for every item.
     */
    public static EscalationRound of(JobSpec job, ModelCatalogue catalogue, String apiVersion) {
        JobSpec escalated = jobOf(job);
        if (escalated == null) return null;
        List<String> refusals = new ArrayList<>();
        RequestShape shape = shape(job, catalogue, apiVersion, refusals);
        return new EscalationRound(job, escalated, shape, refusals);
    }

    /** The {@code result} of the history entry that records the answer an item was escalated from. */
    public static final String ESCALATED = "escalated";

    /**
     * The job as the escalation round renders it: the job's settings with the escalation's model, system,
     * max_tokens and structured_output in their place, and no escalation of its own; null when the job has none.
     */
    public static JobSpec jobOf(JobSpec job) {
        JobSpec.Escalation e = job.escalation();
        if (e == null) return null;
        ObjectNode tree = Json.MAPPER.valueToTree(job);
        tree.put("model", e.model());
        if (e.system() != null) tree.put("system", e.system());
        if (e.maxTokens() != null) tree.put("max_tokens", e.maxTokens());
        if (e.structuredOutput() != null) tree.put("structured_output", e.structuredOutput());
        tree.remove("escalation");
        try {
            return Json.MAPPER.treeToValue(tree, JobSpec.class);
        } catch (java.io.IOException e2) {
            throw new IllegalStateException("the job's escalation cannot be bound as a job: " + e2.getMessage(), e2);
        }
    }

    /**
     * The shape of the escalation round's requests; what the escalation model would refuse is added to
     * {@code problems} under {@code $.escalation.} (then null).
     */
    public static RequestShape shape(JobSpec job, ModelCatalogue catalogue, String apiVersion, List<String> problems) {
        JobSpec escalated = jobOf(job);
        if (escalated == null) return null;
        return RequestShape.of(escalated, escalated.model(), escalated.maxTokens(), catalogue, apiVersion,
                "$.escalation.", problems);
    }

    /**
     * The escalation request of an item from its first request's params: the escalation's shape and system prompt
     * (with the first request's cache breakpoint), the first request's other system blocks (few-shot examples by
     * type) and its user message, without any repair turns.
     */
    public ObjectNode params(JsonNode first) {
        if (shape == null) {
            throw new RenderException("the escalation's requests would be refused: " + String.join("; ", refusals));
        }
        ObjectNode params = Json.MAPPER.createObjectNode();
        shape.applyTo(params);
        ArrayNode system = params.putArray("system");
        ObjectNode block = system.addObject();
        block.put("type", "text");
        block.put("text", PromptRenderer.systemText(escalated, shape.structuredOutput()));
        block.set("cache_control", PromptRenderer.cacheControl(escalated));
        JsonNode firstSystem = first.path("system");
        for (int i = 1; i < firstSystem.size(); i++) system.add(firstSystem.get(i).deepCopy());
        ArrayNode messages = params.putArray("messages");
        JsonNode firstMessages = first.path("messages");
        if (firstMessages.size() > 0) messages.add(firstMessages.get(0).deepCopy()); // the item's user message
        return params;
    }

    /**
     * The worst case of the escalation round for an attempt of {@code requests} requests ({@code inputTokens}
     * estimated in all, the largest {@code largestRequestTokens}): every one of them escalates, at the escalation
     * model's {@code price}, with the escalation's max_tokens as sent (thinking reserve included) and its system
     * prompt in place of the job's (when longer, each request grows by the difference).
     */
    public java.math.BigDecimal worstCase(io.batchline.cost.Price price, long requests, long inputTokens,
                                          long largestRequestTokens) {
        int maxTokens = shape == null ? escalated.maxTokens() : shape.maxTokens();
        long longerSystem = Math.max(0, io.batchline.render.TokenEstimator.tokensForBytes(
                io.batchline.render.TokenEstimator.utf8Length(PromptRenderer.systemText(escalated, false)))
                - io.batchline.render.TokenEstimator.tokensForBytes(
                io.batchline.render.TokenEstimator.utf8Length(PromptRenderer.systemText(job, false))));
        long largest = largestRequestTokens + longerSystem;
        return price.worstCase(inputTokens + requests * longerSystem, requests * (long) maxTokens,
                largest + largest / 10);
    }

    /** The history entry recording the answer an item was escalated from, or null when it was not escalated. */
    public static JsonNode escalatedFrom(JsonNode history) {
        if (history == null) return null;
        for (JsonNode entry : history) {
            if (ESCALATED.equals(entry.path("result").asText())) return entry;
        }
        return null;
    }
}
