package io.batchline.offline.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The outcome of one invoke: the response body, and whether it is a function error payload. */
record InvokeResult(byte[] body, boolean functionError) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static InvokeResult success(byte[] body) {
        return new InvokeResult(body, false);
    }

    /** A function error raised by the host itself (timeouts, crashes), shaped like Lambda's. */
    static InvokeResult error(String errorType, String errorMessage) {
        ObjectNode n = JSON.createObjectNode();
        n.put("errorType", errorType);
        n.put("errorMessage", errorMessage);
        try {
            return new InvokeResult(JSON.writeValueAsBytes(n), true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
