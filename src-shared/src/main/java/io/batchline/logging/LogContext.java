package io.batchline.logging;

import java.util.function.BiConsumer;

/**
 * Fields the domain learns mid-invocation (the batch id of a shard) and every later log line should carry. The
 * domain knows no logging framework: the functions plug in their MDC; elsewhere this is a no-op.
 */
public final class LogContext {
    private static volatile BiConsumer<String, String> sink = (k, v) -> { };

    private LogContext() {}

    public static void use(BiConsumer<String, String> mdcPut) {
        sink = mdcPut;
    }

    public static void put(String key, String value) {
        if (value != null) sink.accept(key, value);
    }
}
