package io.batchline.logging;

/**
 * Prompt and output text never reach the logs unless {@value #DEBUG_ENV}=true. Any log message that
 * would carry item text (a prompt, an answer, an input line) passes it through {@link #text}, which withholds
 * it by default and says how long it was.
 */
public final class ContentLog {
    public static final String DEBUG_ENV = "BATCHLINE_DEBUG_LOG_CONTENT";
    private static volatile boolean enabled;

    private ContentLog() {}

    /** Whether item text may be logged ({@value #DEBUG_ENV}=true); off until the process's wiring says so. */
    public static void configure(boolean logContent) {
        enabled = logContent;
    }

    public static boolean enabled() {
        return enabled;
    }

    public static String text(String content) {
        return text(content, enabled);
    }

    static String text(String content, boolean enabled) {
        if (content == null) return "null";
        if (enabled) return content;
        return "[" + content.length() + " chars withheld; " + DEBUG_ENV + "=true logs them]";
    }
}
