package io.batchline.store;

/**
 * The object under a key is no longer the version a caller named (its ETag, or version id, differs): it was
 * overwritten since. A permanent error for whoever named that version; the new version is another object.
 */
public class ObjectChangedException extends RuntimeException {
    private final String key;
    private final String expectedEtag;
    private final String currentEtag;

    /** @param currentEtag the ETag the key holds now; null when unknown (or the object is gone) */
    public ObjectChangedException(String key, String expectedEtag, String currentEtag) {
        super(key + ": the object is no longer the version expected (ETag " + expectedEtag + " expected, now "
                + (currentEtag == null ? "unknown" : currentEtag) + ")");
        this.key = key;
        this.expectedEtag = expectedEtag;
        this.currentEtag = currentEtag;
    }

    public String key() {
        return key;
    }

    public String expectedEtag() {
        return expectedEtag;
    }

    /** The ETag the key holds now; null when unknown. */
    public String currentEtag() {
        return currentEtag;
    }
}
