package io.batchline.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchline.validate.Extraction.Source;
import org.junit.jupiter.api.Test;

class JsonExtractorTests {

    private final JsonExtractor extractor = new JsonExtractor();

    @Test
    void wholeTextIsTheObject() {
        Extraction e = extractor.extract("  \n{\"category\": \"billing\", \"confidence\": 0.92}\n");

        assertThat(e.ok()).isTrue();
        assertThat(e.source()).isEqualTo(Source.BARE);
        assertThat(e.json().get("category").asText()).isEqualTo("billing");
        assertThat(e.json().get("confidence").asDouble()).isEqualTo(0.92);
        assertThat(e.failure()).isNull();
    }

    @Test
    void jsonFenceIsPreferredOverABareFenceAndProse() {
        String text = """
                Here is an {example} first:
                ```
                {"category": "wrong"}
                ```
                and the answer:
                ```json
                {"category": "technical"}
                ```
                """;

        Extraction e = extractor.extract(text);

        assertThat(e.source()).isEqualTo(Source.FENCED);
        assertThat(e.json().get("category").asText()).isEqualTo("technical");
    }

    @Test
    void bareFenceWithAnObjectIsUsedWhenThereIsNoJsonFence() {
        Extraction e = extractor.extract("Sure.\n```python\nprint({1: 2})\n```\n```\n{\"a\": [1, 2]}\n```");

        assertThat(e.source()).isEqualTo(Source.FENCED);
        assertThat(e.json().get("a").size()).isEqualTo(2);
    }

    @Test
    void unclosedFenceRunsToTheEndOfTheText() {
        Extraction e = extractor.extract("```json\n{\"a\": 1}\n");

        assertThat(e.source()).isEqualTo(Source.FENCED);
        assertThat(e.json().get("a").asInt()).isEqualTo(1);
    }

    @Test
    void backticksInsideAStringDoNotEndTheFencedObject() {
        Extraction e = extractor.extract("```json\n{\"snippet\": \"```sh\\nls\\n```\", \"n\": 2}\n```");

        assertThat(e.ok()).as(e.failure()).isTrue();
        assertThat(e.source()).isEqualTo(Source.FENCED);
        assertThat(e.json().get("snippet").asText()).isEqualTo("```sh\nls\n```");
        assertThat(e.json().get("n").asInt()).isEqualTo(2);
    }

    @Test
    void objectAfterLeadingProseIgnoresBracesInsideStrings() {
        String text = "Based on the ticket, my answer is: "
                + "{\"summary\": \"user wrote \\\"}{\\\" and {braces}\", \"nested\": {\"k\": \"}\"}} Hope this helps!";

        Extraction e = extractor.extract(text);

        assertThat(e.ok()).as(e.failure()).isTrue();
        assertThat(e.source()).isEqualTo(Source.IN_PROSE);
        assertThat(e.json().get("summary").asText()).isEqualTo("user wrote \"}{\" and {braces}");
        assertThat(e.json().at("/nested/k").asText()).isEqualTo("}");
    }

    @Test
    void proseBracesThatAreNotJsonAreSkipped() {
        Extraction e = extractor.extract("I filled the {template} as asked: {\"ok\": true}");

        assertThat(e.source()).isEqualTo(Source.IN_PROSE);
        assertThat(e.json().get("ok").asBoolean()).isTrue();
    }

    @Test
    void objectFollowedByProseIsFound() {
        Extraction e = extractor.extract("{\"ok\": true}\n\nNote: I was unsure.");

        assertThat(e.source()).isEqualTo(Source.IN_PROSE);
        assertThat(e.json().get("ok").asBoolean()).isTrue();
    }

    @Test
    void noObjectGivesTheStartOfTheOutput() {
        Extraction e = extractor.extract("I'm sorry, but I cannot classify this ticket because it is empty.");

        assertThat(e.ok()).isFalse();
        assertThat(e.json()).isNull();
        assertThat(e.failure()).isEqualTo(
                "no JSON object found in the model output (starts: 'I'm sorry, but I cannot classify this ti...')");
    }

    @Test
    void shortOutputIsQuotedWhole() {
        assertThat(extractor.extract("  no\n idea ").failure())
                .isEqualTo("no JSON object found in the model output (starts: 'no idea')");
    }

    @Test
    void emptyOutputIsNamed() {
        assertThat(extractor.extract(" \n").failure()).isEqualTo("the model output is empty");
        assertThat(extractor.extract(null).failure()).isEqualTo("the model output is empty");
    }

    @Test
    void malformedObjectNamesTheColumnInTheOutput() {
        Extraction e = extractor.extract("{\"a\" 1}");

        assertThat(e.ok()).isFalse();
        assertThat(e.failure()).startsWith("JSON object in the output is malformed at column 6: ")
                .contains("Unexpected character");
    }

    @Test
    void malformedFencedObjectNamesLineAndColumnOfTheWholeOutput() {
        Extraction e = extractor.extract("Result:\n```json\n{\"a\": 1,\n \"b\": tru}\n```");

        assertThat(e.failure()).startsWith("JSON object in the output is malformed at line 4, column ");
    }

    @Test
    void duplicateKeysAreMalformed() {
        Extraction e = extractor.extract("{\"category\": \"billing\", \"category\": \"other\"}");

        assertThat(e.failure()).isEqualTo("JSON object in the output is malformed at column 37: duplicate key 'category'");
    }

    @Test
    void truncatedObjectIsReportedAsNeverClosed() {
        Extraction e = extractor.extract("Answer: {\"category\": \"billing\", \"summary\": \"the user");

        assertThat(e.failure()).isEqualTo(
                "JSON object in the output starting at column 9 is never closed (was the output cut at max_tokens?)");
    }

    @Test
    void anArrayIsNotAnObject() {
        Extraction e = extractor.extract("[1, 2, 3]");

        assertThat(e.ok()).isFalse();
        assertThat(e.failure()).startsWith("no JSON object found");
    }
}
