package io.batchline.cache;

import java.util.List;
import java.util.Map;

/** Where the result cache keeps answers, one entry per request hash. */
public interface ResultCacheStore {
    /** The most request hashes one {@link #getAll} looks up. */
    int MAX_KEYS_PER_LOOKUP = 100;

    /**
     * The stored answers for these request hashes (at most {@link #MAX_KEYS_PER_LOOKUP}); absent hashes are misses.
     */
    Map<String, CachedAnswer> getAll(List<String> hashes);

    /**
     * Stores (or refreshes) the answer to one request; an entry stored later by another run is kept.
     * @return false when a newer entry was already there
     */
    boolean put(String hash, CachedAnswer answer, long expiresAt);
}
