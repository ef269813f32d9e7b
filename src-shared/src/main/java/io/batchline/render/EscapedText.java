package io.batchline.render;

/**
 * A text as JSON string contents, escaped as Jackson writes it ({@link JsonEscaper}), without the quotes.
 *
 * @param bytes      the escaped bytes are {@code bytes[0, length)}
 * @param utf8Length the UTF-8 length of the text itself (for the token estimate)
 */
public record EscapedText(byte[] bytes, int length, long utf8Length) {}
