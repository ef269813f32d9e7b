package io.batchline.provider;

import java.util.function.Supplier;

/**
 * An API key source that keeps the key itself and re-reads it when due (a secret store's key that may be
 * rotated): a provider client uses it as it is rather than caching its first answer for good.
 */
public interface RefreshingApiKey extends Supplier<String> {}
