package io.batchline.provider;

import java.time.Duration;

/**
 * A failed call to the provider, classified so callers can decide between retrying, fixing the request and
 * giving up. Messages carry the provider's error type, message and request id; never the API key: the
 * provider's text is redacted of keys and capped ({@link ProviderText}).
 */
public class ProviderException extends RuntimeException {

    public enum Kind {
        AUTHENTICATION, PERMISSION, NOT_FOUND, INVALID_REQUEST, REQUEST_TOO_LARGE, RATE_LIMITED, OVERLOADED,
        SERVER, TIMEOUT, CONNECTION,
        /** A 2xx answer we could not read (not JSON, missing fields): a bug or an API change, not retried. */
        MALFORMED_RESPONSE
    }

    private final Kind kind;
    private final int httpStatus;
    private final String errorType;
    private final String requestId;
    private final Duration retryAfter;

    public ProviderException(Kind kind, int httpStatus, String errorType, String message, String requestId,
                             Duration retryAfter, Throwable cause) {
        // what the provider sent is redacted of keys and capped before it becomes our message
        super(describe(kind, httpStatus, ProviderText.clean(errorType), ProviderText.clean(message),
                ProviderText.clean(requestId)), cause);
        this.kind = kind;
        this.httpStatus = httpStatus;
        this.errorType = ProviderText.clean(errorType);
        this.requestId = ProviderText.clean(requestId);
        this.retryAfter = retryAfter;
    }

    private static String describe(Kind kind, int status, String type, String message, String requestId) {
        StringBuilder sb = new StringBuilder(kind.name());
        if (status > 0) sb.append(" (HTTP ").append(status).append(')');
        if (type != null) sb.append(' ').append(type);
        if (message != null && !message.isBlank()) sb.append(": ").append(message);
        if (requestId != null) sb.append(" [request-id ").append(requestId).append(']');
        return sb.toString();
    }

    /** Maps an HTTP error status to its kind, as listed in the provider's error documentation. */
    public static Kind kindOf(int status) {
        return switch (status) {
            case 400 -> Kind.INVALID_REQUEST;
            case 401 -> Kind.AUTHENTICATION;
            case 403 -> Kind.PERMISSION;
            case 404 -> Kind.NOT_FOUND;
            case 413 -> Kind.REQUEST_TOO_LARGE;
            case 429 -> Kind.RATE_LIMITED;
            case 529 -> Kind.OVERLOADED;
            // the API documents invalid_request_error for other 4xx too
            default -> status >= 500 ? Kind.SERVER : Kind.INVALID_REQUEST;
        };
    }

    public Kind kind() { return kind; }

    /** 0 when no HTTP answer was received (timeouts, connection failures, missing key). */
    public int httpStatus() { return httpStatus; }

    /** The provider's {@code error.type}, e.g. {@code overloaded_error}; null when there was no error body. */
    public String errorType() { return errorType; }

    public String requestId() { return requestId; }

    /** The server's {@code retry-after}, when it sent one. */
    public Duration retryAfter() { return retryAfter; }

    /** True when the same call may succeed later unchanged. */
    public boolean retryable() {
        return switch (kind) {
            // a spend-limit 429 will not clear by waiting: it comes without retry-after and with this error code
            case RATE_LIMITED -> !"enforced_spend_limit_reached".equals(errorType);
            case OVERLOADED, TIMEOUT, CONNECTION -> true;
            case SERVER -> httpStatus == 0 || httpStatus == 500 || httpStatus == 502 || httpStatus == 503
                    || httpStatus == 504;
            default -> false;
        };
    }
}
