package org.quench.compiler.quant;

import java.util.ArrayList;
import java.util.List;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.SignMode;

/**
 * Float weights of one connection to the chip's weight mantissas and exponent, choosing the
 * representation with the least functional error rather than merely one that does not overflow.
 *
 * <p>Units: a requested weight is {@code w * scale} in chip activation units per spike (the value
 * the connection adds to its summed activation before the neuron's {@code << activationShift}); the
 * chip realises {@code m * 2^weightExp} where {@code m} is the prepared mantissa.
 *
 * <p>The search: the sign mode follows the float weights (Lava's rule, {@link
 * WeightBits#determineSignMode(double[])}, ignoring weights below half the finest step, which
 * become 0 anyway), so no weight changes sign. For every exponent in
 * {@code weightExpMin..weightExpMax} each weight takes the nearest mantissa the core can hold (round
 * half up, then clip to the sign mode's range; for MIXED with {@code weightMantBits} bits only even
 * mantissas survive the core's truncation, so rounding is to the nearest even value). Because the
 * error is separable per weight, that rounding is the optimal mantissa choice for the exponent; the
 * exponent with the least sum of squared errors wins. Ties (relative 1e-12) go to the exponent
 * closest to 0, positive first: a negative exponent floors each step's summed activation, an error
 * this per-synapse measure does not see.
 * Finally {@code numWeightBits} is the fewest bits that keep the chosen mantissas intact, which
 * saves synapse memory without changing a single effective weight.
 *
 * <p>Caveat reported, not optimised: with a negative exponent a lone spike delivers
 * {@code floor(m * 2^weightExp)}; {@link Result#singleSpikeMaxAbsError()} shows how far that is from
 * the request.
 */
public final class WeightQuantizer {
  private WeightQuantizer() {}

  /**
   * Choices a caller may fix.
   *
   * @param nineBitMixed let MIXED weights use {@code weightMantBits + 1} bits (no LSB dropped), as
   *     lava-dl's netx and Lava's bit-accurate model accept; off by default because a real Loihi
   *     synapse keeps 8 bits including the sign
   * @param exponent a fixed weight exponent, or {@code null} to search every exponent
   */
  public record Options(boolean nineBitMixed, Integer exponent) {
    /** Search every exponent; MIXED weights keep {@code weightMantBits} bits. */
    public static final Options DEFAULT = new Options(false, null);
  }

  /**
   * One connection's quantized weights and how well they match the request.
   *
   * @param weights prepared mantissas, one per input weight: what the chip holds (the core's
   *     clip and truncation leave them unchanged)
   * @param weightExp the connection's exponent
   * @param numWeightBits bits the core keeps per weight (the fewest that lose nothing)
   * @param signMode the connection's sign mode
   * @param scale chip activation units per model weight unit, as requested
   * @param clipped weights whose nearest mantissa lay beyond the mantissa range
   * @param zeroed non-zero requested weights that became 0
   * @param rmsRelError {@code sqrt(sum (eff - req)^2 / sum req^2)}, 0 when all requests are 0
   * @param maxAbsError {@code max |eff - req|} in chip activation units
   * @param maxRelError {@code maxAbsError / max |req|}, 0 when all requests are 0
   * @param singleSpikeMaxAbsError {@code max |floor-shifted(m, weightExp) - req|}: the error of one
   *     spike arriving alone (differs from maxAbsError only for negative exponents)
   */
  public record Result(int[] weights, int weightExp, int numWeightBits, SignMode signMode,
      double scale, int clipped, int zeroed, double rmsRelError, double maxAbsError,
      double maxRelError, double singleSpikeMaxAbsError) {
    /** The effective weight of input {@code i} in chip activation units: {@code m * 2^exp}. */
    public double effective(int i) {
      return Math.scalb((double) weights[i], weightExp);
    }

    /** The effective weight of input {@code i} back in model units: {@code effective / scale}. */
    public double realised(int i) {
      return effective(i) / scale;
    }
  }

  /** {@link #quantize(double[], double, ChipSpec, Options)} with {@link Options#DEFAULT}. */
  public static Result quantize(double[] weights, double scale, ChipSpec spec) {
    return quantize(weights, scale, spec, Options.DEFAULT);
  }

  /**
   * Quantizes the weights of one connection (or one target row, if each row gets its own exponent).
   *
   * @param weights float weights in model units; finite
   * @param scale chip activation units per model unit; finite and {@code > 0}
   * @throws QuenchException on a non-finite weight or scale, or a fixed exponent outside the spec
   */
  public static Result quantize(double[] weights, double scale, ChipSpec spec, Options options) {
    double[] req = requested(weights, scale);
    // A weight below half the finest step rounds to 0 under any mode and exponent, so its sign
    // must not force MIXED (which costs the others a bit).
    double negligible = Math.scalb(0.5, spec.weightExpMin());
    double[] significant = new double[req.length];
    for (int i = 0; i < req.length; i++) {
      significant[i] = Math.abs(req[i]) < negligible ? 0 : req[i];
    }
    SignMode mode = WeightBits.determineSignMode(significant);
    Lattice lattice = Lattice.of(mode, spec, options.nineBitMixed());
    int lo = spec.weightExpMin();
    int hi = spec.weightExpMax();
    if (options.exponent() != null) {
      int e = options.exponent();
      if (e < lo || e > hi) {
        throw new QuenchException("weight exponent " + e + " is outside " + lo + ".." + hi
            + " on chip '" + spec.name() + "'");
      }
      lo = e;
      hi = e;
    }
    return report(req, scale, mode, lattice, leastErrorExponent(req, lattice, lo, hi), spec);
  }

  /**
   * Quantizes in a sign mode the caller fixes (e.g. the whole connection's, for a part of its
   * weights), searching every exponent as {@link #quantize(double[], double, ChipSpec)} does. MIXED
   * keeps {@code weightMantBits} bits.
   *
   * @param weights float weights in model units; finite
   * @param scale chip activation units per model unit; finite and {@code > 0}
   * @throws QuenchException on a non-finite weight or scale
   */
  public static Result quantize(double[] weights, double scale, SignMode mode, ChipSpec spec) {
    double[] req = requested(weights, scale);
    Lattice lattice = Lattice.of(mode, spec, false);
    return report(req, scale, mode, lattice,
        leastErrorExponent(req, lattice, spec.weightExpMin(), spec.weightExpMax()), spec);
  }

  /** The requests in chip activation units, {@code weights * scale}, after checking both. */
  private static double[] requested(double[] weights, double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new QuenchException("weight scale " + scale + " must be finite and > 0");
    }
    double[] req = new double[weights.length];
    for (int i = 0; i < weights.length; i++) {
      if (!Double.isFinite(weights[i])) {
        throw new QuenchException("weight " + i + " is " + weights[i] + ": fix the model's weights");
      }
      req[i] = weights[i] * scale;
    }
    return req;
  }

  /** The exponent in {@code lo..hi} with the least squared error (ties in {@link #searchOrder}). */
  private static int leastErrorExponent(double[] req, Lattice lattice, int lo, int hi) {
    int bestExp = 0;
    double bestSse = Double.POSITIVE_INFINITY;
    for (int e : searchOrder(lo, hi)) {
      double sse = 0;
      for (double r : req) {
        double d = Math.scalb((double) lattice.nearest(Math.scalb(r, -e)), e) - r;
        sse += d * d;
      }
      if (sse < bestSse * (1 - 1e-12)) {
        bestSse = sse;
        bestExp = e;
      }
    }
    return bestExp;
  }

  /**
   * Rounds weights to the mantissas of a given sign mode at a given exponent: the choice a caller
   * makes when the mode is fixed by the rest of the connection (e.g. one core's part of it, whose
   * exponent is chosen on its own). MIXED keeps {@code weightMantBits} bits.
   *
   * @param weights float weights in model units; finite
   * @param scale chip activation units per model unit; finite and {@code > 0}
   * @throws QuenchException on a non-finite weight or scale, or an exponent outside the spec
   */
  public static Result quantize(double[] weights, double scale, SignMode mode, int exponent,
      ChipSpec spec) {
    double[] req = requested(weights, scale);
    if (exponent < spec.weightExpMin() || exponent > spec.weightExpMax()) {
      throw new QuenchException("weight exponent " + exponent + " is outside " + spec.weightExpMin()
          + ".." + spec.weightExpMax() + " on chip '" + spec.name() + "'");
    }
    return report(req, scale, mode, Lattice.of(mode, spec, false), exponent, spec);
  }

  /**
   * Rounds requested weights (chip activation units, finite) at one exponent in one sign mode as
   * {@link #quantize(double[], double, SignMode, int, ChipSpec)} does, keeping only the sums a
   * caller that combines groups of weights needs, without allocating per weight.
   *
   * @return {squared error, squared error of the clipped weights, clipped count, bitwise OR of the
   *     mantissas (which gives a group's weight bits, see {@link #numWeightBits})}
   */
  public static double[] roundingSums(double[] req, SignMode mode, int exponent, ChipSpec spec) {
    Lattice lattice = Lattice.of(mode, spec, false);
    double sse = 0;
    double clipSse = 0;
    int clipped = 0;
    int or = 0;
    for (double r : req) {
      double x = Math.scalb(r, -exponent);
      int m = lattice.nearest(x);
      double d = Math.scalb((double) m, exponent) - r;
      sse += d * d;
      if (lattice.clips(x)) {
        clipped++;
        clipSse += d * d;
      }
      or |= m;
    }
    return new double[] {sse, clipSse, clipped, or};
  }

  /** Exponents from {@code lo} to {@code hi} in the order ties are broken (see below). */
  public static int[] exponentsInTieOrder(int lo, int hi) {
    return searchOrder(lo, hi);
  }

  /**
   * Exponents in the order ties are broken: closest to 0 first (a higher exponent than needed only
   * spends resolution, a lower one adds floor error to each step's sum), positive before negative.
   */
  static int[] searchOrder(int lo, int hi) {
    int[] order = new int[hi - lo + 1];
    int k = 0;
    for (int d = 0; k < order.length; d++) {
      if (d <= hi && d >= lo) {
        order[k++] = d;
      }
      if (d > 0 && -d >= lo && -d <= hi) {
        order[k++] = -d;
      }
    }
    return order;
  }

  /** Quantizes each row on its own (its own exponent and bits), e.g. one row per target neuron. */
  public static List<Result> quantizeRows(double[][] rows, double scale, ChipSpec spec,
      Options options) {
    List<Result> out = new ArrayList<>(rows.length);
    for (double[] row : rows) {
      out.add(quantize(row, scale, spec, options));
    }
    return out;
  }

  /**
   * The fewest weight bits that keep every mantissa of a group intact, given the bitwise OR of
   * those mantissas ({@code or}): the OR of groups' ORs gives their union's bits, so callers can
   * combine groups without rounding again.
   */
  public static int numWeightBits(int or, SignMode mode, ChipSpec spec) {
    int maxShift = spec.numWeightBitsRange(mode).max();
    int shift = or == 0 ? maxShift : Math.min(maxShift, Integer.numberOfTrailingZeros(or));
    return maxShift - shift;
  }

  private static Result report(double[] req, double scale, SignMode mode, Lattice lattice, int e,
      ChipSpec spec) {
    int[] m = new int[req.length];
    int clipped = 0;
    int zeroed = 0;
    double sse = 0;
    double norm = 0;
    double maxAbs = 0;
    double maxReq = 0;
    double maxSingle = 0;
    int or = 0;
    for (int i = 0; i < req.length; i++) {
      double x = Math.scalb(req[i], -e);
      m[i] = lattice.nearest(x);
      if (lattice.clips(x)) {
        clipped++;
      }
      if (m[i] == 0 && req[i] != 0) {
        zeroed++;
      }
      double d = Math.abs(Math.scalb((double) m[i], e) - req[i]);
      sse += d * d;
      norm += req[i] * req[i];
      maxAbs = Math.max(maxAbs, d);
      maxReq = Math.max(maxReq, Math.abs(req[i]));
      maxSingle = Math.max(maxSingle, Math.abs(WeightBits.activation(m[i], e) - req[i]));
      or |= m[i];
    }
    int nwb = numWeightBits(or, mode, spec);
    return new Result(m, e, nwb, mode, scale, clipped, zeroed,
        norm == 0 ? 0 : Math.sqrt(sse / norm), maxAbs, maxReq == 0 ? 0 : maxAbs / maxReq,
        maxSingle);
  }

  /** The mantissas a sign mode can hold after the core's preparation: a clipped integer grid. */
  private record Lattice(long min, long max, int step) {
    static Lattice of(SignMode mode, ChipSpec spec, boolean nineBitMixed) {
      ChipSpec.Range clip = spec.weightMantRange(mode);
      if (mode != SignMode.MIXED) {
        return new Lattice(clip.min(), clip.max(), 1);
      }
      // With weightMantBits bits MIXED drops the LSB (floor), so only even values survive.
      return nineBitMixed ? new Lattice(clip.min(), clip.max(), 1)
          : new Lattice(clip.min(), clip.max() - 1, 2);
    }

    int nearest(double x) {
      double k = Math.floor(x / step + 0.5);
      double v = Math.min(Math.max(k * step, min), max);
      return (int) v;
    }

    boolean clips(double x) {
      double k = Math.floor(x / step + 0.5) * step;
      return k > max || k < min;
    }
  }
}
