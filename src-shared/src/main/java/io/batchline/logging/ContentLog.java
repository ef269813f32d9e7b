package io.batchline.logging;

import java.util.Map;

/**
 * R7.1: prompt and output text never reach the logs unless {@value #DEBUG_ENV}=true. Any log message that
 * would carry item text (a prompt, an answer, an input line) passes it through {@link #text}, which withholds
 * it by default and says how long it was.
 */
public final class ContentLog {
    public static final String DEBUG_ENV = "BATCHLINE_DEBUG_LOG_CONTENT";
    private static final boolean ENABLED = enabled(System.getenv());

    private ContentLog() {}

    static boolean enabled(Map<String, String> env) {
        return "true".equalsIgnoreCase(env.getOrDefault(DEBUG_ENV, "").trim());
    }

    public static boolean enabled() {
        return ENABLED;
    }

    public static String text(String content) {
        return text(content, ENABLED);
    }

    static String text(String content, boolean enabled) {
        if (content == null) return "null";
        if (enabled) return content;
        return "[" + content.length() + " chars withheld; " + DEBUG_ENV + "=true logs them]";
    }
}
