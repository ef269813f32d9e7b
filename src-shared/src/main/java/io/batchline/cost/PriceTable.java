package io.batchline.cost;

import io.batchline.catalogue.ModelCatalogue;
import io.batchline.catalogue.ModelEntry;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Batch prices read from the model catalogue: {@link #priceFor} returns the EFFECTIVE batch rates of the
 * catalogue entry in force on this table's day (a run's start day, see {@link #on}). Immutable.
 */
public final class PriceTable {

    public static final String CACHE_TTL_1H = "1h";
    public static final String CACHE_TTL_5M = "5m";

    private final ModelCatalogue catalogue;
    /** null: today (UTC) at each lookup */
    private final LocalDate day;

    private PriceTable(ModelCatalogue catalogue, LocalDate day) {
        this.catalogue = Objects.requireNonNull(catalogue, "catalogue");
        this.day = day;
    }

    public static PriceTable of(ModelCatalogue catalogue) {
        return new PriceTable(catalogue, null);
    }

    public static PriceTable bundled() {
        return Bundled.TABLE;
    }

    private static final class Bundled {
        static final PriceTable TABLE = of(ModelCatalogue.bundled());
    }

    /** The catalogue named by {@value ModelCatalogue#MODELS_FILE_ENV} (over the bundled one), else the bundled one. */
    public static PriceTable fromEnvOrBundled(Map<String, String> env) {
        ModelCatalogue c = ModelCatalogue.fromEnvOrBundled(env);
        return c == ModelCatalogue.bundled() ? bundled() : of(c);
    }

    /** A table of this catalogue file alone (tests, tools). */
    public static PriceTable read(InputStream in) {
        return of(ModelCatalogue.read(in));
    }

    /** The same catalogue priced on {@code day}: every run is priced by the entries in force when it started. */
    public PriceTable on(LocalDate day) {
        return new PriceTable(catalogue, Objects.requireNonNull(day, "day"));
    }

    public ModelCatalogue catalogue() {
        return catalogue;
    }

    /** The day whose entries this table prices at (today, UTC, when none was set). */
    public LocalDate day() {
        return day != null ? day : LocalDate.now(Clock.systemUTC().withZone(ZoneOffset.UTC));
    }

    /**
     * Effective batch prices for a model id or alias; the returned price carries the name as asked.
     *
     * @throws UnknownModelPriceException listing the known models when the catalogue has no such model
     */
    public Price priceFor(String model) {
        return priceFor(model, null);
    }

    /**
     * {@link #priceFor(String)} for a job's prompt-cache TTL: {@code "1h"} prices cache writes at the
     * 1-hour rate and names the TTL in the entry; {@code "5m"} names it; null is the provider's default (5m).
     */
    public Price priceFor(String model, String cacheTtl) {
        Objects.requireNonNull(model, "model");
        if (cacheTtl != null && !CACHE_TTL_5M.equals(cacheTtl) && !CACHE_TTL_1H.equals(cacheTtl)) {
            throw new IllegalArgumentException("cache_ttl must be 5m or 1h, found '" + cacheTtl + "'");
        }
        ModelEntry entry = catalogue.find(model)
                .orElseThrow(() -> new UnknownModelPriceException(model, catalogue.asOf(), knownModels()));
        ModelEntry.PriceEntry p = entry.priceOn(day());
        boolean oneHour = CACHE_TTL_1H.equals(cacheTtl);
        BigDecimal d = catalogue.batchDiscount();
        List<Price.Tier> tiers = new ArrayList<>();
        for (ModelEntry.PromptTier t : p.promptTiers()) {
            tiers.add(new Price.Tier(t.abovePromptTokens(), batch(t.input(), d), batch(t.output(), d),
                    batch(oneHour ? t.cacheWrite1h() : t.cacheWrite5m(), d), batch(t.cacheRead(), d)));
        }
        return new Price(model, catalogue.asOf(), p.effectiveFrom() == null ? null : p.effectiveFrom().toString(),
                plain(d), batch(p.input(), d), batch(p.output(), d), batch(oneHour ? p.cacheWrite1h() : p.cacheWrite5m(), d),
                batch(p.cacheRead(), d), cacheTtl, tiers);
    }

    public String asOf() {
        return catalogue.asOf();
    }

    public BigDecimal batchDiscount() {
        return catalogue.batchDiscount();
    }

    /** Model ids in the catalogue, sorted. */
    public List<String> knownModels() {
        List<String> ids = new ArrayList<>();
        for (ModelEntry m : catalogue.models()) ids.add(m.id());
        ids.sort(null);
        return ids;
    }

    private static BigDecimal batch(BigDecimal standard, BigDecimal discount) {
        return plain(standard.multiply(discount));
    }

    /** Drops trailing zeros without falling into exponent notation (2.5E+1) in the report. */
    private static BigDecimal plain(BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
