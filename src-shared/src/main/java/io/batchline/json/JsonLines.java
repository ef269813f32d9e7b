package io.batchline.json;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** JSON Lines in and out, one value per line, streamed. */
public final class JsonLines {
    private JsonLines() {}

    public static void write(OutputStream out, Object value) {
        try {
            out.write(Json.bytes(value));
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Calls {@code each} for every non-blank line; the stream is closed afterwards. */
    public static void forEachLine(InputStream in, Consumer<String> each) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) each.accept(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
