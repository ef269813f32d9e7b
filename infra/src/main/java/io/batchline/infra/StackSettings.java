package io.batchline.infra;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What a deployment may choose, read from CDK context ({@code ./batchline synth -c key=value}); every value has a
 * default that deploys as-is. Context values arrive as strings from the command line, so they are parsed here.
 */
public record StackSettings(
        Path repoRoot,
        Path functionZip,
        boolean nativeRuntime,
        String name,
        String sweepSchedule,
        String retrySchedule,
        boolean retryScheduleEnabled,
        int shardExpiryDays,
        int rawExpiryDays,
        int logRetentionDays,
        String alarmEmail,
        List<JobAlarm> jobAlarms,
        BigDecimal monthlyBudgetUsd,
        BigDecimal defaultRunBudgetUsd) {

    /** No deployment without a spending cap; -c monthlyBudgetUsd=... raises or lowers it. */
    static final String DEFAULT_MONTHLY_BUDGET_USD = "100";
    /** What one run of a job without budget.max_usd may reserve; -c defaultRunBudgetUsd=... */
    static final String DEFAULT_RUN_BUDGET_USD = "25";

    /** Alarm thresholds for one job: its usual cost per item and how long a run normally takes. */
    public record JobAlarm(String job, double baselineCostPerItemUsd, int expectedRunMinutes) {}

    /** The sample job's figures; real jobs are added with -c jobs=name:costPerItem:minutes,... */
    static final String DEFAULT_JOBS = "ticket-triage:0.0005:60";

    public static StackSettings fromContext(Function<String, Object> context, Path repoRoot) {
        Path root = repoRoot.toAbsolutePath().normalize();
        boolean nativeRuntime = bool(context.apply("native"), false);
        String zip = str(context.apply("functionZip"), null);
        Path functionZip = zip != null ? Path.of(zip).toAbsolutePath() : root.resolve("functions/target/function.zip");
        return new StackSettings(root, functionZip, nativeRuntime,
                str(context.apply("name"), "batchline"),
                str(context.apply("sweepSchedule"), "rate(15 minutes)"),
                str(context.apply("retrySchedule"), "rate(1 hour)"),
                bool(context.apply("retryScheduleEnabled"), false),
                integer(context.apply("shardExpiryDays"), 30),
                integer(context.apply("rawExpiryDays"), 90),
                integer(context.apply("logRetentionDays"), 30),
                str(context.apply("alarmEmail"), null),
                jobs(str(context.apply("jobs"), DEFAULT_JOBS)),
                usd("monthlyBudgetUsd", str(context.apply("monthlyBudgetUsd"), DEFAULT_MONTHLY_BUDGET_USD)),
                usd("defaultRunBudgetUsd", str(context.apply("defaultRunBudgetUsd"), DEFAULT_RUN_BUDGET_USD)));
    }

    /** A positive amount of US dollars, as the functions' BudgetGuard will read it (a bad value fails the synth). */
    static BigDecimal usd(String key, String value) {
        try {
            BigDecimal amount = new BigDecimal(value);
            if (amount.signum() > 0) return amount;
        } catch (NumberFormatException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException(key + " must be a positive amount of US dollars, got '" + value + "'");
    }

    public Path aslFile() {
        return repoRoot.resolve("statemachine/batchline-run.asl.json");
    }

    /** The repository root: -Dbatchline.home (set by ./batchline), else the nearest folder holding statemachine/. */
    public static Path findRepoRoot() {
        String home = System.getProperty("batchline.home");
        if (home != null) return Path.of(home).toAbsolutePath().normalize();
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("statemachine/batchline-run.asl.json"))) return d;
        }
        throw new IllegalStateException("cannot find the repository (statemachine/batchline-run.asl.json) above " + dir
                + "; run from the repository or set -Dbatchline.home");
    }

    static List<JobAlarm> jobs(String spec) {
        List<JobAlarm> jobs = new ArrayList<>();
        if (spec.isBlank()) return jobs;
        for (String entry : spec.split(",")) {
            String[] f = entry.trim().split(":");
            if (f.length != 3) {
                throw new IllegalArgumentException("jobs: expected name:baselineCostPerItemUsd:expectedRunMinutes, got '"
                        + entry + "'");
            }
            jobs.add(new JobAlarm(f[0], Double.parseDouble(f[1]), Integer.parseInt(f[2])));
        }
        return jobs;
    }

    private static String str(Object v, String dflt) {
        return v == null || v.toString().isBlank() ? dflt : v.toString().trim();
    }

    private static boolean bool(Object v, boolean dflt) {
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        String s = v.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true")) return true;
        if (s.equals("false")) return false;
        throw new IllegalArgumentException("expected true or false, got '" + v + "'");
    }

    private static int integer(Object v, int dflt) {
        if (v == null) return dflt;
        if (v instanceof Number n) return n.intValue();
        return Integer.parseInt(v.toString().trim());
    }
}
