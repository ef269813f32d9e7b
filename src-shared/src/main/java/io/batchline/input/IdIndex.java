package io.batchline.input;

/**
 * Remembers, for every id seen in one input file, the line it was first seen on, to report duplicates
 * with flat, small memory: an open-addressing table of a 64-bit hash of the id -> first line, in
 * two primitive arrays (no boxing, no strings kept). 12 bytes per slot at a load factor of at most 0.75,
 * so about 16 to 32 bytes per item: ~16-32 MB for a million items.
 *
 * <p>Two different ids with the same 64-bit hash would be reported as duplicates. For n ids the chance of
 * any such collision is about n^2 / 2^65: ~3e-8 at 1 million items, ~3e-6 at 10 million. Lines past
 * 2^31-1 are recorded as 2^31-1 (only the "first seen" line of the message is affected).
 */
final class IdIndex {
    private long[] hashes;
    private int[] lines;
    private int size;
    private int mask;

    IdIndex() {
        this(1024);
    }

    IdIndex(int initialCapacity) {
        int capacity = Integer.highestOneBit(Math.max(16, initialCapacity - 1) * 2);
        hashes = new long[capacity];
        lines = new int[capacity];
        mask = capacity - 1;
    }

    /** Records the id on this line; returns 0 when it is new, else the line it was first seen on. */
    long putIfAbsent(String id, long line) {
        long hash = hash(id);
        int slot = (int) (hash ^ (hash >>> 32)) & mask;
        while (hashes[slot] != 0) {
            if (hashes[slot] == hash) return lines[slot];
            slot = (slot + 1) & mask;
        }
        hashes[slot] = hash;
        lines[slot] = (int) Math.min(line, Integer.MAX_VALUE);
        if (++size * 4L > hashes.length * 3L) grow();
        return 0;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldHashes = hashes;
        int[] oldLines = lines;
        hashes = new long[oldHashes.length * 2];
        lines = new int[oldLines.length * 2];
        mask = hashes.length - 1;
        for (int i = 0; i < oldHashes.length; i++) {
            long h = oldHashes[i];
            if (h == 0) continue;
            int slot = (int) (h ^ (h >>> 32)) & mask;
            while (hashes[slot] != 0) slot = (slot + 1) & mask;
            hashes[slot] = h;
            lines[slot] = oldLines[i];
        }
    }

    /** FNV-1a over the UTF-16 chars, then a 64-bit finaliser to spread the bits; 0 marks an empty slot. */
    static long hash(String id) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < id.length(); i++) {
            h ^= id.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
