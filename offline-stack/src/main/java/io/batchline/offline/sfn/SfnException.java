package io.batchline.offline.sfn;

/** An API error as AWS JSON 1.0 reports it: HTTP 400 + {"__type": type, "message": ...}. */
public class SfnException extends RuntimeException {
    private final String type;

    public SfnException(String type, String message) {
        super(message);
        this.type = type;
    }

    public String type() {
        return type;
    }
}
