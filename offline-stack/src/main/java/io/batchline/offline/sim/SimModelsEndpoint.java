package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.catalogue.ModelCatalogue;
import io.batchline.catalogue.ModelEntry;
import io.batchline.json.Json;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The simulator's Models API ({@code GET /v1/models}, {@code GET /v1/models/{model_id}}), answered from the
 * project's model catalogue in the API's shape. It guarantees:
 * <ul>
 *   <li>every served model carries {@code id, type, display_name, created_at, lifecycle, deprecated_at,
 *       retires_at, line, max_input_tokens, max_tokens, capabilities}, with every capability key present;</li>
 *   <li>{@code created_at} is the catalogue's release date at midnight UTC, or the epoch when the catalogue
 *       has none (as the API does for an unknown date), so undated legacy models never list above newer ones;</li>
 *   <li>a model whose retirement day has come (by the simulator's clock) is answered 404 by id or alias and is
 *       listed only when {@code lifecycle[]=retired} is asked for;</li>
 *   <li>the list is newest first (ties in the catalogue's order) with {@code limit} 1..1000 (default 20),
 *       {@code after_id}/{@code before_id}, {@code has_more}, {@code first_id}, {@code last_id}.</li>
 * </ul>
 * Capabilities the catalogue does not record and the simulator does not implement (citations, code execution,
 * context management, server tools) are answered {@code supported: false}.
 */
final class SimModelsEndpoint {
    private static final List<String> EFFORT_LEVELS = List.of("low", "medium", "high", "xhigh", "max");
    private static final List<String> THINKING_TYPES = List.of("adaptive", "between_tools", "disabled", "enabled");
    private static final List<String> LIFECYCLES = List.of("active", "deprecated", "retired");
    private static final Set<String> LINES = Set.of("haiku", "sonnet", "opus", "fable", "mythos");

    private final ModelCatalogue catalogue;

    SimModelsEndpoint(ModelCatalogue catalogue) {
        this.catalogue = catalogue;
    }

    ModelCatalogue catalogue() {
        return catalogue;
    }

    /** {@code GET /v1/models/{idOrAlias}} on {@code today}: the model under its id, or 404 not_found_error. */
    ObjectNode retrieve(String idOrAlias, LocalDate today) throws SimBatchStore.Rejected {
        ModelEntry m = catalogue.find(idOrAlias).filter(e -> !e.retiredOn(today)).orElseThrow(() ->
                new SimBatchStore.Rejected(404, "not_found_error", "model: " + idOrAlias));
        return modelJson(m, today);
    }

    /** {@code GET /v1/models?...} on {@code today}: one page of models, newest first. */
    ObjectNode list(URI request, LocalDate today) throws SimBatchStore.Rejected {
        Map<String, List<String>> q = query(request);
        int limit;
        try {
            limit = Integer.parseInt(last(q, "limit", "20"));
        } catch (NumberFormatException e) {
            throw invalid("limit: Input should be a valid integer");
        }
        if (limit < 1 || limit > 1000) throw invalid("limit: Input should be between 1 and 1000");
        String after = last(q, "after_id", null);
        String before = last(q, "before_id", null);
        if (after != null && before != null) throw invalid("use either before_id or after_id, not both");
        Set<String> lifecycles = new LinkedHashSet<>();
        for (String key : List.of("lifecycle", "lifecycle[]")) {
            for (String v : q.getOrDefault(key, List.of())) {
                for (String one : v.split(",")) {
                    if (one.isBlank()) continue;
                    if (!LIFECYCLES.contains(one.trim())) {
                        throw invalid("lifecycle: Input should be 'active', 'deprecated' or 'retired'");
                    }
                    lifecycles.add(one.trim());
                }
            }
        }
        if (lifecycles.size() > 3) throw invalid("lifecycle: List should have at most 3 items");
        if (lifecycles.isEmpty()) lifecycles.addAll(List.of("active", "deprecated"));

        List<ModelEntry> all = new ArrayList<>();
        for (ModelEntry m : catalogue.models()) if (lifecycles.contains(lifecycle(m, today))) all.add(m);
        // stable: models of the same day keep the catalogue's order (newest families first)
        all.sort(Comparator.comparing((ModelEntry m) -> createdAt(m)).reversed());

        return ListPage.of(all, after == null ? -1 : indexOf(all, after), before == null ? -1 : indexOf(all, before),
                limit, ModelEntry::id, m -> modelJson(m, today));
    }

    /** One model in the API's {@code ModelInfo} shape. */
    ObjectNode modelJson(ModelEntry m, LocalDate today) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", m.id());
        n.put("type", "model");
        n.put("display_name", m.displayName());
        n.put("created_at", createdAt(m).toString());
        String lifecycle = lifecycle(m, today);
        n.put("lifecycle", lifecycle);
        n.putNull("deprecated_at"); // the catalogue records no deprecation dates
        if (m.retires() != null) n.put("retires_at", m.retires().atStartOfDay(ZoneOffset.UTC).toInstant().toString());
        else n.putNull("retires_at");
        String line = line(m);
        if (line == null) n.putNull("line");
        else n.put("line", line);
        n.put("max_input_tokens", m.contextWindow());
        n.put("max_tokens", m.maxOutputTokens());

        ObjectNode c = n.putObject("capabilities");
        supported(c, "batch", true);
        supported(c, "citations", false);
        supported(c, "code_execution", false);
        ObjectNode contextManagement = supported(c, "context_management", false);
        supported(contextManagement, "clear_thinking_20251015", false);
        supported(contextManagement, "clear_tool_uses_20250919", false);
        supported(contextManagement, "compact_20260112", false);
        ObjectNode effort = supported(c, "effort", m.effort() != null);
        for (String level : EFFORT_LEVELS) supported(effort, level, m.effort() != null && m.effort().levels().contains(level));
        supported(c, "image_input", true);
        supported(c, "pdf_input", true);
        ObjectNode serverTools = supported(c, "server_tools", false);
        supported(serverTools, "code_execution", false);
        supported(serverTools, "web_search", false);
        supported(c, "structured_outputs", m.structuredOutputs());
        List<String> types = m.thinking().types();
        boolean thinks = types.stream().anyMatch(t -> !t.equals("disabled"));
        ObjectNode thinking = supported(c, "thinking", thinks);
        ObjectNode typesNode = thinking.putObject("types");
        for (String t : THINKING_TYPES) {
            // the API answers disabled: true for a model that does not think at all
            supported(typesNode, t, types.contains(t) || (t.equals("disabled") && !thinks));
        }
        return n;
    }

    /** The API's lifecycle: retired once the retirement day has come; deprecated while one is announced. */
    static String lifecycle(ModelEntry m, LocalDate today) {
        if (m.retiredOn(today)) return "retired";
        if ("deprecated".equals(m.status()) || m.retires() != null) return "deprecated";
        return "active";
    }

    static Instant createdAt(ModelEntry m) {
        return m.released() == null ? Instant.EPOCH : m.released().atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** The model line from the catalogue's display name ("Claude Opus 4.6" is opus); null when it names none. */
    static String line(ModelEntry m) {
        for (String word : m.displayName().toLowerCase(Locale.ROOT).split("\\s+")) {
            if (LINES.contains(word)) return word;
        }
        return null;
    }

    private static ObjectNode supported(ObjectNode parent, String field, boolean supported) {
        ObjectNode n = parent.putObject(field);
        n.put("supported", supported);
        return n;
    }

    private static int indexOf(List<ModelEntry> all, String id) throws SimBatchStore.Rejected {
        for (int i = 0; i < all.size(); i++) if (all.get(i).id().equals(id)) return i;
        throw new SimBatchStore.Rejected(404, "not_found_error", "model: " + id);
    }

    private static SimBatchStore.Rejected invalid(String message) {
        return new SimBatchStore.Rejected(400, "invalid_request_error", message);
    }

    private static String last(Map<String, List<String>> q, String key, String otherwise) {
        List<String> v = q.get(key);
        return v == null || v.isEmpty() ? otherwise : v.get(v.size() - 1);
    }

    /** Every value of every parameter ({@code lifecycle[]=a&lifecycle[]=b} keeps both). */
    private static Map<String, List<String>> query(URI u) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        String raw = u.getRawQuery();
        if (raw == null) return q;
        for (String kv : raw.split("&")) {
            int i = kv.indexOf('=');
            if (i <= 0) continue;
            q.computeIfAbsent(URLDecoder.decode(kv.substring(0, i), StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
        }
        return q;
    }
}
