package io.batchline.provider;

/**
 * A create call whose body may have reached the provider but whose answer was lost or was a server error:
 * a batch may or may not exist. Creating again could pay twice, so this is never retried automatically;
 * the caller reconciles by listing recent batches (see {@link BatchProvider#create}).
 */
public class AmbiguousCreateException extends ProviderException {

    public AmbiguousCreateException(ProviderException cause) {
        super(cause.kind(), cause.httpStatus(), cause.errorType(),
                "batch creation outcome unknown, reconcile by listing batches before creating again",
                cause.requestId(), cause.retryAfter(), cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }
}
