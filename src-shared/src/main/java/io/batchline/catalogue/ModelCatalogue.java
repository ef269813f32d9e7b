package io.batchline.catalogue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.batchline.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The model catalogue: every Claude model the project knows, with its aliases, lifecycle, limits, request rules
 * and dated prices. Bundled at {@value #BUNDLED_RESOURCE}; a deployment adds or replaces models (by id) with a
 * file of the same shape named by {@value #MODELS_FILE_ENV}. Immutable, so it can be shared freely.
 *
 * <p>Ids are as the API defines them: since the 4.6 generation an id carries no date and still names one pinned
 * version ({@code claude-opus-4-6}); older models have dated ids and a moving alias ({@code claude-haiku-4-5}).
 */
public final class ModelCatalogue {

    public static final String MODELS_FILE_ENV = "BATCHLINE_MODELS_FILE";
    /** The variable of the price table this catalogue replaced; named in the error when a deployment still sets it. */
    static final String REPLACED_PRICES_FILE_ENV = "BATCHLINE_PRICES_FILE";
    static final String BUNDLED_RESOURCE = "/batchline/models.json";

    public static final String API_VERSION_2023 = "2023-06-01";
    public static final String API_VERSION_2026 = "2026-10-21";

    private final String asOf;
    private final String source;
    private final BigDecimal batchDiscount;
    /** by id, in the file's order */
    private final Map<String, ModelEntry> models;
    /** alias -> id */
    private final Map<String, String> aliases;
    /** API version -> does it refuse sampling parameters on every model */
    private final Map<String, Boolean> versionRefusesSampling;

    private ModelCatalogue(String asOf, String source, BigDecimal batchDiscount, Map<String, ModelEntry> models,
                           Map<String, Boolean> versionRefusesSampling) {
        this.asOf = asOf;
        this.source = source;
        this.batchDiscount = batchDiscount;
        this.models = Map.copyOf(models);
        this.versionRefusesSampling = Map.copyOf(versionRefusesSampling);
        Map<String, String> a = new LinkedHashMap<>();
        for (ModelEntry m : models.values()) for (String alias : m.aliases()) a.put(alias, m.id());
        this.aliases = Map.copyOf(a);
        this.order = List.copyOf(models.keySet());
    }

    private final List<String> order;

    private static final class Bundled {
        static final ModelCatalogue CATALOGUE = load();

        private static ModelCatalogue load() {
            try (InputStream in = ModelCatalogue.class.getResourceAsStream(BUNDLED_RESOURCE)) {
                if (in == null) throw new IllegalStateException("bundled model catalogue " + BUNDLED_RESOURCE + " is not on the classpath");
                return read(in, "bundled " + BUNDLED_RESOURCE, null);
            } catch (IOException e) {
                throw new UncheckedIOException("reading bundled " + BUNDLED_RESOURCE, e);
            }
        }
    }

    public static ModelCatalogue bundled() {
        return Bundled.CATALOGUE;
    }

    /**
     * The bundled catalogue, with the models of the file named by {@value #MODELS_FILE_ENV} added or replacing
     * those of the same id. A named file must exist and be valid.
     */
    public static ModelCatalogue fromEnvOrBundled(Map<String, String> env) {
        String replaced = env.get(REPLACED_PRICES_FILE_ENV);
        if (replaced != null && !replaced.isBlank()) {
            throw new IllegalArgumentException(REPLACED_PRICES_FILE_ENV + " is no longer read: prices live in the model "
                    + "catalogue now; write a catalogue file (the shape of " + BUNDLED_RESOURCE + ") and point "
                    + MODELS_FILE_ENV + " at it");
        }
        String file = env.get(MODELS_FILE_ENV);
        if (file == null || file.isBlank()) return bundled();
        Path path = Path.of(file.trim());
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, MODELS_FILE_ENV + "=" + path, bundled());
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(MODELS_FILE_ENV + "=" + path + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(MODELS_FILE_ENV + "=" + path + ": cannot be read", e);
        }
    }

    /** A catalogue from this stream alone (tests, tools). */
    public static ModelCatalogue read(InputStream in) {
        return read(in, "model catalogue", null);
    }

    /** The models of {@code in} over {@code base} (null: alone); {@code as_of} and discount from {@code in}. */
    private static ModelCatalogue read(InputStream in, String origin, ModelCatalogue base) {
        JsonNode root;
        try {
            root = Json.MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + " is not valid JSON: " + e.getMessage(), e);
        }
        Reader r = new Reader(origin);
        if (root == null || !root.isObject()) throw r.problem("", "must be a JSON object");
        String asOf = r.text(root, "as_of", "");
        r.date(asOf, "as_of");
        String source = root.path("source").asText(base == null ? "" : base.source);
        BigDecimal discount = root.has("batch_discount") || base == null
                ? r.number(root, "batch_discount", "") : base.batchDiscount;
        if (discount.signum() <= 0 || discount.compareTo(BigDecimal.ONE) > 0) {
            throw r.problem("batch_discount", "must be in (0, 1], found " + discount);
        }
        Map<String, Boolean> versions = new LinkedHashMap<>(base == null ? Map.of() : base.versionRefusesSampling);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("api_versions").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> v = it.next();
            String rule = v.getValue().path("sampling_parameters").asText("");
            if (!rule.equals("per_model") && !rule.equals("refused")) {
                throw r.problem("api_versions." + v.getKey() + ".sampling_parameters", "must be per_model or refused");
            }
            versions.put(v.getKey(), rule.equals("refused"));
        }
        if (versions.isEmpty()) { // a file of models alone: the API versions the project knows
            versions.put(API_VERSION_2023, false);
            versions.put(API_VERSION_2026, true);
        }
        JsonNode list = root.get("models");
        if (list == null || !list.isArray() || (list.isEmpty() && base == null)) {
            throw r.problem("models", "must be a non-empty list of models");
        }
        Map<String, ModelEntry> models = new LinkedHashMap<>(base == null ? Map.of() : base.models);
        for (int i = 0; i < list.size(); i++) {
            ModelEntry m = r.model(list.get(i), "models[" + i + "]");
            models.put(m.id(), m);
        }
        ModelCatalogue catalogue = new ModelCatalogue(asOf, source, discount, models, versions);
        catalogue.checkNames(origin);
        return catalogue;
    }

    /** Every id and alias names one model. */
    private void checkNames(String origin) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (ModelEntry m : models.values()) {
            for (String name : m.names()) {
                String other = seen.put(name, m.id());
                if (other != null && !other.equals(m.id())) {
                    throw new IllegalArgumentException(origin + ": '" + name + "' names both " + other + " and " + m.id());
                }
            }
            if (m.successor() != null && !models.containsKey(m.successor())) {
                throw new IllegalArgumentException(origin + ": " + m.id() + ".successor '" + m.successor() + "' is not in the catalogue");
            }
        }
    }

    // ---------------------------------------------------------------- lookups

    public String asOf() {
        return asOf;
    }

    public String source() {
        return source;
    }

    public BigDecimal batchDiscount() {
        return batchDiscount;
    }

    /** The model this id or alias names. */
    public Optional<ModelEntry> find(String idOrAlias) {
        if (idOrAlias == null) return Optional.empty();
        ModelEntry m = models.get(idOrAlias);
        if (m == null && aliases.containsKey(idOrAlias)) m = models.get(aliases.get(idOrAlias));
        return Optional.ofNullable(m);
    }

    /** True when {@code name} is an alias (a name that may move to another version), not an id. */
    public boolean isAlias(String name) {
        return aliases.containsKey(name) && !models.containsKey(name);
    }

    /** Every model, in the catalogue's order (newest families first). */
    public List<ModelEntry> models() {
        List<ModelEntry> out = new ArrayList<>();
        for (String id : order) out.add(models.get(id));
        return out;
    }

    /** The ids of the models requests may still use on {@code day}. */
    public List<String> servedIds(LocalDate day) {
        List<String> out = new ArrayList<>();
        for (ModelEntry m : models()) if (!m.retiredOn(day)) out.add(m.id());
        return out;
    }

    /** Known API versions. */
    public boolean knowsVersion(String apiVersion) {
        return versionRefusesSampling.containsKey(apiVersion);
    }

    /** True when this API version refuses temperature, top_p and top_k on every model, even at their defaults. */
    public boolean versionRefusesSampling(String apiVersion) {
        return versionRefusesSampling.getOrDefault(apiVersion, false);
    }

    /**
     * Why a job may not use {@code name} on {@code day}, or empty when it may: an unknown name (with the known ids
     * and how to add one), a retired model (with its date and successor; not checked when {@code day} is null), or
     * an alias without {@code allowAlias} (with the id it names today).
     */
    public Optional<String> problemWith(String name, LocalDate day, boolean allowAlias) {
        Optional<ModelEntry> found = find(name);
        if (found.isEmpty()) {
            return Optional.of("'" + name + "' is not a model the catalogue of " + asOf + " knows (served: "
                    + String.join(", ", servedIds(day == null ? LocalDate.parse(asOf) : day)) + "); if it is new, add it to a catalogue file and point "
                    + MODELS_FILE_ENV + " at it");
        }
        ModelEntry m = found.get();
        if (day != null && m.retiredOn(day)) {
            return Optional.of("'" + name + "' (" + m.displayName() + ") was retired on "
                    + (m.retires() == null ? "an earlier date" : m.retires().toString()) + "; requests to it fail"
                    + (m.successor() == null ? "" : ". Its successor is " + m.successor()));
        }
        if (isAlias(name) && !allowAlias) {
            return Optional.of("'" + name + "' is an alias that moves to newer versions (today " + m.id()
                    + "); use the id " + m.id() + ", or set allow_unpinned_model: true");
        }
        return Optional.empty();
    }

    // ---------------------------------------------------------------- reading

    /** Reads one file's fields with errors that name the file and the path. */
    private static final class Reader {
        private final String origin;

        Reader(String origin) {
            this.origin = origin;
        }

        IllegalArgumentException problem(String where, String what) {
            return new IllegalArgumentException(origin + ": " + (where.isEmpty() ? "" : where + " ") + what);
        }

        String text(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null || !v.isTextual() || v.asText().isBlank()) throw problem(where + field, "is missing or not a string");
            return v.asText();
        }

        String optionalText(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isTextual()) throw problem(where + field, "must be a string");
            return v.asText();
        }

        BigDecimal number(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null || !v.isNumber()) throw problem(where + field, "is missing or not a number");
            if (v.decimalValue().signum() < 0) throw problem(where + field, "cannot be negative: " + v.decimalValue());
            return v.decimalValue();
        }

        LocalDate date(String text, String where) {
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                throw problem(where, "must be a date like 2026-12-05, found '" + text + "'");
            }
        }

        LocalDate optionalDate(JsonNode node, String field, String where) {
            String t = optionalText(node, field, where);
            return t == null ? null : date(t, where + field);
        }

        List<String> strings(JsonNode node, String field, String where) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isArray()) throw problem(where + field, "must be a list of strings");
            List<String> out = new ArrayList<>();
            for (JsonNode s : v) {
                if (!s.isTextual()) throw problem(where + field, "must be a list of strings");
                out.add(s.asText());
            }
            return List.copyOf(out);
        }

        ModelEntry model(JsonNode m, String at) {
            if (!m.isObject()) throw problem(at, "must be an object");
            String id = text(m, "id", at + ".");
            String w = "models." + id + ".";
            String status = text(m, "status", w);
            if (!List.of("active", "legacy", "deprecated", "retired").contains(status)) {
                throw problem(w + "status", "must be active, legacy, deprecated or retired, found '" + status + "'");
            }
            JsonNode ctx = m.get("context_window");
            JsonNode max = m.get("max_output_tokens");
            if (ctx == null || !ctx.canConvertToLong() || ctx.asLong() < 1) throw problem(w + "context_window", "must be a positive integer");
            if (max == null || !max.canConvertToInt() || max.asInt() < 1) throw problem(w + "max_output_tokens", "must be a positive integer");
            ModelEntry.BatchOutputBeta beta = null;
            if (m.hasNonNull("batch_output_beta")) {
                JsonNode b = m.get("batch_output_beta");
                beta = new ModelEntry.BatchOutputBeta(b.path("max_output_tokens").asInt(), text(b, "header", w + "batch_output_beta."));
            }
            ModelEntry.Sampling sampling;
            try {
                sampling = ModelEntry.Sampling.of(text(m, "sampling", w));
            } catch (IllegalArgumentException e) {
                throw problem(w + "sampling", e.getMessage());
            }
            List<String> exclusive = strings(m, "sampling_exclusive", w);
            ModelEntry.Thinking thinking = thinking(m.get("thinking"), w + "thinking.");
            ModelEntry.Effort effort = null;
            if (m.hasNonNull("effort")) {
                JsonNode e = m.get("effort");
                List<String> levels = strings(e, "levels", w + "effort.");
                String def = text(e, "default", w + "effort.");
                if (levels == null || levels.isEmpty() || !levels.contains(def)) {
                    throw problem(w + "effort", "needs levels and a default among them");
                }
                effort = new ModelEntry.Effort(levels, def);
            }
            if (thinking.offEfforts() != null && effort == null) {
                throw problem(w + "thinking.off_efforts", "names effort levels, but the model has no effort");
            }
            List<String> aliases = strings(m, "aliases", w);
            String successor = optionalText(m, "successor", w);
            JsonNode prices = m.get("prices");
            if (prices == null || !prices.isArray() || prices.isEmpty()) throw problem(w + "prices", "must be a non-empty list");
            List<ModelEntry.PriceEntry> entries = new ArrayList<>();
            LocalDate previous = null;
            for (int i = 0; i < prices.size(); i++) {
                ModelEntry.PriceEntry p = price(prices.get(i), w + "prices[" + i + "].");
                if (i > 0 && (p.effectiveFrom() == null || (previous != null && !p.effectiveFrom().isAfter(previous)))) {
                    throw problem(w + "prices[" + i + "].effective_from", "must be set and later than the entry before it");
                }
                previous = p.effectiveFrom();
                entries.add(p);
            }
            return new ModelEntry(id, m.path("display_name").asText(id), aliases == null ? List.of() : aliases, status,
                    optionalDate(m, "released", w), optionalDate(m, "retires", w), successor,
                    text(m, "source", w), ctx.asLong(), max.asInt(), beta, sampling,
                    exclusive == null ? List.of() : exclusive, thinking, effort,
                    m.path("structured_outputs").asBoolean(false), m.path("prefill").asBoolean(false),
                    m.path("forced_tool_use").asBoolean(true), optionalText(m, "bedrock_id", w), List.copyOf(entries));
        }

        ModelEntry.Thinking thinking(JsonNode t, String w) {
            if (t == null || !t.isObject()) throw problem(w.substring(0, w.length() - 1), "must be an object");
            String def = text(t, "default", w);
            List<String> types = strings(t, "types", w);
            if (types == null || types.isEmpty()) throw problem(w + "types", "must list the accepted thinking types");
            if (!def.equals("disabled") && !types.contains(def)) throw problem(w + "default", "must be one of types");
            String off = optionalText(t, "off", w);
            if (off != null && !types.contains(off)) throw problem(w + "off", "must be one of types");
            Map<String, String> refusals = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = t.path("refusals").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                refusals.put(e.getKey(), e.getValue().asText());
            }
            return new ModelEntry.Thinking(def, types, off, strings(t, "off_efforts", w), Map.copyOf(refusals));
        }

        ModelEntry.PriceEntry price(JsonNode p, String w) {
            List<ModelEntry.PromptTier> tiers = new ArrayList<>();
            JsonNode t = p.path("prompt_tiers");
            for (int i = 0; i < t.size(); i++) {
                JsonNode x = t.get(i);
                String tw = w + "prompt_tiers[" + i + "].";
                JsonNode above = x.get("above_prompt_tokens");
                if (above == null || !above.canConvertToLong() || above.asLong() < 1) {
                    throw problem(tw + "above_prompt_tokens", "must be a positive integer");
                }
                tiers.add(new ModelEntry.PromptTier(above.asLong(), number(x, "input", tw), number(x, "output", tw),
                        number(x, "cache_write_5m", tw), number(x, "cache_write_1h", tw), number(x, "cache_read", tw)));
            }
            tiers.sort(java.util.Comparator.comparingLong(ModelEntry.PromptTier::abovePromptTokens));
            return new ModelEntry.PriceEntry(optionalDate(p, "effective_from", w), number(p, "input", w),
                    number(p, "output", w), number(p, "cache_write_5m", w), number(p, "cache_write_1h", w),
                    number(p, "cache_read", w), List.copyOf(tiers), optionalText(p, "source", w));
        }
    }
}
