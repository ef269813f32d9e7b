package io.batchline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sample triage job and its tickets, shared by the in-memory stage tests and the offline stack's tests, and the
 * answers a scripted provider gives them.
 */
public final class TicketTriage {
    public static final Path SAMPLE = Path.of("..", "samples", "ticket-triage").toAbsolutePath().normalize();

    private TicketTriage() {}

    public static byte[] tickets(int n) throws Exception {
        List<String> lines = Files.readAllLines(SAMPLE.resolve("tickets.jsonl"));
        return (String.join("\n", lines.subList(0, n)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** The sample's triage job (name quality-test, shards of 60), on the prose path unless the extra says otherwise. */
    public static String job(String extra) {
        return """
                name: quality-test
                model: claude-haiku-4-5-20251001
                max_tokens: 300
                system: Sort the support ticket into a team.
                user_template: "Subject: {{subject}}\\n\\n{{body}}"
                output_schema:
                  type: object
                  additionalProperties: false
                  required: [primary_category, confidence, reasoning]
                  properties:
                    primary_category: {type: string, enum: [billing, technical, account, feature_request, other]}
                    confidence: {type: number, minimum: 0, maximum: 1}
                    reasoning: {type: string, maxLength: 500}
                shard:
                  max_requests: 60
                """ + (extra.contains("structured_output") ? "" : "structured_output: off\n") + extra;
    }

    /** The attempt a custom_id ({@code a<attempt>-l<line>}) names. */
    public static int attemptOf(String customId) {
        return Integer.parseInt(customId.substring(1, customId.indexOf('-')));
    }

    /**
     * The number a custom_id gives its item: the input line ({@code a1-l17}, {@code a1-l17-c2}: 17) or the golden
     * item ({@code a1-g3}: 3).
     */
    public static long lineOf(String customId) {
        int at = customId.indexOf('-') + 2;
        int end = at;
        while (end < customId.length() && Character.isDigit(customId.charAt(end))) end++;
        return Long.parseLong(customId.substring(at, end));
    }

    /** A valid answer of the job's schema. */
    public static String answer(String category, double confidence) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("primary_category", category);
        a.put("confidence", confidence);
        a.put("reasoning", "The ticket reads like a " + category + " question.");
        return Json.string(a);
    }

    /** Words that point at a team, looked for in this order; a ticket that names none is "other". */
    private static final Map<String, List<String>> KEYWORDS = new LinkedHashMap<>();

    static {
        KEYWORDS.put("billing", List.of("invoice", "charge", "refund", "payment", "billed", "price", "subscription",
                "vat", "receipt", "plan"));
        KEYWORDS.put("account", List.of("login", "log in", "password", "sign in", "locked", "email", "access",
                "two-factor", "2fa", "username", "delete my"));
        KEYWORDS.put("feature_request", List.of("wish", "would love", "please add", "could you add", "suggestion",
                "feature", "would be great", "would be nice", "support for"));
        KEYWORDS.put("technical", List.of("error", "crash", "broken", "fails", "api", "loading", "missing", "bug",
                "slow", "timeout", "sync", "500", "not working"));
    }

    /** The team a ticket's user turn (the first message of the request) points at, by keywords. */
    public static String categoryOf(JsonNode params) {
        String text = params.at("/messages/0/content").asText("").toLowerCase(java.util.Locale.ROOT);
        for (Map.Entry<String, List<String>> team : KEYWORDS.entrySet()) {
            for (String word : team.getValue()) {
                if (text.contains(word)) return team.getKey();
            }
        }
        return "other";
    }

    /** An answer that is not JSON at all. */
    public static final String PROSE = "I would say this ticket belongs to the billing team.";
}
