package io.batchline.cache;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A valid answer kept in the result cache: the validated output, where it came from, and when it was stored
 * (epoch seconds; the window is checked against it in code, as the local DynamoDB has no TTL).
 */
public record CachedAnswer(JsonNode output, String runId, String customId, long storedAt) {}
