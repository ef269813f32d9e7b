package io.batchline.provider;

import com.fasterxml.jackson.core.JsonParser;
import io.batchline.json.Json;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Walks a results JSONL stream one result at a time; memory stays flat whatever the file size. */
public final class ResultReader implements Iterator<BatchResult>, Closeable {
    private final JsonParser parser;
    private BatchResult next;
    private boolean done;

    public ResultReader(InputStream jsonl) {
        try {
            this.parser = Json.MAPPER.createParser(jsonl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            try {
                next = BatchResult.read(parser);
            } catch (IOException e) {
                throw new UncheckedIOException("reading results at line " + parser.currentLocation().getLineNr(), e);
            }
            if (next == null) done = true;
        }
        return next != null;
    }

    @Override
    public BatchResult next() {
        if (!hasNext()) throw new NoSuchElementException();
        BatchResult r = next;
        next = null;
        return r;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
