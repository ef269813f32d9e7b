package io.batchline.plan;

import io.batchline.cost.Price;
import io.batchline.cost.PriceTable;
import io.batchline.job.JobSpec;
import io.batchline.render.TokenEstimator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which stratum an item belongs to, and what each stratum's requests cost. An item belongs to the first
 * stratum whose {@code when.min_tokens} its user message reaches (estimated with the job's user_template, before
 * any truncation or chunking); other items belong to none ("default" in report.json).
 */
public final class Strata {
    public static final String DEFAULT = "default";

    private final List<JobSpec.Stratum> strata;
    private final Map<String, JobSpec.Stratum> byName = new HashMap<>();

    private Strata(List<JobSpec.Stratum> strata) {
        this.strata = strata;
        for (JobSpec.Stratum s : strata) byName.put(s.name(), s);
    }

    /** null when the job has no strata, so the per-item path pays nothing. */
    public static Strata of(JobSpec job) {
        return job.strata() == null || job.strata().isEmpty() ? null : new Strata(job.strata());
    }

    /** The first stratum whose threshold the estimated tokens of the user message reach; null = default. */
    public JobSpec.Stratum select(String userText) {
        long tokens = TokenEstimator.tokensForBytes(TokenEstimator.utf8Length(userText));
        for (JobSpec.Stratum s : strata) {
            if (tokens >= s.when().minTokens()) return s;
        }
        return null;
    }

    public JobSpec.Stratum named(String name) {
        return byName.get(name);
    }

    /** The model an item of this stratum (null = default) is sent to. */
    public static String model(JobSpec job, String stratum) {
        if (stratum == null || job.strata() == null) return job.model();
        for (JobSpec.Stratum s : job.strata()) {
            if (s.name().equals(stratum) && s.model() != null) return s.model();
        }
        return job.model();
    }

    /** Prices of every model of the job (its own and its strata's), by model; unknown models throw here. */
    public static Map<String, Price> prices(JobSpec job, PriceTable table) {
        Map<String, Price> prices = new HashMap<>();
        prices.put(job.model(), table.priceFor(job.model(), job.cacheTtl()));
        if (job.strata() != null) {
            for (JobSpec.Stratum s : job.strata()) {
                if (s.model() != null) prices.computeIfAbsent(s.model(), m -> table.priceFor(m, job.cacheTtl()));
            }
        }
        return prices;
    }

    /** The dearest of the job's prices (by output, then input rate): the budget guard's worst case holds for all. */
    public static Price dearest(JobSpec job, PriceTable table) {
        Price dearest = table.priceFor(job.model(), job.cacheTtl());
        if (job.strata() == null) return dearest;
        for (Price p : prices(job, table).values()) {
            int byOutput = p.outputPerMtok().compareTo(dearest.outputPerMtok());
            if (byOutput > 0 || (byOutput == 0 && p.inputPerMtok().compareTo(dearest.inputPerMtok()) > 0)) dearest = p;
        }
        return dearest;
    }
}
