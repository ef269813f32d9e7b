package io.batchline.offline.sim;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;

/**
 * Example strings for a JSON Schema {@code pattern} (an ECMA-262 regular expression, matched unanchored).
 * It generates a full match of the pattern: literals, escapes ({@code \d \w \s \D \W \S}, <code>&#92;uXXXX</code>,
 * {@code \xHH}, escaped punctuation), character classes with ranges and negation, {@code .}, capturing,
 * named and non-capturing groups, alternation, greedy/lazy/possessive quantifiers and anchors; back-references
 * repeat what their group produced. Every example it returns has been checked with {@link Pattern#matcher}
 * {@code find()} (how the product's validator checks patterns) and lies within the length bounds, counted in
 * code points; when no attempt passes (lookarounds it ignored, a pattern it cannot parse, bounds the pattern
 * cannot meet) it returns empty. The work is bounded: a fixed number of attempts of bounded length.
 */
final class RegexExample {
    private static final int MAX_OUTPUT = 4096;
    private static final int ATTEMPTS = 12;
    /** Characters tried, in this order, for classes given by exclusion ({@code [^,]}, {@code \W}, {@code .}). */
    private static final String PREFERRED =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,:;/!?@#$%&*+=()[]{}<>'\"~^|\\`";

    private RegexExample() {}

    /**
     * A string that {@code pattern} finds, {@code minLength..maxLength} code points long, drawing every choice
     * from {@code random}; empty when none was found.
     */
    static Optional<String> example(String pattern, DoubleSupplier random, int minLength, int maxLength) {
        Pattern compiled;
        Node tree;
        try {
            compiled = Pattern.compile(pattern);
            tree = new Parser(pattern).parseAll();
        } catch (RuntimeException e) { // not a pattern Java reads, or one this parser cannot
            return Optional.empty();
        }
        // attempts: random lengths first, then the shortest, then longer and longer repetitions
        int[] extras = {3, 3, 3, 0, 6, Math.max(8, minLength), Math.max(16, 2 * minLength)};
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int extra = extras[Math.min(attempt, extras.length - 1)];
            Mode mode = attempt < 3 ? Mode.RANDOM : attempt == 3 ? Mode.SHORTEST : Mode.LONGEST;
            Generation g = new Generation(random, mode, attempt >= extras.length ? extra + attempt * 8 : extra);
            String s;
            try {
                tree.emit(g);
                s = g.out.toString();
            } catch (TooLong e) {
                continue;
            }
            if (fits(compiled, s, minLength, maxLength)) return Optional.of(s);
            String padded = pad(compiled, s, minLength);
            if (padded != null && fits(compiled, padded, minLength, maxLength)) return Optional.of(padded);
        }
        return Optional.empty();
    }

    /** True when {@code s} is found by the pattern and its length is within bounds. */
    static boolean fits(Pattern pattern, String s, int minLength, int maxLength) {
        int length = s.codePointCount(0, s.length());
        return length >= minLength && length <= maxLength && pattern.matcher(s).find();
    }

    /** A too-short match lengthened outside the matched part (an unanchored pattern still finds it), or null. */
    private static String pad(Pattern pattern, String s, int minLength) {
        int missing = minLength - s.codePointCount(0, s.length());
        if (missing <= 0) return null;
        String filler = "x".repeat(missing);
        for (String candidate : new String[] {s + filler, filler + s, s + " ".repeat(missing)}) {
            if (pattern.matcher(candidate).find()) return candidate;
        }
        return null;
    }

    private enum Mode { RANDOM, SHORTEST, LONGEST }

    private static final class TooLong extends RuntimeException {
        TooLong() {
            super(null, null, false, false);
        }
    }

    /** The state of one attempt: the output, the groups' texts and the random source. */
    private static final class Generation {
        final DoubleSupplier random;
        final Mode mode;
        /** Repetitions allowed above the minimum for an unbounded quantifier. */
        final int extra;
        final StringBuilder out = new StringBuilder();
        final Map<Integer, String> groups = new HashMap<>();

        Generation(DoubleSupplier random, Mode mode, int extra) {
            this.random = random;
            this.mode = mode;
            this.extra = extra;
        }

        int below(int bound) {
            if (bound <= 1) return 0;
            return Math.min(bound - 1, (int) (random.getAsDouble() * bound));
        }

        void append(int codePoint) {
            out.appendCodePoint(codePoint);
            if (out.length() > MAX_OUTPUT) throw new TooLong();
        }
    }

    private interface Node {
        void emit(Generation g);
    }

    private record Sequence(List<Node> parts) implements Node {
        public void emit(Generation g) {
            for (Node p : parts) p.emit(g);
        }
    }

    private record Alternation(List<Node> options) implements Node {
        public void emit(Generation g) {
            options.get(g.mode == Mode.RANDOM ? g.below(options.size()) : 0).emit(g);
        }
    }

    private record Group(Node body, int number) implements Node {
        public void emit(Generation g) {
            int start = g.out.length();
            body.emit(g);
            if (number > 0) g.groups.put(number, g.out.substring(start));
        }
    }

    private record BackReference(int number) implements Node {
        public void emit(Generation g) {
            String text = g.groups.getOrDefault(number, "");
            text.codePoints().forEach(g::append);
        }
    }

    /** Anchors, boundaries and lookarounds: nothing to emit (the final check judges the lookarounds). */
    private record Empty() implements Node {
        public void emit(Generation g) {}
    }

    private record Repeat(Node body, int min, int max) implements Node {
        public void emit(Generation g) {
            int upper = max < 0 ? min + g.extra : Math.min(max, min + Math.max(g.extra, 16));
            int count = switch (g.mode) {
                case SHORTEST -> min;
                case LONGEST -> upper;
                case RANDOM -> min + g.below(upper - min + 1);
            };
            for (int i = 0; i < count; i++) body.emit(g);
        }
    }

    /** One character from a set given by ranges (to sample from) and a test (for exclusions). */
    private record CharSet(List<int[]> ranges, IntPredicate test, boolean negated) implements Node {
        public void emit(Generation g) {
            if (!negated && !ranges.isEmpty()) {
                int[] r = ranges.get(g.below(ranges.size()));
                g.append(r[0] + g.below(r[1] - r[0] + 1));
                return;
            }
            IntPredicate accepts = negated ? test.negate() : test;
            int offset = g.below(PREFERRED.length());
            for (int i = 0; i < PREFERRED.length(); i++) {
                int c = PREFERRED.charAt((offset + i) % PREFERRED.length());
                if (accepts.test(c)) {
                    g.append(c);
                    return;
                }
            }
            for (int c = 0xA1; c < 0xFFFF; c++) {
                if (Character.isSurrogate((char) c)) continue;
                if (accepts.test(c)) {
                    g.append(c);
                    return;
                }
            }
            throw new TooLong(); // an empty set: this attempt cannot succeed
        }
    }

    /** An item of a character class: ranges when it can be listed, and its membership test. */
    private record ClassItem(List<int[]> ranges, IntPredicate test, boolean listable) {
        static ClassItem range(int from, int to) {
            List<int[]> r = new ArrayList<>();
            r.add(new int[] {from, to});
            return new ClassItem(r, c -> c >= from && c <= to, true);
        }
    }

    private static final ClassItem DIGIT = ClassItem.range('0', '9');
    private static final ClassItem WORD = new ClassItem(
            List.of(new int[] {'a', 'z'}, new int[] {'A', 'Z'}, new int[] {'0', '9'}, new int[] {'_', '_'}),
            c -> c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_', true);
    private static final ClassItem SPACE = new ClassItem(List.<int[]>of(new int[] {' ', ' '}),
            c -> c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B || c == 0xA0
                    || c == 0xFEFF || Character.getType(c) == Character.SPACE_SEPARATOR || c == 0x2028 || c == 0x2029,
            true);

    private static ClassItem not(ClassItem item) {
        return new ClassItem(List.of(), item.test().negate(), false);
    }

    /** A recursive-descent reader of the pattern into {@link Node}s. */
    private static final class Parser {
        private final String p;
        private int i;
        private int groupCount;
        private final Map<String, Integer> names = new HashMap<>();

        Parser(String pattern) {
            this.p = pattern;
        }

        Node parseAll() {
            Node n = alternation();
            if (i < p.length()) throw new IllegalArgumentException("unbalanced ) at " + i);
            return n;
        }

        private Node alternation() {
            List<Node> options = new ArrayList<>();
            options.add(sequence());
            while (i < p.length() && p.charAt(i) == '|') {
                i++;
                options.add(sequence());
            }
            return options.size() == 1 ? options.get(0) : new Alternation(options);
        }

        private Node sequence() {
            List<Node> parts = new ArrayList<>();
            while (i < p.length() && p.charAt(i) != '|' && p.charAt(i) != ')') {
                Node atom = atom();
                parts.add(quantified(atom));
            }
            return new Sequence(parts);
        }

        private Node quantified(Node atom) {
            while (i < p.length()) {
                char c = p.charAt(i);
                int min, max;
                if (c == '?') { min = 0; max = 1; i++; }
                else if (c == '*') { min = 0; max = -1; i++; }
                else if (c == '+') { min = 1; max = -1; i++; }
                else if (c == '{' && braces()) {
                    int close = p.indexOf('}', i);
                    String body = p.substring(i + 1, close);
                    i = close + 1;
                    int comma = body.indexOf(',');
                    if (comma < 0) { min = max = Integer.parseInt(body); }
                    else {
                        min = Integer.parseInt(body.substring(0, comma));
                        String rest = body.substring(comma + 1);
                        max = rest.isEmpty() ? -1 : Integer.parseInt(rest);
                    }
                } else {
                    return atom;
                }
                if (i < p.length() && (p.charAt(i) == '?' || p.charAt(i) == '+')) i++; // lazy, possessive
                atom = new Repeat(atom, min, max);
            }
            return atom;
        }

        /** True when the '{' at i starts a quantifier {n}, {n,} or {n,m}. */
        private boolean braces() {
            int close = p.indexOf('}', i);
            return close > i && p.substring(i + 1, close).matches("\\d+(,\\d*)?");
        }

        private Node atom() {
            char c = p.charAt(i);
            switch (c) {
                case '^':
                case '$':
                    i++;
                    return new Empty();
                case '.':
                    i++;
                    return new CharSet(List.of(), x -> x != '\n' && x != '\r' && x != 0x2028 && x != 0x2029, false);
                case '(':
                    return group();
                case '[':
                    return charClass();
                case '\\':
                    return escape();
                default:
                    int cp = p.codePointAt(i);
                    i += Character.charCount(cp);
                    return literal(cp);
            }
        }

        private Node group() {
            i++; // (
            int number = 0;
            boolean lookaround = false;
            if (p.startsWith("?:", i)) {
                i += 2;
            } else if (p.startsWith("?=", i) || p.startsWith("?!", i)) {
                i += 2;
                lookaround = true;
            } else if (p.startsWith("?<=", i) || p.startsWith("?<!", i)) {
                i += 3;
                lookaround = true;
            } else if (p.startsWith("?<", i) || p.startsWith("?P<", i)) {
                i += p.charAt(i + 1) == 'P' ? 3 : 2;
                int close = p.indexOf('>', i);
                number = ++groupCount;
                names.put(p.substring(i, close), number);
                i = close + 1;
            } else if (p.startsWith("?", i)) {
                // inline flags: (?i) or (?i:...)
                int j = i + 1;
                while (j < p.length() && Character.isLetter(p.charAt(j)) || j < p.length() && p.charAt(j) == '-') j++;
                if (j < p.length() && p.charAt(j) == ')') {
                    i = j + 1;
                    return new Empty();
                }
                i = j + 1; // past ':'
            } else {
                number = ++groupCount;
            }
            Node body = alternation();
            if (i >= p.length() || p.charAt(i) != ')') throw new IllegalArgumentException("missing )");
            i++;
            return lookaround ? new Empty() : new Group(body, number);
        }

        private Node escape() {
            i++; // backslash
            char c = p.charAt(i);
            switch (c) {
                case 'b', 'B', 'A', 'z', 'Z', 'G' -> {
                    i++;
                    return new Empty();
                }
                case 'k' -> {
                    int close = p.indexOf('>', i);
                    String name = p.substring(i + 2, close);
                    i = close + 1;
                    return new BackReference(names.getOrDefault(name, 0));
                }
                default -> {
                    if (c >= '1' && c <= '9') {
                        int j = i;
                        while (j < p.length() && Character.isDigit(p.charAt(j))) j++;
                        int n = Integer.parseInt(p.substring(i, j));
                        i = j;
                        return new BackReference(n);
                    }
                    ClassItem item = escapeItem(false);
                    return set(List.of(item), false);
                }
            }
        }

        /** The escape after a backslash (i at the escaped character), as a class item; advances past it. */
        private ClassItem escapeItem(boolean inClass) {
            char c = p.charAt(i++);
            switch (c) {
                case 'd': return DIGIT;
                case 'D': return not(DIGIT);
                case 'w': return WORD;
                case 'W': return not(WORD);
                case 's': return SPACE;
                case 'S': return not(SPACE);
                case 'p':
                case 'P': {
                    String name;
                    if (p.charAt(i) == '{') {
                        int close = p.indexOf('}', i);
                        name = p.substring(i + 1, close);
                        i = close + 1;
                    } else {
                        name = p.substring(i, i + 1);
                        i++;
                    }
                    Pattern property = Pattern.compile("\\p{" + name + "}");
                    IntPredicate test = x -> property.matcher(new String(Character.toChars(x))).matches();
                    ClassItem item = new ClassItem(List.of(), test, false);
                    return c == 'p' ? item : not(item);
                }
                case 't': return single('\t');
                case 'n': return single('\n');
                case 'r': return single('\r');
                case 'f': return single('\f');
                case 'v': return single(0x0B);
                case '0': return single(0);
                case 'b': return single('\b'); // only reached inside a class
                case 'c': return single(p.charAt(i++) % 32);
                case 'x': {
                    int v = Integer.parseInt(p.substring(i, i + 2), 16);
                    i += 2;
                    return single(v);
                }
                case 'u': {
                    if (p.charAt(i) == '{') {
                        int close = p.indexOf('}', i);
                        int v = Integer.parseInt(p.substring(i + 1, close), 16);
                        i = close + 1;
                        return single(v);
                    }
                    int v = Integer.parseInt(p.substring(i, i + 4), 16);
                    i += 4;
                    return single(v);
                }
                default: {
                    i--;
                    int cp = p.codePointAt(i);
                    i += Character.charCount(cp);
                    return single(cp);
                }
            }
        }

        private static ClassItem single(int cp) {
            return ClassItem.range(cp, cp);
        }

        private Node literal(int cp) {
            return set(List.of(ClassItem.range(cp, cp)), false);
        }

        private Node charClass() {
            i++; // [
            boolean negated = false;
            if (i < p.length() && p.charAt(i) == '^') {
                negated = true;
                i++;
            }
            List<ClassItem> items = new ArrayList<>();
            while (i < p.length() && p.charAt(i) != ']') {
                ClassItem from = classAtom();
                if (from.listable() && from.ranges().size() == 1 && from.ranges().get(0)[0] == from.ranges().get(0)[1]
                        && i + 1 < p.length() && p.charAt(i) == '-' && p.charAt(i + 1) != ']') {
                    i++; // -
                    ClassItem to = classAtom();
                    int lo = from.ranges().get(0)[0];
                    int hi = to.listable() && to.ranges().size() == 1 ? to.ranges().get(0)[1] : lo;
                    if (hi < lo) throw new IllegalArgumentException("range out of order");
                    items.add(ClassItem.range(lo, hi));
                } else {
                    items.add(from);
                }
            }
            if (i >= p.length()) throw new IllegalArgumentException("missing ]");
            i++; // ]
            return set(items, negated);
        }

        private ClassItem classAtom() {
            char c = p.charAt(i);
            if (c == '\\') {
                i++;
                return escapeItem(true);
            }
            if (c == '[') throw new IllegalArgumentException("nested class"); // Java reads it as a union
            int cp = p.codePointAt(i);
            i += Character.charCount(cp);
            return ClassItem.range(cp, cp);
        }

        private static Node set(List<ClassItem> items, boolean negated) {
            boolean listable = items.stream().allMatch(ClassItem::listable);
            List<int[]> ranges = new ArrayList<>();
            if (listable) for (ClassItem it : items) ranges.addAll(it.ranges());
            IntPredicate test = x -> {
                for (ClassItem it : items) if (it.test().test(x)) return true;
                return false;
            };
            // a set with an unlisted part (\D, \p{L}) is drawn by testing candidates
            return new CharSet(listable ? ranges : List.of(), test, negated);
        }
    }
}
