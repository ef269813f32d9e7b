package io.batchline.plan;

import io.batchline.store.ObjectStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * An outcome part that planning writes across format checkpoints. S3 objects cannot be appended to, so the
 * lines go to an in-memory tail (at most {@link #SPILL_BYTES}, then spilled to a numbered segment object); a
 * checkpoint spills the tail and records the segment numbers so far; {@link #finish} writes the part's real key as
 * its recorded segments followed by the tail. A resumed pass starts from the recorded segments only, so a segment a
 * killed pass spilled after its last checkpoint is never read (its lines are written again by the resumed pass).
 * Without a checkpoint or a spill, finishing is one PUT of the tail, as a plain stream would be.
 */
public final class SegmentedPart {
    /** Tail bytes kept in memory before they spill to a segment: a small, fixed bound per part. */
    static final int SPILL_BYTES = 1 << 20;

    private final ObjectStore store;
    private final String key;
    private final IntFunction<String> segmentKey;
    private final boolean alwaysCreate;
    private final int spillBytes;
    private final List<Integer> segments = new ArrayList<>();
    private final ByteArrayOutputStream tail = new ByteArrayOutputStream(8 * 1024);
    private final OutputStream out = new OutputStream() {
        @Override
        public void write(int b) {
            tail.write(b);
            spillWhenFull();
        }

        @Override
        public void write(byte[] b, int off, int len) {
            tail.write(b, off, len);
            spillWhenFull();
        }
    };

    /**
     * @param segmentKey   the key of segment n
     * @param alwaysCreate write the part even when it has no line (readers expect it); else only when it has one
     */
    public SegmentedPart(ObjectStore store, String key, IntFunction<String> segmentKey, boolean alwaysCreate) {
        this(store, key, segmentKey, alwaysCreate, SPILL_BYTES);
    }

    SegmentedPart(ObjectStore store, String key, IntFunction<String> segmentKey, boolean alwaysCreate, int spillBytes) {
        this.spillBytes = spillBytes;
        this.store = store;
        this.key = key;
        this.segmentKey = segmentKey;
        this.alwaysCreate = alwaysCreate;
    }

    public String key() {
        return key;
    }

    /** Where lines go; a line may span a spill (the part is their concatenation). */
    public OutputStream stream() {
        return out;
    }

    /** A resumed pass: the segments its checkpoint recorded, before any line of this pass. */
    public void restore(List<Integer> recorded) {
        if (!segments.isEmpty() || tail.size() > 0) throw new IllegalStateException(key + " was written before restore");
        segments.addAll(recorded);
    }

    /** Spills the tail (when it has lines) and returns the segments a checkpoint records. */
    public List<Integer> checkpoint() {
        spill();
        return List.copyOf(segments);
    }

    /** Writes the part: its segments, then the tail. */
    public void finish() {
        if (segments.isEmpty()) {
            if (tail.size() > 0 || alwaysCreate) store.put(key, tail.toByteArray(), Planner.JSONL);
            return;
        }
        try (OutputStream part = store.create(key, Planner.JSONL)) {
            for (int segment : segments) {
                try (InputStream in = store.open(segmentKey.apply(segment))) {
                    in.transferTo(part);
                }
            }
            tail.writeTo(part);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + key + " from its segments", e);
        }
    }

    private void spillWhenFull() {
        if (tail.size() >= spillBytes) spill();
    }

    private void spill() {
        if (tail.size() == 0) return;
        int next = segments.isEmpty() ? 0 : segments.get(segments.size() - 1) + 1;
        store.put(segmentKey.apply(next), tail.toByteArray(), Planner.JSONL);
        segments.add(next);
        tail.reset();
    }
}
