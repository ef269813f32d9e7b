package io.batchline.validate;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.json.Json;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the JSON object in a model's answer: the whole text, else the object inside a
 * ```json (or bare ```) fence, else the first balanced {...} amid prose. Stateless and thread-safe.
 */
public final class JsonExtractor {

    private static final int SNIPPET_CHARS = 40;

    /** Opening fence and its info string ("json", "", "python", ...); the content starts after the newline. */
    private static final Pattern FENCE_OPEN = Pattern.compile("```[ \\t]*([A-Za-z0-9_+.-]*)[^\\n]*\\n");
    private static final String FENCE = "```";
    private static final Pattern DUPLICATE_KEY = Pattern.compile("Duplicate field '(.*)' for `ObjectNode`");

    // Trailing tokens can't occur (we parse an exact balanced span), but duplicate keys can: a model that
    // writes "category" twice is ambiguous, so that is a malformed answer rather than "last one wins".
    private static final ObjectReader STRICT_READER = Json.MAPPER.reader()
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    public Extraction extract(String modelText) {
        if (modelText == null || modelText.isBlank()) {
            return Extraction.failed("the model output is empty");
        }
        int first = firstNonWhitespace(modelText);
        int last = lastNonWhitespace(modelText);

        if (modelText.charAt(first) == '{') {
            int end = matchObject(modelText, first, modelText.length());
            if (end == last) {
                return parse(modelText, first, end, Extraction.Source.BARE);
            }
            // An object followed by prose, or one never closed: the searches below report those.
        }

        Extraction fenced = fromFence(modelText);
        if (fenced != null) {
            return fenced;
        }
        return fromProse(modelText, first);
    }

    /** The object in the preferred fence (```json first, else the first bare ``` holding a '{'), or null. */
    private Extraction fromFence(String text) {
        int[] chosen = null;
        Matcher open = FENCE_OPEN.matcher(text);
        int from = 0;
        while (from < text.length() && open.find(from)) {
            int contentStart = open.end();
            int close = text.indexOf(FENCE, contentStart);
            // An unclosed fence is usually an answer cut at max_tokens: its content runs to the end.
            int contentEnd = close < 0 ? text.length() : close;
            String lang = open.group(1);
            int brace = text.indexOf('{', contentStart);
            boolean hasBrace = brace >= 0 && brace < contentEnd;
            if (hasBrace && lang.equalsIgnoreCase("json")) {
                chosen = new int[] {contentStart, contentEnd};
                break;
            }
            if (hasBrace && lang.isEmpty() && chosen == null) {
                chosen = new int[] {contentStart, contentEnd};
            }
            if (close < 0) {
                break;
            }
            from = close + FENCE.length();
        }
        if (chosen == null) {
            return null;
        }
        int start = text.indexOf('{', chosen[0]);
        int end = matchObject(text, start, chosen[1]);
        if (end < 0) {
            // A string value holding ``` ends the fence early by our reading; string-aware matching knows better.
            end = matchObject(text, start, text.length());
        }
        if (end < 0) {
            return Extraction.failed("JSON object in the fenced block starting at " + position(text, start)
                    + " is never closed (was the output cut at max_tokens?)");
        }
        return parse(text, start, end, Extraction.Source.FENCED);
    }

    /**
     * The first balanced object that parses. A balanced span that does not parse (e.g. "{name}" in prose)
     * is skipped, but its error is what we report if nothing better turns up, since it is most likely the answer.
     */
    private Extraction fromProse(String text, int first) {
        Extraction firstFailure = null;
        int from = 0;
        while (true) {
            int start = text.indexOf('{', from);
            if (start < 0) {
                break;
            }
            int end = matchObject(text, start, text.length());
            if (end < 0) {
                // Every later '{' lies inside this unclosed object, so nothing further can be balanced.
                if (firstFailure == null) {
                    firstFailure = Extraction.failed("JSON object in the output starting at " + position(text, start)
                            + " is never closed (was the output cut at max_tokens?)");
                }
                break;
            }
            Extraction parsed = parse(text, start, end, Extraction.Source.IN_PROSE);
            if (parsed.ok()) {
                return parsed;
            }
            if (firstFailure == null) {
                firstFailure = parsed;
            }
            from = end + 1;
        }
        if (firstFailure != null) {
            return firstFailure;
        }
        return Extraction.failed("no JSON object found in the model output (starts: '" + snippet(text, first) + "')");
    }

    private static Extraction parse(String text, int start, int end, Extraction.Source source) {
        String candidate = text.substring(start, end + 1);
        try {
            JsonNode node = STRICT_READER.readTree(candidate);
            // Cannot be anything else: the span starts with '{' and parsed whole.
            return Extraction.found((ObjectNode) node, source);
        } catch (JsonProcessingException e) {
            return Extraction.failed("JSON object in the output is malformed at "
                    + errorPosition(text, start, e.getLocation()) + ": " + parserMessage(e));
        }
    }

    /** Jackson's own words, minus its internals where it names a feature flag. */
    private static String parserMessage(JsonProcessingException e) {
        Matcher duplicate = DUPLICATE_KEY.matcher(e.getOriginalMessage());
        return duplicate.lookingAt() ? "duplicate key '" + duplicate.group(1) + "'" : e.getOriginalMessage();
    }

    /**
     * Index of the '}' that closes the object opening at {@code start}, or -1 if it is not closed before
     * {@code limit}. Braces inside strings do not count; backslash escapes inside strings are skipped.
     */
    static int matchObject(String text, int start, int limit) {
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < limit; i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** The parser's error location, translated from the candidate span to the whole model output. */
    private static String errorPosition(String text, int spanStart, JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return position(text, spanStart);
        }
        int[] startLineCol = lineAndColumn(text, spanStart);
        int line = startLineCol[0] + location.getLineNr() - 1;
        int column = location.getLineNr() == 1 ? startLineCol[1] + location.getColumnNr() - 1 : location.getColumnNr();
        return format(line, column);
    }

    private static String position(String text, int offset) {
        int[] lc = lineAndColumn(text, offset);
        return format(lc[0], lc[1]);
    }

    /** "column 5" for single-line answers (the common case), "line 3, column 5" otherwise. */
    private static String format(int line, int column) {
        return line == 1 ? "column " + column : "line " + line + ", column " + column;
    }

    private static int[] lineAndColumn(String text, int offset) {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new int[] {line, offset - lineStart + 1};
    }

    private static String snippet(String text, int first) {
        // A window wider than the snippet, so collapsing whitespace still leaves enough characters.
        String head = text.substring(first, Math.min(text.length(), first + 4 * SNIPPET_CHARS))
                .replaceAll("\\s+", " ").stripTrailing();
        return head.length() > SNIPPET_CHARS ? head.substring(0, SNIPPET_CHARS) + "..." : head;
    }

    private static int firstNonWhitespace(String text) {
        int i = 0;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static int lastNonWhitespace(String text) {
        int i = text.length() - 1;
        while (i >= 0 && Character.isWhitespace(text.charAt(i))) {
            i--;
        }
        return i;
    }
}
