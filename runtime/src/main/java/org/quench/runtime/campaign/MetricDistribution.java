package org.quench.runtime.campaign;

import java.util.Arrays;

/**
 * The distribution of one metric over a group of chips: moments, percentiles (linear
 * interpolation between order statistics, as NumPy's default) and the yield at a threshold.
 * Chips whose value is NaN (not measured) are left out of the figures and counted in
 * {@code undefined}; they never pass the yield.
 *
 * @param metric the metric
 * @param chips chips in the group
 * @param undefined chips without a value
 * @param mean mean over defined values (NaN when none)
 * @param sd sample standard deviation (0 for one value)
 * @param min smallest value
 * @param p5 5th percentile
 * @param p25 25th percentile
 * @param median 50th percentile
 * @param p75 75th percentile
 * @param p95 95th percentile
 * @param max largest value
 * @param threshold the yield threshold
 * @param yield fraction of all chips of the group that pass the threshold
 */
public record MetricDistribution(CampaignMetric metric, int chips, int undefined, double mean,
    double sd, double min, double p5, double p25, double median, double p75, double p95, double max,
    double threshold, double yield) {

  /** The distribution of {@code values} (one per chip, NaN where undefined). */
  public static MetricDistribution of(CampaignMetric metric, double[] values, double threshold) {
    double[] defined = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    int passing = 0;
    for (double v : values) {
      if (metric.passes(v, threshold)) {
        passing++;
      }
    }
    double yield = values.length == 0 ? Double.NaN : (double) passing / values.length;
    int n = defined.length;
    if (n == 0) {
      double nan = Double.NaN;
      return new MetricDistribution(metric, values.length, values.length, nan, nan, nan, nan, nan,
          nan, nan, nan, nan, threshold, yield);
    }
    double sum = 0;
    for (double v : defined) {
      sum += v;
    }
    double mean = sum / n;
    double ss = 0;
    for (double v : defined) {
      ss += (v - mean) * (v - mean);
    }
    double sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
    return new MetricDistribution(metric, values.length, values.length - n, mean, sd, defined[0],
        percentile(defined, 5), percentile(defined, 25), percentile(defined, 50),
        percentile(defined, 75), percentile(defined, 95), defined[n - 1], threshold, yield);
  }

  /** The {@code p}-th percentile of sorted values, interpolating linearly between ranks. */
  static double percentile(double[] sorted, double p) {
    double rank = p / 100.0 * (sorted.length - 1);
    int lo = (int) Math.floor(rank);
    int hi = Math.min(sorted.length - 1, lo + 1);
    double frac = rank - lo;
    return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
  }
}
