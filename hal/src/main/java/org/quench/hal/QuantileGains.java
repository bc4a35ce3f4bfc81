package org.quench.hal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.quench.hal.proto.Distribution;

/**
 * Per-synapse gains drawn by table (docs/variability.md, "synapse draws"): a chip has about as
 * many synapses as all its other parameters together, and a campaign realizes thousands of chips,
 * so a synapse's factor is not computed from a fresh normal variate (logarithm, cosine, exponent)
 * but looked up among {@value #SIZE} equally likely quantiles of the factor's distribution, indexed
 * by the top bits of the synapse's counter hash. The quantiles cover the normal distribution to
 * about 4.3 standard deviations; their spacing near the median is below a Q16 gain step for every
 * spread up to 10 %. Tables are built with {@link StrictMath}, so every platform draws the same.
 */
final class QuantileGains {
  /** Table size: 2^16 quantiles, indexed by a hash word's top 16 bits. */
  static final int SIZE = 1 << 16;
  private static final Map<String, int[]> TABLES = new ConcurrentHashMap<>();

  private QuantileGains() {}

  /** The Q16 gains of a factor with distribution {@code d} and spread {@code sigma}, by quantile. */
  static int[] of(Distribution d, double sigma) {
    return TABLES.computeIfAbsent(d.name() + ":" + Double.doubleToLongBits(sigma), k -> build(d, sigma));
  }

  /** The gain a hash word draws from {@code table}. */
  static int draw(int[] table, long word) {
    return table[(int) (word >>> 48)];
  }

  private static int[] build(Distribution d, double sigma) {
    int[] t = new int[SIZE];
    for (int k = 0; k < SIZE; k++) {
      double z = inverseNormal((k + 0.5) / SIZE);
      t[k] = ParameterDeviation.gain(CoreDeviations.factorOf(d, sigma, z));
    }
    return t;
  }

  /**
   * The standard normal quantile of {@code p} in (0, 1): Acklam's rational approximation
   * (relative error below 1.2e-9), in StrictMath.
   */
  static double inverseNormal(double p) {
    final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    final double[] e = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
    final double low = 0.02425;
    if (p < low) {
      double q = StrictMath.sqrt(-2 * StrictMath.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((e[0] * q + e[1]) * q + e[2]) * q + e[3]) * q + 1);
    }
    if (p > 1 - low) {
      double q = StrictMath.sqrt(-2 * StrictMath.log(1 - p));
      return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((e[0] * q + e[1]) * q + e[2]) * q + e[3]) * q + 1);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
}
