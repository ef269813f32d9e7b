package io.batchline.cost;

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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The dated table of model prices (R6.1). The file holds STANDARD prices; {@link #priceFor} returns the
 * effective batch prices. Bundled at {@code /batchline/prices.json}; a deployment overrides it with a
 * file of the same shape named by {@value #PRICES_FILE_ENV}. Immutable, so it can be shared freely.
 */
public final class PriceTable {

    public static final String PRICES_FILE_ENV = "BATCHLINE_PRICES_FILE";
    static final String BUNDLED_RESOURCE = "/batchline/prices.json";

    /** Pinned ids carry a release date (claude-haiku-4-5-20251001); the table lists the family once. */
    private static final Pattern DATE_SUFFIX = Pattern.compile("-\\d{8}$");

    private static final String[] RATE_FIELDS = {
        "input_per_mtok", "output_per_mtok", "cache_write_per_mtok", "cache_read_per_mtok"};

    private final String asOf;
    private final BigDecimal batchDiscount;
    private final Map<String, Price> batchPrices;
    /** Effective batch rate of a 1-hour cache write per model (R2.6). */
    private final Map<String, BigDecimal> batchCacheWrite1h;

    /** A 1-hour cache write costs twice the base input price (a 5-minute one 1.25x), per the pricing page. */
    static final BigDecimal CACHE_WRITE_1H_MULTIPLIER = new BigDecimal("2");
    public static final String CACHE_TTL_1H = "1h";
    public static final String CACHE_TTL_5M = "5m";

    private PriceTable(String asOf, BigDecimal batchDiscount, Map<String, Price> batchPrices,
                       Map<String, BigDecimal> batchCacheWrite1h) {
        this.asOf = asOf;
        this.batchDiscount = batchDiscount;
        this.batchPrices = batchPrices;
        this.batchCacheWrite1h = batchCacheWrite1h;
    }

    private static final class Bundled {
        static final PriceTable TABLE = load();

        private static PriceTable load() {
            try (InputStream in = PriceTable.class.getResourceAsStream(BUNDLED_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("bundled price table " + BUNDLED_RESOURCE + " is not on the classpath");
                }
                return read(in, "bundled " + BUNDLED_RESOURCE);
            } catch (IOException e) {
                throw new UncheckedIOException("reading bundled " + BUNDLED_RESOURCE, e);
            }
        }
    }

    public static PriceTable bundled() {
        return Bundled.TABLE;
    }

    /** The file named by {@value #PRICES_FILE_ENV} when set, else the bundled table. A named file must exist. */
    public static PriceTable fromEnvOrBundled(Map<String, String> env) {
        String file = env.get(PRICES_FILE_ENV);
        if (file == null || file.isBlank()) {
            return bundled();
        }
        Path path = Path.of(file.trim());
        try (InputStream in = Files.newInputStream(path)) {
            return read(in, PRICES_FILE_ENV + "=" + path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(PRICES_FILE_ENV + "=" + path + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException(PRICES_FILE_ENV + "=" + path + ": cannot be read", e);
        }
    }

    public static PriceTable read(InputStream in) {
        return read(in, "price table");
    }

    private static PriceTable read(InputStream in, String origin) {
        JsonNode root;
        try {
            // BigDecimal straight from the text: 0.30 must never pass through a double.
            root = Json.MAPPER.reader().with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(origin + " is not valid JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(origin + " must be a JSON object");
        }
        String asOf = text(root, "as_of", origin + ": ");
        try {
            LocalDate.parse(asOf);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(origin + ": as_of must be a date like 2026-11-01, found '" + asOf + "'", e);
        }
        BigDecimal discount = number(root, "batch_discount", origin + ": ");
        if (discount.signum() <= 0 || discount.compareTo(BigDecimal.ONE) > 0) {
            throw new IllegalArgumentException(origin + ": batch_discount must be in (0, 1], found " + discount);
        }
        JsonNode models = root.get("models");
        if (models == null || !models.isObject() || models.isEmpty()) {
            throw new IllegalArgumentException(origin + ": models must be a non-empty object of model id -> prices");
        }
        Map<String, Price> prices = new TreeMap<>();
        Map<String, BigDecimal> write1h = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = models.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String where = origin + ": models." + entry.getKey();
            if (!entry.getValue().isObject()) {
                throw new IllegalArgumentException(where + " must be an object of prices");
            }
            BigDecimal[] rates = new BigDecimal[RATE_FIELDS.length];
            for (int i = 0; i < RATE_FIELDS.length; i++) {
                BigDecimal standard = number(entry.getValue(), RATE_FIELDS[i], where + ".");
                if (standard.signum() < 0) {
                    throw new IllegalArgumentException(where + "." + RATE_FIELDS[i] + " cannot be negative: " + standard);
                }
                rates[i] = plain(standard.multiply(discount));
            }
            prices.put(entry.getKey(), new Price(entry.getKey(), asOf, plain(discount), rates[0], rates[1], rates[2], rates[3]));
            // optional: a table may state the 1-hour write rate; else it is 2x the standard input rate
            BigDecimal standard1h = entry.getValue().has("cache_write_1h_per_mtok")
                    ? number(entry.getValue(), "cache_write_1h_per_mtok", where + ".")
                    : number(entry.getValue(), "input_per_mtok", where + ".").multiply(CACHE_WRITE_1H_MULTIPLIER);
            if (standard1h.signum() < 0) {
                throw new IllegalArgumentException(where + ".cache_write_1h_per_mtok cannot be negative: " + standard1h);
            }
            write1h.put(entry.getKey(), plain(standard1h.multiply(discount)));
        }
        return new PriceTable(asOf, discount, Map.copyOf(prices), Map.copyOf(write1h));
    }

    /**
     * Effective batch prices for a model: the exact id, else its family with the trailing -YYYYMMDD removed.
     * The returned price carries the model id as asked.
     *
     * @throws UnknownModelPriceException listing the known models when neither is in the table
     */
    public Price priceFor(String model) {
        Objects.requireNonNull(model, "model");
        Price exact = batchPrices.get(model);
        if (exact != null) {
            return exact;
        }
        Price family = batchPrices.get(DATE_SUFFIX.matcher(model).replaceFirst(""));
        if (family != null) {
            return family.forModel(model);
        }
        throw new UnknownModelPriceException(model, asOf, knownModels());
    }

    /**
     * {@link #priceFor(String)} for a job's prompt-cache TTL (R2.6): {@code "1h"} prices cache writes at the
     * 1-hour rate and names the TTL in the entry; {@code "5m"} names it; null is the provider's default (5m).
     */
    public Price priceFor(String model, String cacheTtl) {
        Price price = priceFor(model);
        if (cacheTtl == null) return price;
        if (CACHE_TTL_5M.equals(cacheTtl)) return price.withCacheTtl(CACHE_TTL_5M, price.cacheWritePerMtok());
        if (!CACHE_TTL_1H.equals(cacheTtl)) {
            throw new IllegalArgumentException("cache_ttl must be 5m or 1h, found '" + cacheTtl + "'");
        }
        BigDecimal rate = batchCacheWrite1h.get(model);
        if (rate == null) rate = batchCacheWrite1h.get(DATE_SUFFIX.matcher(model).replaceFirst(""));
        return price.withCacheTtl(CACHE_TTL_1H, rate);
    }

    public String asOf() {
        return asOf;
    }

    public BigDecimal batchDiscount() {
        return batchDiscount;
    }

    /** Model ids in the table, sorted. */
    public List<String> knownModels() {
        return new ArrayList<>(new TreeMap<>(batchPrices).keySet());
    }

    /** {@code prefix} is where the field sits, e.g. "price table: " or "price table: models.x.". */
    private static String text(JsonNode node, String field, String prefix) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException(prefix + field + " is missing or not a string");
        }
        return value.asText();
    }

    private static BigDecimal number(JsonNode node, String field, String prefix) {
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            throw new IllegalArgumentException(prefix + field + " is missing or not a number");
        }
        return value.decimalValue();
    }

    /** Drops trailing zeros without falling into exponent notation (2.5E+1) in the report. */
    private static BigDecimal plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
