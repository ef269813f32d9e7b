package io.batchline.render;

/** One item cannot be rendered (a template field is missing or null): a permanent error for that item only. */
public class RenderException extends RuntimeException {
    public RenderException(String message) {
        super(message);
    }
}
