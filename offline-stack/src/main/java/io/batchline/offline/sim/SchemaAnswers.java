package io.batchline.offline.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.batchline.validate.OutputValidator;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.DoubleSupplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The simulator's answers to a JSON Schema: a value built from the schema's keywords (types and type unions,
 * {@code const}, {@code enum} of any JSON type, {@code $ref} into {@code $defs}/{@code definitions} or
 * {@code $anchor}s, {@code allOf} merged, {@code anyOf}, {@code oneOf} with a check that exactly one branch
 * matches, object properties with {@code required}, {@code additionalProperties}, {@code patternProperties},
 * {@code dependentRequired} and property counts, {@code if}/{@code then}/{@code else}, arrays with {@code items}, {@code prefixItems},
 * {@code contains}, {@code uniqueItems} and lengths, numbers with bounds and {@code multipleOf}, strings with
 * {@code pattern} (see {@link RegexExample}), {@code format} and lengths).
 *
 * <p>Guarantees: every choice comes from the {@link Dice} for the custom_id, so an answer is the same on every
 * run; each answer is checked with the product's {@link OutputValidator} and, when invalid (keywords built
 * without construction such as {@code not}), regenerated with other choices a bounded number of
 * times, so the answer is valid whenever one of those tries is (an unsatisfiable schema still gets an answer,
 * an invalid one). Recursive schemas are cut short by depth. Enum values named in the user message are
 * preferred, and a number property named {@code confidence} gets the tiered spread a sample run routes by.
 */
final class SchemaAnswers {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** Below this depth objects get only required properties, arrays their minimum length, unions null. */
    private static final int SHALLOW_DEPTH = 8;
    /** Beyond this depth generation stops (a recursive schema with no way out). */
    private static final int MAX_DEPTH = 24;
    /** Whole answers generated before giving up on a valid one. */
    private static final int ATTEMPTS = 8;
    /** Share of optional-to-null choices ({@code ["string","null"]}, an {@code anyOf} with a null branch). */
    private static final double NULL_SHARE = 0.15;

    // internal keywords of a flattened schema (a NUL cannot start a keyword a user writes)
    private static final String MORE_PATTERNS = "\u0000patterns";
    private static final String CLOSED_TO = "\u0000closedTo";
    private static final String ANY_OF = "\u0000anyOf";
    private static final String ONE_OF = "\u0000oneOf";
    private static final String NOTHING = "\u0000nothing";
    private static final String BRANCH = "__batchline_branch";

    /** Words that point at an enum value without naming it. */
    private static final Map<String, List<String>> SYNONYMS = Map.ofEntries(
            Map.entry("billing", List.of("invoice", "charge", "charged", "refund", "payment", "billed", "price",
                    "subscription")),
            Map.entry("bug", List.of("error", "crash", "crashes", "broken", "fails", "exception")),
            Map.entry("feature", List.of("wish", "would love", "please add", "could you add", "suggestion")),
            Map.entry("account", List.of("login", "password", "sign in", "locked")),
            Map.entry("positive", List.of("great", "love", "excellent", "happy", "thanks")),
            Map.entry("negative", List.of("terrible", "awful", "angry", "disappointed", "worst")),
            Map.entry("shipping", List.of("delivery", "package", "parcel", "tracking")),
            Map.entry("spam", List.of("unsubscribe", "winner", "lottery")));

    private static final String[] FIRST_NAMES = {"ada", "grace", "alan", "edsger", "barbara", "donald", "frances",
            "ken", "margaret", "linus"};
    private static final String[] LAST_NAMES = {"lovelace", "hopper", "turing", "dijkstra", "liskov", "knuth",
            "allen", "thompson", "hamilton", "torvalds"};

    /** Compiled validators per schema (a job's schema, or a branch wrapped with the root's definitions). */
    private static final Map<JsonNode, Optional<OutputValidator>> VALIDATORS =
            Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<JsonNode, Optional<OutputValidator>> eldest) {
                    return size() > 256;
                }
            });

    /** The random source: a deterministic number in [0,1) for these parts. */
    interface Dice {
        double unit(String... parts);
    }

    /** One answer's fixed inputs; salt is empty on the first try, so first tries draw what they always drew. */
    private record Ctx(JsonNode root, String customId, String user, String salt, AnswerConfidence.Shares shares) {}

    private final Dice dice;

    SchemaAnswers(Dice dice) {
        this.dice = dice;
    }

    /** An answer for {@code schema} (a part of {@code root}, or root itself) at JSON pointer {@code path}. */
    JsonNode answer(JsonNode schema, JsonNode root, String path, String customId, String user) {
        return answer(schema, root, path, customId, user, AnswerConfidence.Shares.DEFAULT);
    }

    /** As above, with a {@code confidence} property drawn by the answering model's {@code shares}. */
    JsonNode answer(JsonNode schema, JsonNode root, String path, String customId, String user,
                    AnswerConfidence.Shares shares) {
        OutputValidator check = validator(schema == root ? root : wrap(root, schema));
        JsonNode first = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Ctx c = new Ctx(root, customId, user, attempt == 0 ? "" : "retry" + attempt, shares);
            JsonNode v = generate(schema, path, c, 0);
            if (check == null || valid(check, v)) return v;
            if (first == null) first = v;
        }
        return first;
    }

    private double unit(Ctx c, String path, String... keys) {
        int head = c.salt().isEmpty() ? 2 : 3;
        String[] parts = new String[head + keys.length];
        parts[0] = c.customId();
        if (head == 3) parts[1] = c.salt();
        parts[head - 1] = path;
        System.arraycopy(keys, 0, parts, head, keys.length);
        return dice.unit(parts);
    }

    // ---------------------------------------------------------------- generation

    private JsonNode generate(JsonNode schema, String path, Ctx c, int depth) {
        if (depth > MAX_DEPTH) return F.nullNode();
        return generateFlat(flatten(schema, c.root()), path, c, depth);
    }

    private JsonNode generateFlat(ObjectNode s, String path, Ctx c, int depth) {
        if (s.has(NOTHING) || depth > MAX_DEPTH) return F.nullNode();
        if (s.has("if") && (s.has("then") || s.has("else"))) return conditional(s, path, c, depth);
        if (s.has(ONE_OF) || s.has(ANY_OF)) return branch(s, path, c, depth);
        if (s.has("const")) return s.get("const").deepCopy();
        List<String> types = types(s);
        if (s.path("enum").isArray() && !s.get("enum").isEmpty()) {
            return pickEnum(typed(s.get("enum"), s.has("type") ? types : List.of()), path, c).deepCopy();
        }
        String type = chooseType(types, path, c, depth);
        String name = name(path);
        switch (type) {
            case "object":
                return object(s, path, c, depth);
            case "array":
                return array(s, path, c, depth);
            case "integer":
            case "number":
                return number(s, type, name, path, c);
            case "boolean":
                return F.booleanNode(unit(c, path, "bool") < 0.5);
            case "null":
                return F.nullNode();
            default:
                return F.textNode(string(s, name, path, c));
        }
    }

    /** if/then/else: an answer without them decides which of then/else to add; the answer with it keeps that decision. */
    private JsonNode conditional(ObjectNode s, String path, Ctx c, int depth) {
        ObjectNode base = s.deepCopy();
        JsonNode condition = base.remove("if");
        JsonNode then = base.remove("then");
        JsonNode otherwise = base.remove("else");
        JsonNode plain = generateFlat(base, path, c, depth);
        boolean holds = matchesBranch(condition, plain, c.root());
        JsonNode consequence = holds ? then : otherwise;
        if (consequence == null) return plain;
        mergeInto(base, consequence, c.root(), new int[] {0});
        JsonNode v = generateFlat(base, path, c, depth);
        return matchesBranch(condition, v, c.root()) == holds ? v : plain;
    }

    /**
     * Picks a branch of the first anyOf/oneOf, merged with the rest of the schema, whose answer matches that branch
     * (oneOf: that branch alone); the first answer when none does.
     */
    private JsonNode branch(ObjectNode s, String path, Ctx c, int depth) {
        boolean oneOf = s.has(ONE_OF);
        String key = oneOf ? ONE_OF : ANY_OF;
        ObjectNode rest = s.deepCopy();
        ArrayNode lists = (ArrayNode) rest.get(key);
        JsonNode options = lists.remove(0);
        if (lists.isEmpty()) rest.remove(key);
        JsonNode first = null;
        for (int j : branchOrder(options, path, c, depth, oneOf ? "oneOf" : "anyOf")) {
            ObjectNode merged = rest.deepCopy();
            mergeInto(merged, options.get(j), c.root(), new int[] {0});
            if (merged.has(NOTHING)) continue;
            // a branch counts as a level: a branch that refers back to its own schema ends at MAX_DEPTH
            JsonNode v = generateFlat(merged, path, c, depth + 1);
            if (first == null) first = v;
            if (oneOf ? matchesOnlyBranch(options, j, v, c.root()) : matchesBranch(options.get(j), v, c.root())) {
                return v;
            }
        }
        return first != null ? first : generateFlat(rest, path, c, depth);
    }

    /** Branch indexes to try: from a hash-picked start, null-only branches first sometimes, else last. */
    private List<Integer> branchOrder(JsonNode options, String path, Ctx c, int depth, String combo) {
        List<Integer> nulls = new ArrayList<>(), values = new ArrayList<>();
        for (int j = 0; j < options.size(); j++) (isNullOnly(options.get(j), c.root()) ? nulls : values).add(j);
        int start = (int) (unit(c, path, combo) * Math.max(1, values.size()));
        List<Integer> rotated = new ArrayList<>();
        for (int k = 0; k < values.size(); k++) rotated.add(values.get((start + k) % values.size()));
        boolean nullFirst = !nulls.isEmpty() && (depth >= SHALLOW_DEPTH || unit(c, path, "null") < NULL_SHARE);
        List<Integer> order = new ArrayList<>();
        if (nullFirst) order.addAll(nulls);
        order.addAll(rotated);
        if (!nullFirst) order.addAll(nulls);
        return order;
    }

    private boolean isNullOnly(JsonNode branch, JsonNode root) {
        ObjectNode f = flatten(branch, root);
        if (f.has("const")) return f.get("const").isNull();
        return f.has("type") && types(f).equals(List.of("null"));
    }

    private static boolean matchesBranch(JsonNode branch, JsonNode value, JsonNode root) {
        OutputValidator v = validator(wrap(root, branch));
        return v == null || valid(v, value);
    }

    private static boolean matchesOnlyBranch(JsonNode options, int chosen, JsonNode value, JsonNode root) {
        for (int j = 0; j < options.size(); j++) {
            OutputValidator v = validator(wrap(root, options.get(j)));
            if (v == null) continue; // cannot tell: trust the construction
            boolean matches = valid(v, value);
            if (j == chosen ? !matches : matches) return false;
        }
        return true;
    }

    private JsonNode object(ObjectNode s, String path, Ctx c, int depth) {
        ObjectNode o = F.objectNode();
        JsonNode props = s.path("properties");
        Set<String> required = new LinkedHashSet<>();
        for (JsonNode r : s.path("required")) required.add(r.asText());
        Set<String> allowed = null;
        if (s.has(CLOSED_TO)) {
            allowed = new LinkedHashSet<>();
            for (JsonNode n : s.get(CLOSED_TO)) allowed.add(n.asText());
        }
        boolean shallow = depth >= SHALLOW_DEPTH;
        int maxProperties = s.path("maxProperties").asInt(Integer.MAX_VALUE);
        int optionalRoom = Math.max(0, maxProperties - required.size());
        int optionals = 0;
        List<String> skipped = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            String key = p.getKey();
            if (p.getValue().isBoolean() && !p.getValue().booleanValue()) continue;
            if (allowed != null && !allowed.contains(key)) continue;
            boolean isRequired = required.contains(key);
            boolean include = isRequired || !shallow && unit(c, path, key, "opt") < 0.7 && optionals < optionalRoom;
            if (include) {
                o.set(key, generate(propertySchema(s, key), path + "/" + key, c, depth + 1));
                if (!isRequired) optionals++;
            } else if (!isRequired) {
                skipped.add(key);
            }
        }
        for (String r : required) {
            if (!o.has(r)) o.set(r, generate(propertySchema(s, r), path + "/" + r, c, depth + 1));
        }
        for (int round = 0; round < 8 && s.path("dependentRequired").isObject(); round++) {
            boolean added = false;
            for (Iterator<Map.Entry<String, JsonNode>> it = s.get("dependentRequired").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> d = it.next();
                if (!o.has(d.getKey())) continue;
                for (JsonNode n : d.getValue()) {
                    if (!o.has(n.asText())) {
                        o.set(n.asText(), generate(propertySchema(s, n.asText()), path + "/" + n.asText(), c, depth + 1));
                        added = true;
                    }
                }
            }
            if (!added) break;
        }
        int minProperties = s.path("minProperties").asInt(0);
        for (String key : skipped) {
            if (o.size() >= minProperties) break;
            o.set(key, generate(propertySchema(s, key), path + "/" + key, c, depth + 1));
        }
        boolean open = allowed == null && !isFalse(s.get("additionalProperties"))
                && !isFalse(s.get("unevaluatedProperties"));
        for (int extra = 1; o.size() < minProperties && extra <= minProperties + 8; extra++) {
            String key = extraName(s, path, extra, c, open);
            if (key == null) break;
            if (!o.has(key)) o.set(key, generate(propertySchema(s, key), path + "/" + key, c, depth + 1));
        }
        return o;
    }

    /** A name for a property beyond the declared ones: from propertyNames or patternProperties; null if none may be added. */
    private String extraName(ObjectNode s, String path, int extra, Ctx c, boolean open) {
        if (s.path("patternProperties").isObject() && s.get("patternProperties").size() > 0) {
            String pattern = s.get("patternProperties").fieldNames().next();
            int[] counter = {0};
            DoubleSupplier random = () -> unit(c, path, "name", Integer.toString(extra), Integer.toString(counter[0]++));
            Optional<String> name = RegexExample.example(pattern, random, 1, 64);
            if (name.isPresent()) return name.get();
        }
        if (!open) return null;
        if (s.has("propertyNames")) {
            ObjectNode names = flatten(s.get("propertyNames"), c.root());
            if (!names.has("type")) names.put("type", "string");
            JsonNode n = generateFlat(names, path + "/~name" + extra, c, MAX_DEPTH);
            if (n.isTextual()) return n.asText();
        }
        return "extra_" + extra;
    }

    /** The schema a property's value must meet: its declared schema, matching patternProperties, else additionalProperties. */
    private static JsonNode propertySchema(ObjectNode s, String key) {
        ArrayNode all = F.arrayNode();
        if (s.path("properties").has(key)) all.add(s.get("properties").get(key));
        boolean matched = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = s.path("patternProperties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            try {
                if (Pattern.compile(p.getKey()).matcher(key).find()) {
                    all.add(p.getValue());
                    matched = true;
                }
            } catch (PatternSyntaxException e) {
                // a pattern Java cannot read: the validator cannot hold the value to it either
            }
        }
        if (all.isEmpty() && !matched && s.path("additionalProperties").isObject()) all.add(s.get("additionalProperties"));
        if (all.size() == 1) return all.get(0);
        ObjectNode both = F.objectNode();
        both.set("allOf", all);
        return both;
    }

    private JsonNode array(ObjectNode s, String path, Ctx c, int depth) {
        List<JsonNode> prefix = new ArrayList<>();
        JsonNode rest;
        if (s.path("items").isArray()) { // drafts before 2020-12: a tuple in items, the rest in additionalItems
            s.get("items").forEach(prefix::add);
            rest = s.get("additionalItems");
        } else {
            s.path("prefixItems").forEach(prefix::add);
            rest = s.get("items");
        }
        if (rest == null || rest.isMissingNode()) rest = F.objectNode();
        int min = s.path("minItems").asInt(0);
        int max = s.has("maxItems") ? s.get("maxItems").asInt() : Math.max(Math.max(min, prefix.size()), 3);
        if (isFalse(rest)) max = Math.min(max, prefix.size());
        JsonNode contains = s.get("contains");
        int minContains = contains == null ? 0 : s.path("minContains").asInt(1);
        int n;
        if (depth >= SHALLOW_DEPTH) n = min;
        else if (!prefix.isEmpty()) n = prefix.size();
        else n = 1 + (int) (unit(c, path, "len") * 2);
        n = Math.min(max, Math.max(Math.max(min, minContains), n));
        if (contains != null && s.has("maxContains")) n = Math.min(n, Math.max(min, s.get("maxContains").asInt()));
        JsonNode restEnum = flatten(rest, c.root()).path("enum");
        boolean unique = s.path("uniqueItems").asBoolean(false) || restEnum.isArray();
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < n; i++) {
            JsonNode itemSchema = i < prefix.size() ? prefix.get(i) : rest;
            if (i < minContains) {
                ObjectNode both = F.objectNode();
                both.putArray("allOf").add(itemSchema).add(contains);
                itemSchema = both;
            }
            JsonNode v = generate(itemSchema, path + "/" + i, c, depth + 1);
            if (unique && has(a, v) && i >= prefix.size() && restEnum.isArray()) {
                for (JsonNode e : restEnum) if (!has(a, e)) { v = e.deepCopy(); break; }
            }
            int retries = a.size() < min ? 24 : 6; // more when the array is still short of minItems
            for (int retry = 1; unique && has(a, v) && retry <= retries; retry++) {
                v = generate(itemSchema, path + "/" + i + "~" + retry, c, depth + 1);
            }
            if (unique && has(a, v)) {
                if (a.size() >= min) break;
                continue;
            }
            a.add(v);
        }
        return a;
    }

    private static boolean has(ArrayNode a, JsonNode v) {
        for (JsonNode x : a) if (x.equals(v)) return true;
        return false;
    }

    private static boolean isFalse(JsonNode n) {
        return n != null && n.isBoolean() && !n.booleanValue();
    }

    /** Prefer the value whose words (or synonyms) appear in the user message; otherwise a hash pick. */
    private JsonNode pickEnum(JsonNode values, String path, Ctx c) {
        String u = " " + c.user().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ") + " ";
        JsonNode best = null;
        int bestScore = 0;
        for (JsonNode v : values) {
            if (!v.isTextual()) continue;
            int score = 0;
            for (String w : v.asText().toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
                if (w.length() < 3) continue;
                if (u.contains(" " + w + " ") || u.contains(" " + w + "s ")) score += 2;
                for (String syn : SYNONYMS.getOrDefault(w, List.of())) {
                    if (u.contains(" " + syn + " ")) score++;
                }
            }
            if (score > bestScore) {
                best = v;
                bestScore = score;
            }
        }
        if (best != null) return best;
        return values.get((int) (unit(c, path, "enum") * values.size()));
    }

    /** The enum values of the declared types (all of them when none fits, or no type is declared). */
    private static JsonNode typed(JsonNode values, List<String> types) {
        if (types.isEmpty()) return values;
        ArrayNode fit = F.arrayNode();
        for (JsonNode v : values) if (types.stream().anyMatch(t -> isOfType(v, t))) fit.add(v);
        return fit.isEmpty() ? values : fit;
    }

    private static boolean isOfType(JsonNode v, String type) {
        return switch (type) {
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            default -> false;
        };
    }

    /** The declared types, or the one the keywords imply (string when nothing does). */
    private static List<String> types(ObjectNode s) {
        JsonNode t = s.get("type");
        if (t != null && t.isTextual()) return List.of(t.asText());
        if (t != null && t.isArray()) {
            List<String> list = new ArrayList<>();
            t.forEach(x -> list.add(x.asText()));
            if (!list.isEmpty()) return list;
        }
        for (String k : new String[] {"properties", "required", "additionalProperties", "patternProperties",
                "minProperties", "maxProperties", "propertyNames", "dependentRequired", CLOSED_TO}) {
            if (s.has(k)) return List.of("object");
        }
        for (String k : new String[] {"items", "prefixItems", "minItems", "maxItems", "contains", "uniqueItems"}) {
            if (s.has(k)) return List.of("array");
        }
        for (String k : new String[] {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}) {
            if (s.has(k)) return List.of("number");
        }
        return List.of("string");
    }

    private String chooseType(List<String> types, String path, Ctx c, int depth) {
        if (types.size() == 1) return types.get(0);
        List<String> values = new ArrayList<>(types);
        boolean nullable = values.remove("null");
        if (values.isEmpty()) return "null";
        if (nullable && (depth >= SHALLOW_DEPTH || unit(c, path, "null") < NULL_SHARE)) return "null";
        if (values.size() == 1) return values.get(0);
        return values.get((int) (unit(c, path, "type") * values.size()));
    }

    /** The property name a path ends in (an array item's: its array's name). */
    private static String name(String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            String p = parts[i];
            int tilde = p.indexOf('~');
            if (tilde >= 0) p = p.substring(0, tilde);
            if (!p.isEmpty() && !p.chars().allMatch(Character::isDigit)) return p;
        }
        return "";
    }

    // ---------------------------------------------------------------- numbers

    private JsonNode number(ObjectNode s, String type, String name, String path, Ctx c) {
        boolean integer = "integer".equals(type);
        BigDecimal lo = decimal(s.get("minimum")), hi = decimal(s.get("maximum"));
        boolean loOpen = false, hiOpen = false;
        JsonNode exMin = s.get("exclusiveMinimum"), exMax = s.get("exclusiveMaximum");
        if (exMin != null && exMin.isNumber()) {
            if (lo == null || exMin.decimalValue().compareTo(lo) >= 0) { lo = exMin.decimalValue(); loOpen = true; }
        } else if (exMin != null && exMin.asBoolean(false)) {
            loOpen = lo != null; // draft 4: a flag on minimum
        }
        if (exMax != null && exMax.isNumber()) {
            if (hi == null || exMax.decimalValue().compareTo(hi) <= 0) { hi = exMax.decimalValue(); hiOpen = true; }
        } else if (exMax != null && exMax.asBoolean(false)) {
            hiOpen = hi != null;
        }
        BigDecimal multipleOf = decimal(s.get("multipleOf"));
        if (multipleOf != null && multipleOf.signum() <= 0) multipleOf = null;
        BigDecimal step = multipleOf;
        if (integer) step = step == null ? BigDecimal.ONE : integerStep(step);
        BigDecimal grid = step != null ? step : new BigDecimal("0.01");
        BigDecimal span = BigDecimal.valueOf(100).max(grid.multiply(BigDecimal.valueOf(100)));
        BigDecimal hundred = BigDecimal.valueOf(100);
        if (lo == null && hi == null) { lo = BigDecimal.ZERO; hi = hundred; }
        else if (lo == null) lo = hi.signum() > 0 ? BigDecimal.ZERO : hi.subtract(span);
        else if (hi == null) hi = lo.compareTo(hundred) < 0 ? hundred : lo.add(span);
        BigInteger kMin = lo.divide(grid, 0, RoundingMode.CEILING).toBigInteger();
        if (loOpen && new BigDecimal(kMin).multiply(grid).compareTo(lo) == 0) kMin = kMin.add(BigInteger.ONE);
        BigInteger kMax = hi.divide(grid, 0, RoundingMode.FLOOR).toBigInteger();
        if (hiOpen && new BigDecimal(kMax).multiply(grid).compareTo(hi) == 0) kMax = kMax.subtract(BigInteger.ONE);
        if (kMin.compareTo(kMax) > 0) {
            // no point of the grid fits: the middle of the range does when no multipleOf binds it
            if (step == null && lo.compareTo(hi) < 0) return F.numberNode(lo.add(hi).divide(BigDecimal.valueOf(2)));
            return integer ? integerNode(lo.setScale(0, RoundingMode.CEILING)) : F.numberNode(lo);
        }
        double u = unit(c, path, "num");
        double min = lo.doubleValue(), max = hi.doubleValue();
        double target;
        if ("confidence".equalsIgnoreCase(name) && !integer) {
            // mostly confident, some review-worthy, a few below the reject line
            double tier = unit(c, path, "tier");
            if (tier < c.shares().confident()) target = 0.9 + u * 0.09;
            else if (tier < c.shares().confident() + c.shares().unsure()) target = 0.7 + u * 0.19;
            else target = 0.4 + u * 0.29;
            target = Math.max(min, Math.min(max, target));
        } else {
            target = min + u * (max - min);
        }
        BigInteger k = Double.isFinite(target)
                ? new BigDecimal(target).divide(grid, 0, RoundingMode.DOWN).toBigInteger() : kMin;
        if (k.compareTo(kMin) < 0) k = kMin;
        if (k.compareTo(kMax) > 0) k = kMax;
        BigDecimal value = new BigDecimal(k).multiply(grid);
        return integer ? integerNode(value) : F.numberNode(value);
    }

    private static JsonNode integerNode(BigDecimal value) {
        BigInteger v = value.toBigInteger();
        return v.bitLength() < 64 ? F.numberNode(v.longValue()) : F.numberNode(v);
    }

    /** The smallest positive integer that is a multiple of {@code multipleOf}. */
    private static BigDecimal integerStep(BigDecimal multipleOf) {
        BigDecimal m = multipleOf.stripTrailingZeros();
        if (m.scale() <= 0) return m;
        BigInteger unscaled = m.unscaledValue();
        return new BigDecimal(unscaled.divide(unscaled.gcd(BigInteger.TEN.pow(m.scale()))));
    }

    private static BigDecimal decimal(JsonNode n) {
        return n != null && n.isNumber() ? n.decimalValue() : null;
    }

    // ---------------------------------------------------------------- strings

    private String string(ObjectNode s, String name, String path, Ctx c) {
        int minLength = s.path("minLength").asInt(0);
        int maxLength = s.has("maxLength") ? s.get("maxLength").asInt() : Integer.MAX_VALUE;
        String format = s.path("format").asText("");
        String formatted = format.isEmpty() ? null : formatted(format, path, c);
        List<Pattern> patterns = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        if (s.path("pattern").isTextual()) sources.add(s.get("pattern").asText());
        for (JsonNode p : s.path(MORE_PATTERNS)) sources.add(p.asText());
        for (String p : sources) {
            try {
                patterns.add(Pattern.compile(p));
            } catch (PatternSyntaxException e) {
                // the validator cannot apply it either
            }
        }
        String text = text(name, c.customId(), minLength, maxLength);
        if (patterns.isEmpty()) return formatted != null ? formatted : text;
        List<String> candidates = new ArrayList<>();
        if (formatted != null) candidates.add(formatted);
        candidates.add(text);
        candidates.addAll(hints(name, path, c));
        for (String candidate : candidates) {
            if (matchesAll(patterns, candidate, minLength, maxLength)) return candidate;
        }
        for (int p = 0; p < sources.size(); p++) {
            int[] counter = {0};
            String key = "pattern" + p;
            DoubleSupplier random = () -> unit(c, path, key, Integer.toString(counter[0]++));
            for (int attempt = 0; attempt < 3; attempt++) {
                Optional<String> example = RegexExample.example(sources.get(p), random, minLength, maxLength);
                if (example.isPresent() && matchesAll(patterns, example.get(), minLength, maxLength)) {
                    return example.get();
                }
            }
        }
        return formatted != null ? formatted : text; // beyond the generator: the final check retries, then gives up
    }

    private static boolean matchesAll(List<Pattern> patterns, String s, int minLength, int maxLength) {
        for (Pattern p : patterns) if (!RegexExample.fits(p, s, minLength, maxLength)) return false;
        return true;
    }

    /** The plain answer text, cut or padded to the length bounds. */
    private static String text(String name, String customId, int minLength, int maxLength) {
        String s = (name.isEmpty() ? "Answer" : "The " + name.replace('_', ' ')) + " for " + customId + ".";
        if (s.codePointCount(0, s.length()) > maxLength) s = s.substring(0, s.offsetByCodePoints(0, maxLength));
        StringBuilder sb = new StringBuilder(s);
        while (sb.codePointCount(0, sb.length()) < minLength) sb.append('x');
        return sb.toString();
    }

    /** Values a field of this name usually holds, then values of the common formats, to try against a pattern. */
    private List<String> hints(String name, String path, Ctx c) {
        String n = name.toLowerCase(Locale.ROOT);
        List<String> hints = new ArrayList<>();
        if (n.contains("currency")) hints.add("USD");
        if (n.contains("country")) hints.add("US");
        if (n.contains("phone")) hints.add("+1-555-0100");
        if (n.contains("zip") || n.contains("postal")) hints.add("94107");
        if (n.contains("year")) hints.add(formatted("date", path, c).substring(0, 4));
        if (n.contains("name")) hints.add(capitalized(FIRST_NAMES, path, c) + " " + capitalized(LAST_NAMES, path, c));
        for (String format : new String[] {"date", "date-time", "time", "email", "uri", "uuid", "ipv4", "hostname"}) {
            hints.add(formatted(format, path, c));
        }
        return hints;
    }

    private String capitalized(String[] words, String path, Ctx c) {
        String w = words[(int) (unit(c, path, "word", words[0]) * words.length)];
        return Character.toUpperCase(w.charAt(0)) + w.substring(1);
    }

    /** A valid value of a known format, or null for a format this does not know. */
    private String formatted(String format, String path, Ctx c) {
        long n = (long) (unit(c, path, "format") * 1_000_000_000L);
        LocalDate date = LocalDate.of(2020, 1, 1).plusDays(n % 2200);
        String time = String.format(Locale.ROOT, "%02d:%02d:%02d", n % 24, n / 24 % 60, n / 1440 % 60);
        return switch (format) {
            case "date" -> date.toString();
            case "date-time" -> date + "T" + time + "Z";
            case "time" -> time + "Z";
            case "duration" -> "P" + (1 + n % 30) + "DT" + (n / 30 % 24) + "H";
            case "email", "idn-email" -> FIRST_NAMES[(int) (n % FIRST_NAMES.length)] + "."
                    + LAST_NAMES[(int) (n / 10 % LAST_NAMES.length)] + "@example.com";
            case "hostname", "idn-hostname" -> "host-" + n % 1000 + ".example.com";
            case "uri", "iri" -> "https://example.com/records/" + n % 100000;
            case "uri-reference", "iri-reference" -> "/records/" + n % 100000;
            case "uri-template" -> "https://example.com/records/{id}";
            case "ipv4" -> "10." + n % 256 + "." + n / 256 % 256 + "." + (1 + n / 65536 % 254);
            case "ipv6" -> "2001:db8::" + Long.toHexString(n % 65536) + ":" + Long.toHexString(n / 65536 % 65536);
            case "uuid" -> UUID.nameUUIDFromBytes((c.customId() + "/" + path + "/" + n).getBytes(StandardCharsets.UTF_8))
                    .toString();
            case "json-pointer" -> "/records/" + n % 10;
            case "relative-json-pointer" -> "0/records";
            case "regex" -> "^[a-z]+$";
            default -> null;
        };
    }

    // ---------------------------------------------------------------- schemas

    /** The schema with its $refs resolved and allOf branches merged into one object (see {@link #mergeInto}). */
    private static ObjectNode flatten(JsonNode schema, JsonNode root) {
        ObjectNode out = F.objectNode();
        mergeInto(out, schema, root, new int[] {0});
        return out;
    }

    /**
     * Adds a schema's constraints to {@code out}: properties of both (a property in both must meet both),
     * required of both, the types both allow, the tighter bound, both multipleOf, the enum values both list;
     * further patterns and anyOf/oneOf lists are kept under internal keys. {@code budget} bounds the work.
     */
    private static void mergeInto(ObjectNode out, JsonNode s, JsonNode root, int[] budget) {
        if (s == null || s.isMissingNode() || s.isNull()) return;
        if (s.isBoolean()) {
            if (!s.booleanValue()) out.put(NOTHING, true);
            return;
        }
        if (!s.isObject() || ++budget[0] > 400) return;
        for (String refKey : new String[] {"$ref", "$dynamicRef", "$recursiveRef"}) {
            if (s.path(refKey).isTextual()) {
                JsonNode target = resolveRef(s.get(refKey).asText(), root);
                if (target != null) mergeInto(out, target, root, budget);
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String k = e.getKey();
            JsonNode v = e.getValue();
            switch (k) {
                case "$ref", "$dynamicRef", "$recursiveRef", "$defs", "definitions", "$schema", "$id", "$anchor",
                        "$dynamicAnchor", "$recursiveAnchor", "$comment", "$vocabulary", "title", "description",
                        "examples", "default", "deprecated", "readOnly", "writeOnly" -> { }
                case "allOf" -> { for (JsonNode b : v) mergeInto(out, b, root, budget); }
                case "anyOf" -> list(out, ANY_OF).add(v);
                case "oneOf" -> list(out, ONE_OF).add(v);
                case "properties", "patternProperties", "dependentSchemas" -> {
                    ObjectNode map = out.has(k) && out.get(k).isObject() ? (ObjectNode) out.get(k) : out.putObject(k);
                    for (Iterator<Map.Entry<String, JsonNode>> p = v.fields(); p.hasNext(); ) {
                        Map.Entry<String, JsonNode> prop = p.next();
                        map.set(prop.getKey(), both(map.get(prop.getKey()), prop.getValue()));
                    }
                }
                case "required" -> {
                    ArrayNode req = out.has(k) ? (ArrayNode) out.get(k) : out.putArray(k);
                    for (JsonNode r : v) if (!has(req, r)) req.add(r);
                }
                case "type" -> intersectTypes(out, v);
                case "minimum", "minLength", "minItems", "minProperties", "minContains" -> tighter(out, k, v, true);
                case "maximum", "maxLength", "maxItems", "maxProperties", "maxContains" -> tighter(out, k, v, false);
                case "exclusiveMinimum", "exclusiveMaximum" -> {
                    if (v.isNumber()) tighter(out, k, v, k.equals("exclusiveMinimum"));
                    else if (!out.has(k)) out.set(k, v);
                }
                case "multipleOf" -> out.set(k, out.has(k) && out.get(k).isNumber() && v.isNumber()
                        ? F.numberNode(lcm(out.get(k).decimalValue(), v.decimalValue())) : v);
                case "enum" -> {
                    if (!out.has(k)) {
                        out.set(k, v);
                    } else {
                        ArrayNode common = F.arrayNode();
                        for (JsonNode x : out.get(k)) if (v.isArray() && has((ArrayNode) v, x)) common.add(x);
                        out.set(k, common);
                        if (common.isEmpty()) out.put(NOTHING, true);
                    }
                }
                case "pattern" -> {
                    if (!out.has(k)) out.set(k, v);
                    else if (!out.get(k).equals(v)) list(out, MORE_PATTERNS).add(v);
                }
                case "additionalProperties" -> {
                    if (isFalse(v)) {
                        ArrayNode names = F.arrayNode();
                        for (Iterator<String> n = s.path("properties").fieldNames(); n.hasNext(); ) {
                            String name = n.next();
                            if (!out.has(CLOSED_TO) || has((ArrayNode) out.get(CLOSED_TO), F.textNode(name))) {
                                names.add(name);
                            }
                        }
                        out.set(CLOSED_TO, names);
                    }
                    out.set(k, out.has(k) ? both(out.get(k), v) : v);
                }
                case "items", "additionalItems", "contains", "propertyNames", "unevaluatedItems",
                        "unevaluatedProperties" -> out.set(k, out.has(k) && !out.get(k).isArray() && !v.isArray()
                        ? both(out.get(k), v) : v);
                case "prefixItems" -> {
                    if (!out.has(k)) {
                        out.set(k, v);
                    } else {
                        ArrayNode merged = F.arrayNode();
                        JsonNode old = out.get(k);
                        for (int i = 0; i < Math.max(old.size(), v.size()); i++) {
                            merged.add(old.has(i) && v.has(i) ? both(old.get(i), v.get(i)) : old.has(i) ? old.get(i) : v.get(i));
                        }
                        out.set(k, merged);
                    }
                }
                case "uniqueItems" -> out.put(k, out.path(k).asBoolean(false) || v.asBoolean(false));
                default -> { if (!out.has(k)) out.set(k, v); }
            }
        }
    }

    private static ArrayNode list(ObjectNode out, String key) {
        return out.has(key) ? (ArrayNode) out.get(key) : out.putArray(key);
    }

    /** A schema a value meets when it meets both. */
    private static JsonNode both(JsonNode a, JsonNode b) {
        if (a == null || a.equals(b)) return b;
        ObjectNode all = F.objectNode();
        all.putArray("allOf").add(a).add(b);
        return all;
    }

    private static void tighter(ObjectNode out, String key, JsonNode v, boolean larger) {
        if (!v.isNumber()) return;
        JsonNode old = out.get(key);
        if (old == null || !old.isNumber()) {
            out.set(key, v);
            return;
        }
        int cmp = v.decimalValue().compareTo(old.decimalValue());
        if (larger ? cmp > 0 : cmp < 0) out.set(key, v);
    }

    private static void intersectTypes(ObjectNode out, JsonNode v) {
        List<String> mine = new ArrayList<>();
        if (v.isTextual()) mine.add(v.asText());
        else v.forEach(x -> mine.add(x.asText()));
        if (!out.has("type")) {
            out.set("type", v);
            return;
        }
        List<String> old = types(out);
        Set<String> common = new LinkedHashSet<>();
        for (String t : old) {
            if (mine.contains(t)) common.add(t);
            else if (t.equals("integer") && mine.contains("number")) common.add("integer");
            else if (t.equals("number") && mine.contains("integer")) common.add("integer");
        }
        if (common.isEmpty()) out.put(NOTHING, true);
        ArrayNode types = F.arrayNode();
        common.forEach(types::add);
        out.set("type", common.size() == 1 ? F.textNode(common.iterator().next()) : types);
    }

    /** The least common multiple of two positive decimals. */
    private static BigDecimal lcm(BigDecimal a, BigDecimal b) {
        if (a.signum() <= 0 || b.signum() <= 0) return a;
        int scale = Math.max(Math.max(a.scale(), b.scale()), 0);
        BigInteger x = a.movePointRight(scale).toBigInteger(), y = b.movePointRight(scale).toBigInteger();
        BigInteger l = x.divide(x.gcd(y)).multiply(y);
        return new BigDecimal(l).movePointLeft(scale);
    }

    /** The schema a $ref names in this document: a JSON pointer, an $anchor, or a $id (with a pointer); null if none. */
    private static JsonNode resolveRef(String ref, JsonNode root) {
        int hash = ref.indexOf('#');
        String base = hash < 0 ? ref : ref.substring(0, hash);
        String fragment = hash < 0 ? "" : ref.substring(hash + 1);
        JsonNode doc = root;
        if (!base.isEmpty()) {
            doc = findWith(root, "$id", base);
            if (doc == null && !base.equals(root.path("$id").asText())) return null;
            if (doc == null) doc = root;
        }
        if (fragment.isEmpty()) return doc;
        if (fragment.startsWith("/")) {
            String pointer = java.net.URLDecoder.decode(fragment.replace("+", "%2B"), StandardCharsets.UTF_8);
            JsonNode target = doc.at(pointer);
            return target.isMissingNode() ? null : target;
        }
        JsonNode anchored = findWith(doc, "$anchor", fragment);
        return anchored != null ? anchored : findWith(doc, "$dynamicAnchor", fragment);
    }

    /** The first object under {@code node} whose {@code key} is {@code value} (or ends in /value, for ids). */
    private static JsonNode findWith(JsonNode node, String key, String value) {
        if (node.isObject()) {
            String v = node.path(key).asText(null);
            if (v != null && (v.equals(value) || key.equals("$id") && v.endsWith("/" + value))) return node;
        }
        for (JsonNode child : node) {
            if (child.isContainerNode()) {
                JsonNode found = findWith(child, key, value);
                if (found != null) return found;
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- checking

    /** A schema that applies {@code part} with the root's definitions in reach, so its $refs resolve. */
    private static JsonNode wrap(JsonNode root, JsonNode part) {
        ObjectNode w = F.objectNode();
        if (root.has("$schema")) w.set("$schema", root.get("$schema"));
        ObjectNode defs = root.path("$defs").isObject() ? ((ObjectNode) root.get("$defs")).deepCopy() : F.objectNode();
        defs.set(BRANCH, part);
        w.set("$defs", defs);
        if (root.has("definitions")) w.set("definitions", root.get("definitions"));
        w.put("$ref", "#/$defs/" + BRANCH);
        return w;
    }

    /** The product's validator for this schema, compiled once; null when the schema cannot be compiled. */
    private static OutputValidator validator(JsonNode schema) {
        Optional<OutputValidator> cached = VALIDATORS.get(schema);
        if (cached == null) {
            OutputValidator compiled;
            try {
                compiled = new OutputValidator(schema);
            } catch (RuntimeException e) {
                compiled = null;
            }
            cached = Optional.ofNullable(compiled);
            VALIDATORS.put(schema.deepCopy(), cached);
        }
        return cached.orElse(null);
    }

    private static boolean valid(OutputValidator validator, JsonNode value) {
        try {
            return validator.validate(value).isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
