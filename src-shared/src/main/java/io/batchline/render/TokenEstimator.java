package io.batchline.render;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A conservative first estimate of a request's input tokens, used for the budget guard and shard stats
 * before anything is sent: ceil(UTF-8 bytes of the system and message texts / 3.5) plus a small
 * overhead per message. English prose averages ~4 bytes per token, so dividing by 3.5 over-estimates on
 * purpose. It is a first estimate, to be calibrated against the provider's count_tokens endpoint on a
 * sample when one is available.
 */
public final class TokenEstimator {
    private TokenEstimator() {}

    /** Role markers and block framing the provider adds around each message and system block. */
    public static final int PER_MESSAGE_OVERHEAD = 8;
    /** Framing of the request as a whole. */
    public static final int PER_REQUEST_OVERHEAD = 4;

    /** Estimated input tokens of a rendered {@code params} node. */
    public static long estimate(JsonNode params) {
        return estimate(params, 0);
    }

    /**
     * The estimate for {@code params} with {@code extraTextBytes} more UTF-8 bytes of text in its blocks: a plain
     * request is its job's shared params plus its user message, so it need not be built as a tree.
     */
    public static long estimate(JsonNode params, long extraTextBytes) {
        long bytes = extraTextBytes;
        int blocks = 0;
        JsonNode system = params.path("system");
        if (system.isTextual()) {
            bytes += utf8Length(system.textValue());
            blocks++;
        } else {
            for (JsonNode block : system) {
                bytes += textBytes(block.path("text").asText(""));
                blocks++;
            }
        }
        for (JsonNode message : params.path("messages")) {
            blocks++;
            JsonNode content = message.path("content");
            if (content.isTextual()) {
                bytes += utf8Length(content.textValue());
            } else {
                for (JsonNode block : content) bytes += utf8Length(block.path("text").asText(""));
            }
        }
        return tokensForBytes(bytes) + (long) blocks * PER_MESSAGE_OVERHEAD + PER_REQUEST_OVERHEAD;
    }

    /** A long text and its UTF-8 length: the system prompt is the same String in every request of a job. */
    private record Measured(String text, long bytes) {}

    private static volatile Measured lastLong;

    /** {@link #utf8Length}, remembering the last long text by identity so it is not measured again per item. */
    private static long textBytes(String text) {
        Measured last = lastLong;
        if (last != null && last.text == text) return last.bytes;
        long bytes = utf8Length(text);
        if (text.length() >= 256) lastLong = new Measured(text, bytes);
        return bytes;
    }

    /** ceil(bytes / 3.5), in integers. */
    public static long tokensForBytes(long bytes) {
        return (bytes * 2 + 6) / 7;
    }

    /** The UTF-8 length of a string without encoding it. */
    public static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n += 1;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }
}
