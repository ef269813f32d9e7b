package io.batchline.compare;

import io.batchline.json.Json;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * One run's outcome lines in line order, in bounded memory: the four outcome files hold their lines in the order
 * the shards finished, so items are gathered {@code chunkSize} at a time, sorted and spilled to a file in
 * {@code spillDir}; reading merges the spilled files (or, for a run that fits in one chunk, just the sorted chunk).
 * Memory: one chunk while adding, one item per spilled file while reading. Closing deletes the spilled files.
 */
final class LineSortedItems implements Closeable {
    /** Items held before a chunk is spilled: ~100 bytes each, so a few MB. */
    static final int DEFAULT_CHUNK = 50_000;

    private final Path spillDir;
    private final int chunkSize;
    private final List<ComparedItem> chunk = new ArrayList<>();
    private final List<Path> spills = new ArrayList<>();
    private final List<BufferedReader> open = new ArrayList<>();
    private long added;

    LineSortedItems(Path spillDir, int chunkSize) {
        if (chunkSize < 1) throw new IllegalArgumentException("chunkSize must be positive");
        this.spillDir = spillDir;
        this.chunkSize = chunkSize;
    }

    void add(ComparedItem item) {
        chunk.add(item);
        added++;
        if (chunk.size() >= chunkSize) spill();
    }

    long size() {
        return added;
    }

    int spilledFiles() {
        return spills.size();
    }

    private void spill() {
        chunk.sort(Comparator.comparingLong(ComparedItem::line));
        try {
            Files.createDirectories(spillDir);
            Path file = Files.createTempFile(spillDir, "compare-", ".jsonl");
            spills.add(file);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
                for (ComparedItem i : chunk) {
                    out.write(i.toJsonLine());
                    out.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("spilling sorted outcome lines to " + spillDir, e);
        }
        chunk.clear();
    }

    /** Every item added, in line order; call once, after the last {@link #add}. */
    Iterator<ComparedItem> sorted() {
        if (spills.isEmpty()) {
            chunk.sort(Comparator.comparingLong(ComparedItem::line));
            return chunk.iterator();
        }
        if (!chunk.isEmpty()) spill();
        record Head(ComparedItem item, int source) {}
        PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparingLong((Head h) -> h.item().line()));
        try {
            for (int s = 0; s < spills.size(); s++) {
                BufferedReader r = Files.newBufferedReader(spills.get(s), StandardCharsets.UTF_8);
                open.add(r);
                ComparedItem first = next(r);
                if (first != null) heads.add(new Head(first, s));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !heads.isEmpty();
            }

            @Override
            public ComparedItem next() {
                Head h = heads.poll();
                if (h == null) throw new NoSuchElementException();
                ComparedItem following = LineSortedItems.next(open.get(h.source()));
                if (following != null) heads.add(new Head(following, h.source()));
                return h.item();
            }
        };
    }

    private static ComparedItem next(BufferedReader r) {
        try {
            String text = r.readLine();
            return text == null ? null : Json.read(text.getBytes(StandardCharsets.UTF_8), ComparedItem.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        for (BufferedReader r : open) {
            try {
                r.close();
            } catch (IOException ignored) {
                // the file is deleted next
            }
        }
        for (Path p : spills) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file left behind
            }
        }
    }
}
