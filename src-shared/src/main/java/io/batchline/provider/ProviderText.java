package io.batchline.provider;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Text the provider (or whatever answers at the base URL) chose to send, made safe before it goes into an
 * exception message, an outcome line's reason, plan.json, a log line or an execution's cause: the API
 * key this process sent, and anything shaped like an Anthropic key ({@code sk-ant-...}), become {@value #REDACTED},
 * and the text is cut at {@value #MAX_CHARS} characters with a marker saying how much was cut.
 */
public final class ProviderText {
    /** The longest provider text kept; the rest is replaced by a marker. */
    public static final int MAX_CHARS = 500;
    public static final String REDACTED = "[REDACTED]";
    /** Keys shorter than this are not searched for: a test key like "k" would mangle every message. */
    private static final int MIN_SECRET_CHARS = 8;
    private static final Pattern KEY_LIKE = Pattern.compile("sk-ant-[A-Za-z0-9_\\-]+");
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

    private ProviderText() {}

    /** Remembers a key this process sends, so that an endpoint echoing it back does not get it into our output. */
    public static void remember(String secret) {
        if (secret != null && secret.length() >= MIN_SECRET_CHARS) SECRETS.add(secret);
    }

    /** The text redacted and capped; null stays null. */
    public static String clean(String text) {
        if (text == null) return null;
        String s = text;
        for (String secret : SECRETS) s = s.replace(secret, REDACTED);
        s = KEY_LIKE.matcher(s).replaceAll("sk-ant-" + REDACTED);
        if (s.length() > MAX_CHARS) {
            s = s.substring(0, MAX_CHARS) + "... [" + (s.length() - MAX_CHARS) + " more characters cut]";
        }
        return s;
    }
}
