package io.batchline.testing;

import io.batchline.cache.CachedAnswer;
import io.batchline.cache.ResultCacheStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link ResultCacheStore} in memory with DynamoResultCache's rules: at most {@link #MAX_KEYS_PER_LOOKUP} hashes
 * per lookup (more is an {@link IllegalArgumentException}); a put keeps an entry stored later
 * ({@code storedAt} greater than the new one's) and returns false. Expiry is not applied on read (as with the TTL
 * attribute, the window is checked in code against {@code storedAt}).
 */
public final class InMemoryResultCacheStore implements ResultCacheStore {
    private record Entry(CachedAnswer answer, long expiresAt) {}

    private final Map<String, Entry> entries = new HashMap<>();

    @Override
    public synchronized Map<String, CachedAnswer> getAll(List<String> hashes) {
        if (hashes.size() > MAX_KEYS_PER_LOOKUP) {
            throw new IllegalArgumentException("at most " + MAX_KEYS_PER_LOOKUP + " keys per lookup, got " + hashes.size());
        }
        Map<String, CachedAnswer> found = new HashMap<>();
        for (String h : hashes) {
            Entry e = entries.get(h);
            if (e != null) found.put(h, e.answer());
        }
        return found;
    }

    @Override
    public synchronized boolean put(String hash, CachedAnswer answer, long expiresAt) {
        Entry e = entries.get(hash);
        if (e != null && e.answer().storedAt() > answer.storedAt()) return false;
        entries.put(hash, new Entry(answer, expiresAt));
        return true;
    }

    /** Sets when the entry of {@code hash} was stored (epoch seconds): an answer made older than it is. */
    public synchronized void storedAt(String hash, long storedAt) {
        Entry e = entries.get(hash);
        if (e == null) throw new IllegalArgumentException("no cached answer for " + hash);
        CachedAnswer a = e.answer();
        entries.put(hash, new Entry(new CachedAnswer(a.output(), a.runId(), a.customId(), storedAt), e.expiresAt()));
    }

    /** The expiry stored with {@code hash}; -1 when absent. */
    public synchronized long expiresAt(String hash) {
        Entry e = entries.get(hash);
        return e == null ? -1 : e.expiresAt();
    }

    public synchronized int size() {
        return entries.size();
    }
}
