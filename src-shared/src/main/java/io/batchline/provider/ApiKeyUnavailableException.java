package io.batchline.provider;

/**
 * The Anthropic API key could not be had: its secret is missing, denied, empty or unreadable (not retryable),
 * or Secrets Manager did not answer in time (retryable). The message names the source, never the key.
 */
public class ApiKeyUnavailableException extends ProviderException {
    public static final String ERROR_TYPE = "api_key_unavailable";

    public ApiKeyUnavailableException(Kind kind, String message, Throwable cause) {
        super(kind, 0, ERROR_TYPE, message, null, null, cause);
    }
}
