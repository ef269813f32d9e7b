package io.batchline.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * The pre-flight checks of one batch request, before it may join a batch: its custom_id, its size and
 * the shape of its params, as the provider documents them. One bad request fails alone, with the reason; it
 * never costs its batch. The planner applies them to every request it writes; {@code Preflight} checks the
 * written shards again before anything is sent.
 */
public final class RequestCheck {
    private RequestCheck() {}

    /** The Messages API's request size limit; a batch request's params must fit it too. */
    public static final long PROVIDER_MAX_REQUEST_BYTES = 32L * 1024 * 1024;
    public static final int MAX_CUSTOM_ID_LENGTH = 64;

    /** Why a custom_id is not acceptable to the provider (1-64 of [A-Za-z0-9_-]); null when it is. */
    public static String customIdProblem(String customId) {
        if (customId == null || customId.isEmpty()) return "custom_id is empty";
        if (customId.length() > MAX_CUSTOM_ID_LENGTH) {
            return "custom_id '" + customId.substring(0, 20) + "...' is " + customId.length()
                    + " characters, more than the provider's " + MAX_CUSTOM_ID_LENGTH;
        }
        for (int i = 0; i < customId.length(); i++) {
            char c = customId.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
            if (!ok) {
                return "custom_id '" + customId + "' has '" + c + "' at " + (i + 1) + ": only A-Z, a-z, 0-9, _ and - are allowed";
            }
        }
        return null;
    }

    /**
     * Why this request must not be sent (custom_id, size, params); null when it may.
     *
     * @param requestBytes the serialised {@code {"custom_id","params"}} line
     */
    public static String problem(String customId, long requestBytes, JsonNode params) {
        String id = customIdProblem(customId);
        if (id != null) return id;
        if (requestBytes > PROVIDER_MAX_REQUEST_BYTES) {
            return String.format(Locale.ROOT, "request is %,d bytes, above the provider's %,d bytes per request",
                    requestBytes, PROVIDER_MAX_REQUEST_BYTES);
        }
        if (params == null || !params.isObject()) return "params are missing";
        if (!params.path("model").isTextual() || params.get("model").asText().isBlank()) return "params.model is missing";
        JsonNode maxTokens = params.path("max_tokens");
        if (!maxTokens.isIntegralNumber() || maxTokens.asLong() < 1) return "params.max_tokens must be an integer >= 1";
        if (!params.path("messages").isArray() || params.get("messages").isEmpty()) return "params.messages is empty";
        if (params.has("stream")) return "params.stream is not allowed in a batch";
        return null;
    }
}
