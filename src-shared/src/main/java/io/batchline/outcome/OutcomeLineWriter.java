package io.batchline.outcome;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import io.batchline.cost.Usage;
import io.batchline.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * Writes {@link OutcomeLine}s as JSON Lines with exactly the bytes {@code Json.bytes(line)} gives (the same field
 * order, absent nulls, the same number and string forms: OutcomeLineWriterTest pins it over varied lines), without
 * data binding's cost per line (it was a fifth of collect's time): one generator reused for every line,
 * the fields written in {@link OutcomeLine}'s {@code @JsonPropertyOrder}. A field added to OutcomeLine must be
 * added here too (the test fails until it is).
 *
 * <p>Not thread-safe: one per collect.
 */
public final class OutcomeLineWriter {
    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString LINE = new SerializedString("line");
    private static final SerializedString OUTCOME = new SerializedString("outcome");
    private static final SerializedString REASON = new SerializedString("reason");
    private static final SerializedString OUTPUT = new SerializedString("output");
    private static final SerializedString CONFIDENCE = new SerializedString("confidence");
    private static final SerializedString USAGE = new SerializedString("usage");
    private static final SerializedString INPUT_TOKENS = new SerializedString("input_tokens");
    private static final SerializedString OUTPUT_TOKENS = new SerializedString("output_tokens");
    private static final SerializedString CACHE_CREATION = new SerializedString("cache_creation_input_tokens");
    private static final SerializedString CACHE_READ = new SerializedString("cache_read_input_tokens");
    private static final SerializedString OUTPUT_TOKENS_DETAILS = new SerializedString("output_tokens_details");
    private static final SerializedString THINKING_TOKENS = new SerializedString("thinking_tokens");
    private static final SerializedString COST_USD = new SerializedString("cost_usd");
    private static final SerializedString ATTEMPTS = new SerializedString("attempts");
    private static final SerializedString BATCH_ID = new SerializedString("batch_id");
    private static final SerializedString CUSTOM_ID = new SerializedString("custom_id");
    private static final SerializedString REPAIRED = new SerializedString("repaired");
    private static final SerializedString TRUNCATED = new SerializedString("truncated");
    private static final SerializedString GROUND_TRUTH = new SerializedString("ground_truth");
    private static final SerializedString HISTORY = new SerializedString("history");
    private static final SerializedString STRATUM = new SerializedString("stratum");
    private static final SerializedString CHUNKS = new SerializedString("chunks");
    private static final SerializedString CACHED = new SerializedString("cached");
    private static final SerializedString ESCALATED_FROM = new SerializedString("escalated_from");

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);
    private final JsonGenerator g;
    /** Serialises output and history trees as data binding does (same features: nulls kept, arrays as is). */
    private final SerializerProvider provider = Json.MAPPER.getSerializerProviderInstance();

    public OutcomeLineWriter() {
        try {
            g = Json.MAPPER.createGenerator(buffer, JsonEncoding.UTF8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        g.setRootValueSeparator(null); // a reused generator would otherwise put ' ' between lines
    }

    /** Writes the line and its newline to {@code out}. */
    public void write(OutputStream out, OutcomeLine line) {
        try {
            buffer.reset();
            fields(line);
            g.flush();
            buffer.write('\n');
            buffer.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void fields(OutcomeLine l) throws IOException {
        g.writeStartObject();
        string(ID, l.id());
        g.writeFieldName(LINE);
        g.writeNumber(l.line());
        string(OUTCOME, l.outcome());
        string(REASON, l.reason());
        tree(OUTPUT, l.output());
        if (l.confidence() != null) {
            g.writeFieldName(CONFIDENCE);
            g.writeNumber(l.confidence().doubleValue());
        }
        Usage u = l.usage();
        if (u != null) {
            g.writeFieldName(USAGE);
            g.writeStartObject();
            g.writeFieldName(INPUT_TOKENS);
            g.writeNumber(u.inputTokens());
            g.writeFieldName(OUTPUT_TOKENS);
            g.writeNumber(u.outputTokens());
            g.writeFieldName(CACHE_CREATION);
            g.writeNumber(u.cacheCreationInputTokens());
            g.writeFieldName(CACHE_READ);
            g.writeNumber(u.cacheReadInputTokens());
            if (u.outputTokensDetails() != null) {
                g.writeFieldName(OUTPUT_TOKENS_DETAILS);
                g.writeStartObject();
                g.writeFieldName(THINKING_TOKENS);
                g.writeNumber(u.outputTokensDetails().thinkingTokens());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        if (l.costUsd() != null) {
            g.writeFieldName(COST_USD);
            g.writeNumber(l.costUsd());
        }
        g.writeFieldName(ATTEMPTS);
        g.writeNumber(l.attempts());
        string(BATCH_ID, l.batchId());
        string(CUSTOM_ID, l.customId());
        bool(REPAIRED, l.repaired());
        bool(TRUNCATED, l.truncated());
        string(GROUND_TRUTH, l.groundTruth());
        tree(HISTORY, l.history());
        string(STRATUM, l.stratum());
        if (l.chunks() != null) {
            g.writeFieldName(CHUNKS);
            g.writeNumber(l.chunks().intValue());
        }
        bool(CACHED, l.cached());
        tree(ESCALATED_FROM, l.escalatedFrom());
        g.writeEndObject();
    }

    private void string(SerializedString name, String value) throws IOException {
        if (value == null) return;
        g.writeFieldName(name);
        g.writeString(value);
    }

    private void bool(SerializedString name, Boolean value) throws IOException {
        if (value == null) return;
        g.writeFieldName(name);
        g.writeBoolean(value);
    }

    private void tree(SerializedString name, JsonNode value) throws IOException {
        if (value == null) return;
        g.writeFieldName(name);
        value.serialize(g, provider);
    }
}
