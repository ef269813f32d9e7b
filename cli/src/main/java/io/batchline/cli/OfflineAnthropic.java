package io.batchline.cli;

import java.io.IOException;
import java.net.URI;

/**
 * An Anthropic API on this machine, for {@code plan --calibrate sim}: the offline simulator, which lives with
 * the offline stack and is found with {@link java.util.ServiceLoader}.
 */
public interface OfflineAnthropic {
    /** Starts one; closing it stops it. */
    Running start() throws IOException;

    interface Running extends AutoCloseable {
        URI baseUrl();

        /** The API key it takes. */
        String apiKey();

        @Override
        void close();
    }
}
