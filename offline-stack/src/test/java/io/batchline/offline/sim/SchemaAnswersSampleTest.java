package io.batchline.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bundled sample's answers (ticket-triage: enum, confidence 0..1, reasoning) are exactly those of the
 * generator before it handled every schema, so the sample's routing and accuracy figures stay as published.
 */
class SchemaAnswersSampleTest {
    private static final Path SAMPLE = Path.of("..").toAbsolutePath().normalize().resolve("samples/ticket-triage");

    /** SHA-256 of every sample ticket's answer, one line each, from the generator before this change. */
    private static final String ANSWERS_DIGEST = "1f7233c41382e6e780bfe21bb6dacae734f4f46d93a2e44ae217a2c262ceafa5";

    private static final String SCHEMA = "{\"type\":\"object\",\"additionalProperties\":false,"
            + "\"required\":[\"primary_category\",\"confidence\",\"reasoning\"],\"properties\":{"
            + "\"primary_category\":{\"type\":\"string\",\"enum\":[\"billing\",\"technical\",\"account\",\"feature_request\",\"other\"]},"
            + "\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1},"
            + "\"reasoning\":{\"type\":\"string\",\"maxLength\":500}}}";

    @Test
    void sampleAnswersAreUnchanged() throws Exception {
        JsonNode schema = Json.tree(SCHEMA.getBytes(StandardCharsets.UTF_8));
        SimModel model = new SimModel(0);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        List<String> lines = Files.readAllLines(SAMPLE.resolve("tickets.jsonl"));
        for (String line : lines) {
            JsonNode ticket = Json.tree(line.getBytes(StandardCharsets.UTF_8));
            String user = "Subject: " + ticket.path("subject").asText() + "\n\nMessage:\n" + ticket.path("body").asText() + "\n";
            JsonNode answer = model.generate(schema, schema, "", ticket.path("id").asText(), user);
            sha.update((Json.string(answer) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(lines).hasSize(1200);
        assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(ANSWERS_DIGEST);
    }
}
