package io.batchline.store;

/** The object a stage needs is not there: a permanent error for that stage. */
public class NoSuchObjectException extends RuntimeException {
    public NoSuchObjectException(String key) {
        super("no such object: " + key);
    }
}
