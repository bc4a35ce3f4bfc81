package org.quench.compiler.quant;

import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.WeightRules;
import org.quench.hal.proto.SignMode;

/**
 * The integer weight rules of a Loihi-class connection, as pure functions on arrays.
 *
 * <p>Three families live here, all in chip integers and all parameterised by
 * {@link ChipSpec#weightMantBits()} ({@code b}, 8 on Loihi):
 * <ul>
 *   <li><b>The core's preparation</b> ({@link #clip}, {@link #truncate}, {@link #prepare}): what a
 *       connection does to its weights once, at load
 *       (docs/chip-semantics.md#weight-preparation-sign-mode-clip-truncate), so a compiler can
 *       predict exactly which integers the chip will hold. These are array forms of hal's
 *       {@link WeightRules}, the one statement of the rule that the emulator and the image
 *       validator use too; and {@link #activation}, the per-step shift of the summed activation
 *       by {@code weight_exp}.</li>
 *   <li><b>Lava's {@code optimize_weight_bits}</b> ({@link #optimizeLava}): given integer weights
 *       already in {@code b} bits, scale them up to use the full mantissa and choose
 *       {@code weight_exp} and {@code num_weight_bits} so nothing is lost.</li>
 *   <li><b>lava-dl netx's own optimisation</b> ({@link #optimizeNetx}): the variant netx applies to
 *       dense layers (docs/model-formats.md#dense-layer-weights), with its own clipping and sign
 *       rule.</li>
 * </ul>
 *
 * <p>Invariants: every function is deterministic and leaves its input arrays untouched. Weights are
 * {@code int}; float weights are truncated toward zero first (as Lava's {@code astype(int)}), see
 * {@link #truncateTowardZero}.
 */
public final class WeightBits {
  private WeightBits() {}

  /**
   * The sign mode Lava derives from a weight matrix when none is given: all {@code >= 0} (including
   * all zero) is EXCITATORY, else all {@code <= 0} is INHIBITORY, else MIXED. An empty array counts
   * as all zero.
   */
  public static SignMode determineSignMode(int[] weights) {
    return WeightRules.resolve(SignMode.SIGN_MODE_AUTO, weights, 0, weights.length);
  }

  /** {@link #determineSignMode(int[])} on float weights (compared as given, before truncation). */
  public static SignMode determineSignMode(double[] weights) {
    double min = 0;
    double max = 0;
    for (double w : weights) {
      min = Math.min(min, w);
      max = Math.max(max, w);
    }
    return min >= 0 ? SignMode.EXCITATORY : max <= 0 ? SignMode.INHIBITORY : SignMode.MIXED;
  }

  /** Float weights to integers by truncation toward zero (Lava's {@code astype(int)}). */
  public static int[] truncateTowardZero(double[] weights) {
    int[] out = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      double w = weights[i];
      if (Double.isNaN(w)) {
        throw new QuenchException("weight " + i + " is NaN: fix the model's weights");
      }
      // Saturating cast: any value beyond int range is clipped by the core anyway.
      out[i] = (int) w;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // The core's preparation

  /**
   * Step 1 of the core's preparation: clip to {@code bits} bits by sign mode. MIXED to
   * {@code [-2^bits, 2^bits - 1]}, EXCITATORY to {@code [0, 2^bits - 1]}, INHIBITORY to
   * {@code [-(2^bits - 1), 0]} (the magnitude is clipped). The core uses {@code bits =}
   * {@link ChipSpec#weightMantBits()}. A mode of SIGN_MODE_AUTO is resolved with
   * {@link #determineSignMode(int[])}.
   */
  public static int[] clip(int[] weights, SignMode mode, int bits) {
    SignMode m = resolve(mode, weights);
    ChipSpec.Range kept = WeightRules.clipRange(m, bits);
    int[] out = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      out[i] = kept.clamp(weights[i]);
    }
    return out;
  }

  /**
   * The number of low bits the core drops for a connection:
   * {@code weightMantBits - numWeightBits + (MIXED ? 1 : 0)}. Checks that {@code numWeightBits} is
   * legal: {@code 0..weightMantBits}, or {@code weightMantBits + 1} for MIXED (lava-dl's "no bit
   * dropped").
   */
  public static int truncationShift(SignMode mode, int numWeightBits, ChipSpec spec) {
    return WeightRules.truncationShift(mode, numWeightBits, spec);
  }

  /**
   * Step 2 of the core's preparation: drop the low {@link #truncationShift} bits with an
   * arithmetic (floor) shift; for INHIBITORY the magnitude is truncated (negate, shift, negate).
   */
  public static int[] truncate(int[] weights, SignMode mode, int numWeightBits, ChipSpec spec) {
    SignMode m = resolve(mode, weights);
    WeightRules.truncationShift(m, numWeightBits, spec); // refuses illegal bits once, up front
    int[] out = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      out[i] = WeightRules.truncate(weights[i], m, numWeightBits, spec);
    }
    return out;
  }

  /**
   * What the chip holds for these weights: {@link #clip} to {@code weightMantBits} then
   * {@link #truncate}. SIGN_MODE_AUTO is resolved from the weights.
   */
  public static int[] prepare(int[] weights, SignMode mode, int numWeightBits, ChipSpec spec) {
    SignMode m = resolve(mode, weights);
    WeightRules.truncationShift(m, numWeightBits, spec); // refuses illegal bits once, up front
    int[] out = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      out[i] = WeightRules.prepare(weights[i], m, numWeightBits, spec);
    }
    return out;
  }

  /** {@link #prepare(int[], SignMode, int, ChipSpec)} on float weights, truncated toward zero. */
  public static int[] prepare(double[] weights, SignMode mode, int numWeightBits, ChipSpec spec) {
    return prepare(truncateTowardZero(weights), mode, numWeightBits, spec);
  }

  /**
   * The activation a connection delivers for one step, given the sum of the prepared weights of the
   * inputs that spiked: {@code sum << weightExp}, or for a negative exponent a floor (arithmetic)
   * right shift of the sum. Never saturated.
   */
  public static long activation(long summedPreparedWeights, int weightExp) {
    if (weightExp >= 0) {
      return summedPreparedWeights << weightExp;
    }
    return summedPreparedWeights >> -weightExp;
  }

  private static SignMode resolve(SignMode mode, int[] weights) {
    if (mode == null || mode == SignMode.SIGN_MODE_AUTO) {
      return determineSignMode(weights);
    }
    if (mode == SignMode.UNRECOGNIZED) {
      throw new QuenchException("unrecognized weight sign mode: use MIXED, EXCITATORY or INHIBITORY");
    }
    return mode;
  }

  // ---------------------------------------------------------------------------------------------
  // Lava's optimize_weight_bits

  /**
   * The outcome of a weight-bit optimisation.
   *
   * @param weights the weights to hand to the connection ({@code b}-bit aligned: the core's
   *     {@link #prepare} keeps them unchanged), one per input weight
   * @param mantissas the Loihi 2 flavour: {@code weights} with the {@link #truncationShift} low
   *     bits removed (truncation toward zero), i.e. {@code numWeightBits}-bit numbers
   * @param weightExp the connection's exponent (the summed activation is shifted by it)
   * @param numWeightBits bits per weight the core keeps
   * @param signMode the sign mode the weights were optimised for
   * @param clipped how many input weights the rule clipped (netx only; 0 for Lava's rule)
   * @param divergesFromLava true when Lava/lava-dl would not produce these numbers: the weights
   *     needed a positive exponent and numpy's negative left shift would have zeroed them (this
   *     class shifts right instead, keeping the weights' meaning)
   */
  public record OptimizedWeights(int[] weights, int[] mantissas, int weightExp, int numWeightBits,
      SignMode signMode, int clipped, boolean divergesFromLava) {
    /** The weight of input {@code i} as the chip realises it: {@code weights[i] * 2^weightExp}. */
    public double effective(int i) {
      return Math.scalb((double) weights[i], weightExp);
    }
  }

  /**
   * Lava's {@code optimize_weight_bits} ({@code lava.utils.weightutils}, Loihi 2 flavour for
   * {@link OptimizedWeights#mantissas()}): the rule a Lava Dense process applies to integer weights
   * that already fit {@code b} bits.
   *
   * <p>The rule, with {@code b = weightMantBits}: if all weights are zero, exponent 0 and 0 bits.
   * Otherwise a scale says how far the weights can grow and still fit: MIXED
   * {@code min(2^(b-1)-1 / max, 2^(b-1) / -min)} (a side with no weight does not limit),
   * INHIBITORY {@code (2^b-1) / -min}, EXCITATORY {@code (2^b-1) / max};
   * {@code scaleBits = floor(log2(scale)) + (MIXED ? 1 : 0)} and {@code weightExp = -scaleBits}.
   * Then {@code n} is the largest power of two in {@code b..1} that divides every weight (0 if none),
   * minus 1 for MIXED, and {@code numWeightBits = b + weightExp - n}. The weights become
   * {@code w << scaleBits}.
   *
   * <p>Where Lava breaks (MIXED with a weight of {@code 2^b - 1} needs {@code scaleBits = -1}; numpy
   * then zeroes every weight), this shifts right instead, caps {@code numWeightBits} at
   * {@code b + 1} and sets {@link OptimizedWeights#divergesFromLava()}.
   *
   * @throws QuenchException when a weight lies outside the sign mode's range (Lava's ValueError):
   *     MIXED {@code [-2^b, 2^b-1]}, EXCITATORY {@code [0, 2^b-1]}, INHIBITORY {@code [-(2^b-1), 0]}
   */
  public static OptimizedWeights optimizeLava(int[] weights, SignMode mode, ChipSpec spec) {
    SignMode m = resolve(mode, weights);
    int b = spec.weightMantBits();
    int mixed = m == SignMode.MIXED ? 1 : 0;
    long min = 0;
    long max = 0;
    for (int w : weights) {
      min = Math.min(min, w);
      max = Math.max(max, w);
    }
    ChipSpec.Range fits = spec.weightMantRange(m);
    if (!fits.contains(min) || !fits.contains(max)) {
      throw new QuenchException("weights between " + min + " and " + max + " do not fit sign mode "
          + m + " (" + fits + "): clip them, or let the compiler quantize float weights");
    }
    if (min == 0 && max == 0) {
      return finish(weights, m, 0, 0, 0, spec, false);
    }
    double scale;
    if (m == SignMode.MIXED) {
      double pos = max > 0 ? ((1L << (b - 1)) - 1) / (double) max : Double.POSITIVE_INFINITY;
      double neg = min < 0 ? (1L << (b - 1)) / (double) -min : Double.POSITIVE_INFINITY;
      scale = Math.min(pos, neg);
    } else if (m == SignMode.INHIBITORY) {
      scale = ((1L << b) - 1) / (double) -min;
    } else {
      scale = ((1L << b) - 1) / (double) max;
    }
    int scaleBits = floorLog2(scale) + mixed;
    int n = largestCommonPowerOfTwo(weights, b) - mixed;
    int nwb = b - scaleBits - n;
    return finish(weights, m, scaleBits, nwb, 0, spec, scaleBits < 0);
  }

  /**
   * lava-dl netx's weight optimisation (docs/model-formats.md#dense-layer-weights), applied by netx
   * to dense and dense_rec layers.
   *
   * <p>The rule, with {@code b = weightMantBits}: if the weights have both signs and exceed
   * {@code [-2^b, 2^b - 2]}, clip them to it. Sign mode: INHIBITORY when all are negative
   * ({@code max < 0}), EXCITATORY when none is ({@code min >= 0}), else MIXED (so {@code [-5, 0]} is
   * MIXED here, unlike Lava's rule). Scale: MIXED {@code min((2^(b-1)-1)/max, 2^(b-1)/-min)},
   * INHIBITORY {@code 2^b/-min}, EXCITATORY {@code (2^b-1)/max};
   * {@code scaleBits = floor(log2(scale)) + signed}; {@code n} as in Lava minus {@code signed};
   * {@code numWeightBits = b - scaleBits - n} (up to {@code b + 1} for MIXED),
   * {@code weightExp = -scaleBits}, weights {@code w << scaleBits}.
   *
   * <p>Cases netx cannot handle and this class does: all-zero weights (netx fails on
   * {@code log2(inf)}; here exponent 0 and 0 bits, as Lava's rule) and weights its clipping leaves
   * beyond the mantissa, which need a positive exponent (EXCITATORY above {@code 2^b - 1},
   * INHIBITORY or MIXED-with-zero-maximum below {@code -2^b}): netx zeroes them through a negative
   * numpy shift; here they shift right (floor), with {@link OptimizedWeights#divergesFromLava()}
   * set. A randomized cross-check against the Python rules agreed on every other case.
   */
  public static OptimizedWeights optimizeNetx(int[] weights, ChipSpec spec) {
    int b = spec.weightMantBits();
    long min = 0;
    long max = 0;
    if (weights.length > 0) {
      min = Long.MAX_VALUE;
      max = Long.MIN_VALUE;
      for (int w : weights) {
        min = Math.min(min, w);
        max = Math.max(max, w);
      }
    }
    long clipLo = -(1L << b);
    long clipHi = (1L << b) - 2;
    int[] w = weights;
    int clipped = 0;
    if ((max > clipHi && min < 0) || (min < clipLo && max > 0)) {
      w = new int[weights.length];
      for (int i = 0; i < weights.length; i++) {
        long c = Math.min(Math.max(weights[i], clipLo), clipHi);
        if (c != weights[i]) {
          clipped++;
        }
        w[i] = (int) c;
      }
      min = Math.max(min, clipLo);
      max = Math.min(max, clipHi);
    }
    SignMode m = max < 0 ? SignMode.INHIBITORY : min >= 0 ? SignMode.EXCITATORY : SignMode.MIXED;
    int signed = m == SignMode.MIXED ? 1 : 0;
    if (min == 0 && max == 0) {
      return finish(w, m, 0, 0, clipped, spec, false);
    }
    double scale;
    if (m == SignMode.MIXED) {
      double pos = max > 0 ? ((1L << (b - 1)) - 1) / (double) max : Double.POSITIVE_INFINITY;
      double neg = (1L << (b - 1)) / (double) -min;
      scale = Math.min(pos, neg);
    } else if (m == SignMode.INHIBITORY) {
      scale = (1L << b) / (double) -min;
    } else {
      scale = ((1L << b) - 1) / (double) max;
    }
    int scaleBits = floorLog2(scale) + signed;
    int n = largestCommonPowerOfTwo(w, b) - signed;
    int nwb = b - scaleBits - n;
    return finish(w, m, scaleBits, nwb, clipped, spec, scaleBits < 0);
  }

  private static OptimizedWeights finish(int[] weights, SignMode m, int scaleBits, int nwb,
      int clipped, ChipSpec spec, boolean diverges) {
    int bits = spec.numWeightBitsRange(m).clamp(nwb);
    int[] out = new int[weights.length];
    for (int i = 0; i < weights.length; i++) {
      long v = scaleBits >= 0 ? (long) weights[i] << scaleBits : weights[i] >> -scaleBits;
      out[i] = (int) v;
    }
    int shift = WeightRules.truncationShift(m, bits, spec);
    int[] mant = new int[out.length];
    for (int i = 0; i < out.length; i++) {
      // Lava divides and truncates toward zero (astype(int32)), not a floor shift.
      mant[i] = out[i] / (1 << shift);
    }
    return new OptimizedWeights(out, mant, -scaleBits, bits, m, clipped, diverges || bits != nwb);
  }

  /** floor(log2(x)) for a finite x > 0, exact (no rounding at powers of two). */
  static int floorLog2(double x) {
    // The binary exponent is floor(log2) for normal numbers; scales here are never subnormal.
    return Math.getExponent(x);
  }

  /** The largest n in maxN..1 such that 2^n divides every weight, or 0 if none. */
  static int largestCommonPowerOfTwo(int[] weights, int maxN) {
    int or = 0;
    for (int w : weights) {
      or |= w;
    }
    if (or == 0) {
      return maxN;
    }
    // A power of two divides every weight iff it divides their bitwise OR's lowest set bit.
    return Math.min(maxN, Integer.numberOfTrailingZeros(or));
  }
}
