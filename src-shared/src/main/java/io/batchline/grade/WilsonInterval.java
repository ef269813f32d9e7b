package io.batchline.grade;

/**
 * The Wilson score interval of a proportion: unlike the normal approximation it stays inside [0, 1] and is honest
 * at 0 or n of n, which is where error rates of good runs live (0 errors in 100 still allows up to 3.7%).
 */
public record WilsonInterval(double low, double high) {
    /** z for a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    /** The 95% interval of {@code hits} out of {@code n}; [0, 1] when nothing was observed. */
    public static WilsonInterval of95(double hits, double n) {
        return of(hits, n, Z95);
    }

    public static WilsonInterval of(double hits, double n, double z) {
        if (n < 0 || hits < 0 || hits > n) throw new IllegalArgumentException(hits + " of " + n);
        if (n == 0) return new WilsonInterval(0, 1);
        double p = hits / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        double low = hits == 0 ? 0 : Math.max(0, centre - half); // exact at the ends, not 1e-18 off
        double high = hits == n ? 1 : Math.min(1, centre + half);
        return new WilsonInterval(low, high);
    }

    public boolean contains(double rate) {
        return rate >= low && rate <= high;
    }
}
