package org.quench.compiler.quant;

import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Neuron thresholds and biases to the chip's mantissa/exponent pairs.
 *
 * <p>Units: {@code scale} is chip voltage units per model voltage unit (the same for threshold and
 * bias of a population, so their ratio survives). A threshold {@code th} asks for a chip threshold
 * {@code th * scale}; the chip compares {@code v > vth << thresholdShift} with {@code vth} an
 * unsigned {@code thresholdMantBits}-bit mantissa (17 bits, shift 6 on Loihi). A bias {@code b} (model
 * voltage added per step) asks for {@code b * scale} chip units per step; the chip adds
 * {@code bias_mant << bias_exp} with a signed {@code biasMantBits}-bit mantissa (13 bits:
 * -4096..4095) and {@code bias_exp} in {@code biasExpMin..biasExpMax} (a negative exponent is an
 * arithmetic, floor, right shift of the mantissa).
 *
 * <p>Every value is rounded to the nearest representable one (half up). A value beyond the range
 * is clamped and counted; with {@code strict} it is a {@link QuenchException} instead, naming the
 * neuron, the value and by how much it exceeds the range.
 */
public final class FixedPoint {
  private FixedPoint() {}

  /**
   * A population's thresholds as the chip holds them.
   *
   * @param vth mantissa per neuron (effective threshold {@code vth << thresholdShift})
   * @param realised the threshold each neuron gets, in model units
   * @param maxAbsError {@code max |realised - requested|} in model units
   * @param maxRelError {@code max |realised - requested| / |requested|} over non-zero requests
   *     (a zero request realised as non-zero counts as infinite)
   * @param worstNeuron where the relative error is largest (-1 if empty)
   * @param clamped neurons whose request lay outside the mantissa range
   */
  public record Thresholds(int[] vth, double[] realised, double maxAbsError, double maxRelError,
      int worstNeuron, int clamped) {}

  /**
   * A population's biases as the chip holds them.
   *
   * @param mant mantissa per neuron
   * @param exp exponent per neuron (all equal for {@link #biasesSharedExponent})
   * @param realised the bias each neuron gets, in model units per step
   * @param maxAbsError {@code max |realised - requested|} in model units
   * @param maxRelError as for {@link Thresholds}
   * @param worstNeuron where the relative error is largest (-1 if empty)
   * @param clamped neurons whose request lay outside what any allowed exponent reaches
   */
  public record Biases(int[] mant, int[] exp, double[] realised, double maxAbsError,
      double maxRelError, int worstNeuron, int clamped) {}

  /**
   * Thresholds to {@code vth}: {@code vth = round(th * scale / 2^thresholdShift)}, within
   * {@code 0 .. 2^thresholdMantBits - 1}.
   *
   * @param what names the population in messages (e.g. "population `lif1`")
   */
  public static Thresholds thresholds(String what, double[] thresholds, double scale,
      boolean strict, ChipSpec spec) {
    checkScale(what, scale);
    // The top of vthRange means "never fire": the largest threshold a neuron can reach is one below.
    long maxVth = spec.vthRange().max() - 1;
    int shift = spec.thresholdShift();
    int n = thresholds.length;
    int[] vth = new int[n];
    double[] realised = new double[n];
    Errors err = new Errors();
    int clamped = 0;
    for (int i = 0; i < n; i++) {
      double th = finite(what, "threshold", i, thresholds[i]);
      double want = Math.floor(Math.scalb(th * scale, -shift) + 0.5);
      if (want < 0 || want > maxVth) {
        if (strict) {
          throw new QuenchException(what + " neuron " + i + ": threshold " + th + " needs vth "
              + (long) want + ", outside 0.." + maxVth + (want < 0 ? " (negative)" : " (by a factor "
              + String.format("%.3g", want / maxVth) + ")")
              + ": choose a smaller scale than " + scale + " chip units per model unit");
        }
        clamped++;
      }
      vth[i] = (int) Math.min(maxVth, Math.max(0, want));
      realised[i] = Math.scalb((double) vth[i], shift) / scale;
      err.add(i, th, realised[i]);
    }
    return new Thresholds(vth, realised, err.maxAbs, err.maxRel, err.worst, clamped);
  }

  /**
   * Biases with each neuron's own exponent: for every allowed exponent the nearest mantissa, and
   * of those the one nearest the request; ties go to the exponent closest to 0.
   */
  public static Biases biases(String what, double[] biases, double scale, boolean strict,
      ChipSpec spec) {
    checkScale(what, scale);
    int n = biases.length;
    int[] mant = new int[n];
    int[] exp = new int[n];
    double[] realised = new double[n];
    Errors err = new Errors();
    int clamped = 0;
    int[] order = WeightQuantizer.searchOrder(spec.biasExpMin(), spec.biasExpMax());
    for (int i = 0; i < n; i++) {
      double want = finite(what, "bias", i, biases[i]) * scale;
      long bestMant = 0;
      int bestExp = order[0];
      double bestErr = Double.POSITIVE_INFINITY;
      for (int e : order) {
        long m = nearestMantissa(want, e, spec);
        double d = Math.abs(effectiveBias(m, e) - want);
        if (d < bestErr) {
          bestErr = d;
          bestMant = m;
          bestExp = e;
        }
      }
      if (clampedAt(want, bestMant, bestExp)) {
        if (strict) {
          throw overflow(what, i, biases[i], want, scale, spec);
        }
        clamped++;
      }
      mant[i] = (int) bestMant;
      exp[i] = bestExp;
      realised[i] = effectiveBias(bestMant, bestExp) / scale;
      err.add(i, biases[i], realised[i]);
    }
    return new Biases(mant, exp, realised, err.maxAbs, err.maxRel, err.worst, clamped);
  }

  /**
   * Biases sharing one exponent (as netx's {@code bias_exp = 6}, or to keep the image's per-neuron
   * exponent array empty): the exponent with the least sum of squared errors over the population,
   * ties to the exponent closest to 0; each mantissa is then the nearest for it. With
   * {@code strict} only exponents that clamp no neuron are candidates.
   */
  public static Biases biasesSharedExponent(String what, double[] biases, double scale,
      boolean strict, ChipSpec spec) {
    checkScale(what, scale);
    int n = biases.length;
    double[] want = new double[n];
    int largest = -1;
    for (int i = 0; i < n; i++) {
      want[i] = finite(what, "bias", i, biases[i]) * scale;
      if (largest < 0 || Math.abs(want[i]) > Math.abs(want[largest])) {
        largest = i;
      }
    }
    Integer bestExp = null;
    double bestSse = Double.POSITIVE_INFINITY;
    for (int e : WeightQuantizer.searchOrder(spec.biasExpMin(), spec.biasExpMax())) {
      double sse = 0;
      boolean clamps = false;
      for (double w : want) {
        long m = nearestMantissa(w, e, spec);
        double d = effectiveBias(m, e) - w;
        sse += d * d;
        clamps |= clampedAt(w, m, e);
      }
      if (strict && clamps) {
        continue;
      }
      if (bestExp == null || sse < bestSse * (1 - 1e-12)) {
        bestSse = sse;
        bestExp = e;
      }
    }
    if (bestExp == null) {
      throw overflow(what, largest, biases[largest], want[largest], scale, spec);
    }
    int[] mant = new int[n];
    int[] exp = new int[n];
    double[] realised = new double[n];
    Errors err = new Errors();
    int clamped = 0;
    for (int i = 0; i < n; i++) {
      long m = nearestMantissa(want[i], bestExp, spec);
      if (clampedAt(want[i], m, bestExp)) {
        clamped++;
      }
      mant[i] = (int) m;
      exp[i] = bestExp;
      realised[i] = effectiveBias(m, bestExp) / scale;
      err.add(i, biases[i], realised[i]);
    }
    return new Biases(mant, exp, realised, err.maxAbs, err.maxRel, err.worst, clamped);
  }

  /** The bias the chip adds per step: {@code mant << exp}, or a floor right shift for exp < 0. */
  public static long effectiveBias(long mant, int exp) {
    return exp >= 0 ? mant << exp : mant >> -exp;
  }

  /** The mantissa whose effective bias at exponent {@code e} is nearest {@code want}. */
  static long nearestMantissa(double want, int e, ChipSpec spec) {
    long mantMax = spec.biasMantRange().max();
    long mantMin = spec.biasMantRange().min();
    if (e >= 0) {
      double m = Math.floor(Math.scalb(want, -e) + 0.5);
      return (long) Math.min(mantMax, Math.max(mantMin, m));
    }
    // With a right shift the effective values are the integers floor(mant / 2^-e): aim for the
    // nearest such integer and take the smallest mantissa that produces it.
    int k = -e;
    long effMin = mantMin >> k;
    long effMax = mantMax >> k;
    long eff = (long) Math.min(effMax, Math.max(effMin, Math.floor(want + 0.5)));
    return Math.max(mantMin, eff << k);
  }

  /** Whether the error at (m, e) is more than rounding to the exponent's step explains. */
  private static boolean clampedAt(double want, long m, int e) {
    double halfStep = e > 0 ? Math.scalb(0.5, e) : 0.5;
    return Math.abs(effectiveBias(m, e) - want) > halfStep;
  }

  private static QuenchException overflow(String what, int i, double b, double want, double scale,
      ChipSpec spec) {
    long limit = effectiveBias(spec.biasMantRange().max(), spec.biasExpMax());
    return new QuenchException(what + " neuron " + i + ": bias " + b + " needs " + (long) want
        + " chip units per step, beyond the largest " + limit + " (by a factor "
        + String.format("%.3g", Math.abs(want) / limit) + "): choose a smaller scale than " + scale
        + " chip units per model unit");
  }

  private static void checkScale(String what, double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new QuenchException(what + ": scale " + scale + " must be finite and > 0");
    }
  }

  private static double finite(String what, String field, int i, double v) {
    if (!Double.isFinite(v)) {
      throw new QuenchException(what + " neuron " + i + ": " + field + " is " + v
          + ": fix the model's parameters");
    }
    return v;
  }

  /** Running worst errors over a population. */
  private static final class Errors {
    double maxAbs;
    double maxRel;
    int worst = -1;

    void add(int i, double requested, double realised) {
      double d = Math.abs(realised - requested);
      double rel = requested != 0 ? d / Math.abs(requested) : d == 0 ? 0 : Double.POSITIVE_INFINITY;
      maxAbs = Math.max(maxAbs, d);
      if (worst < 0 || rel > maxRel) {
        maxRel = rel;
        worst = i;
      }
    }
  }
}
