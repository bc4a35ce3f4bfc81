package org.quench.compiler.quant;

import org.quench.compiler.quant.Discretization.Variable;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * A static bound on how large a population's state can get on the chip, in chip units, so a
 * compiler can tell whether the 24-bit state may overflow ({@code u} wraps, {@code v} saturates;
 * docs/chip-semantics.md#one-neuron-step, steps 4 and 5) and how many bits of headroom are left.
 *
 * <p>Inputs per neuron: {@code pos} and {@code neg}, the largest positive and negative activation
 * one step can deliver (chip activation units, before the {@code << activationShift}); the decays
 * {@code du}, {@code dv}; the effective bias ({@code bias_mant << bias_exp}); optionally the effective
 * threshold ({@code vth << thresholdShift}) and a periodic reset interval.
 *
 * <p>The bound: the chip's decay truncates toward zero, so each step keeps at most the fraction
 * {@code fu = (U - 1 - du) / U} of {@code |u|} on either side. From a zero state,
 * {@code u <= pos * 2^act * (1 + fu + fu^2 + ...)}, at most {@code pos * 2^act / (1 - fu)} (the
 * steady state of the geometric series; the first T terms when the state is reset every T steps),
 * and likewise below with {@code neg}. The voltage adds {@code u} and the bias each step with kept
 * fraction {@code fv = (U - dv) / U}: the same series bounds it, and above, because a neuron whose
 * voltage exceeds its threshold resets to 0 (Lava's reset), {@code v} before the spike test is also
 * at most {@code vth + u+ + bias+}. No decay with a non-zero drive has no bound (infinite).
 *
 * <p>Two ways to get {@code pos}/{@code neg} from fan-in weights: {@link WorstCaseDrive} (every
 * input spikes every step: each group's sums as the chip rounds them, the guarantee) and
 * {@link #expected} (inputs spike at given rates: the mean drive, an estimate of the typical
 * level, not a guarantee).
 */
public final class OverflowBound {
  private OverflowBound() {}

  /**
   * Bounds for a population.
   *
   * @param uBound per neuron, the bound on {@code |u|} in chip units (may be infinite)
   * @param vBound per neuron, the bound on {@code |v|} before saturation
   * @param uHeadroomBits {@code log2(2^(stateBits-1) / max uBound)}: spare bits before u wraps
   *     (negative: by how many bits it may overflow; infinite if every bound is 0)
   * @param vHeadroomBits the same for v against {@code 2^(stateBits-1) - 1}
   * @param worstU neuron with the largest u bound (-1 if empty)
   * @param worstV neuron with the largest v bound (-1 if empty)
   * @param uMayWrap whether some neuron's u may leave {@code (-2^(stateBits-1), 2^(stateBits-1)]}
   * @param vMaySaturate whether some neuron's v may reach beyond {@code ±(2^(stateBits-1) - 1)}
   */
  public record Bound(double[] uBound, double[] vBound, double uHeadroomBits,
      double vHeadroomBits, int worstU, int worstV, boolean uMayWrap, boolean vMaySaturate) {}

  /**
   * The largest positive and negative activation each neuron can receive in one step when every
   * input spikes every step, accumulated from the sums the chip itself forms
   * (docs/chip-semantics.md#activation-and-the-weight-exponent): per axon group, per target and per
   * delay, the prepared weights of the inputs that spiked (times their payloads) are summed and the
   * sum is shifted by the group's exponent, a negative exponent flooring it. Floor rounds a
   * negative sum away from zero, so each such sum of a negative exponent can deliver up to one unit
   * more than its real value {@code sum * 2^weightExp}: the bound counts each one as the chip
   * rounds it, never the real-valued total (which is up to one unit per group and delay too low).
   */
  public static final class WorstCaseDrive {
    private final double[] pos;
    private final double[] neg;

    /** No drive yet onto {@code neurons} neurons. */
    public WorstCaseDrive(int neurons) {
      pos = new double[neurons];
      neg = new double[neurons];
    }

    /**
     * Adds one (axon group, delay) sum onto {@code neuron}: {@code largest} and {@code smallest}
     * are the extremes the group's summed prepared weights times payloads can reach in a step for
     * that neuron and delay ({@code largest >= 0 >= smallest}), {@code weightExp} the group's
     * exponent.
     */
    public void add(int neuron, long largest, long smallest, int weightExp) {
      if (largest < 0 || smallest > 0) {
        throw new QuenchException("neuron " + neuron + ": a group's largest sum " + largest
            + " must be >= 0 and its smallest " + smallest + " <= 0");
      }
      pos[neuron] += WeightBits.activation(largest, weightExp);
      neg[neuron] -= WeightBits.activation(smallest, weightExp);
    }

    /**
     * Adds a sum the chip does not shift but wraps to a signed {@code bits}-bit integer (a CONV
     * group, docs/chip-semantics.md): a sum that may leave the range may arrive as any value in it.
     */
    public void addWrapped(int neuron, long largest, long smallest, int bits) {
      long half = 1L << (bits - 1);
      if (largest >= half || smallest < -half) {
        pos[neuron] += half - 1;
        neg[neuron] += half;
      } else {
        pos[neuron] += largest;
        neg[neuron] -= smallest;
      }
    }

    /** Per neuron, the largest positive activation one step delivers (chip activation units). */
    double[] positive() {
      return pos.clone();
    }

    /** Per neuron, the largest negative activation one step delivers, as a magnitude. */
    double[] negative() {
      return neg.clone();
    }

    /** {@link OverflowBound#bound} with these drives. */
    public Bound bound(int[] du, int[] dv, long[] effBias, long[] effVth, int resetInterval,
        ChipSpec spec) {
      return OverflowBound.bound(pos, neg, du, dv, effBias, effVth, resetInterval, spec);
    }
  }

  /**
   * Typical level with input j spiking with probability {@code rates[j]} per step: the mean drive
   * {@code sum_j w_ij rates[j]} goes to the side of its sign. An estimate, not a guarantee.
   */
  public static Bound expected(double[][] effectiveWeights, double[] rates, int[] du, int[] dv,
      long[] effBias, long[] effVth, int resetInterval, ChipSpec spec) {
    int n = effectiveWeights.length;
    double[] pos = new double[n];
    double[] neg = new double[n];
    for (int i = 0; i < n; i++) {
      double[] row = effectiveWeights[i];
      if (row.length != rates.length) {
        throw new QuenchException("neuron " + i + " has " + row.length + " inputs but "
            + rates.length + " input rates were given");
      }
      double mean = 0;
      for (int j = 0; j < row.length; j++) {
        if (!(rates[j] >= 0)) {
          throw new QuenchException("input rate " + j + " is " + rates[j] + ": must be >= 0");
        }
        mean += row[j] * rates[j];
      }
      pos[i] = Math.max(mean, 0);
      neg[i] = Math.max(-mean, 0);
    }
    return bound(pos, neg, du, dv, effBias, effVth, resetInterval, spec);
  }

  /**
   * The bound from per-neuron drives. {@code pos[i]}, {@code neg[i]} are the largest positive and
   * negative activations per step ({@code >= 0}); arrays of parameters are per neuron.
   */
  public static Bound bound(double[] pos, double[] neg, int[] du, int[] dv, long[] effBias,
      long[] effVth, int resetInterval, ChipSpec spec) {
    int n = pos.length;
    if (neg.length != n || du.length != n || dv.length != n
        || (effBias != null && effBias.length != n) || (effVth != null && effVth.length != n)) {
      throw new QuenchException("overflow bound: per-neuron arrays differ in length (" + n
          + " neurons)");
    }
    if (resetInterval < 0) {
      throw new QuenchException("reset interval " + resetInterval + " must be >= 0 (0 = none)");
    }
    double act = Math.scalb(1.0, spec.activationShift());
    double half = Math.scalb(1.0, spec.stateBits() - 1);
    boolean wraps = false;
    boolean saturates = false;
    double[] ub = new double[n];
    double[] vb = new double[n];
    int worstU = n > 0 ? 0 : -1;
    int worstV = n > 0 ? 0 : -1;
    for (int i = 0; i < n; i++) {
      if (!(pos[i] >= 0) || !(neg[i] >= 0)) {
        throw new QuenchException("neuron " + i + ": drives must be >= 0, got " + pos[i] + ", "
            + neg[i]);
      }
      double fu = Discretization.keptFraction(Variable.CURRENT, du[i], spec);
      double fv = Discretization.keptFraction(Variable.VOLTAGE, dv[i], spec);
      double uPos = series(pos[i] * act, fu, resetInterval);
      double uNeg = series(neg[i] * act, fu, resetInterval);
      long b = effBias == null ? 0 : effBias[i];
      double vPos = series(uPos + Math.max(b, 0), fv, resetInterval);
      double vNeg = series(uNeg + Math.max(-b, 0), fv, resetInterval);
      if (effVth != null && effVth[i] >= 0) {
        // v stays <= vth after the spike test (above it, it resets to 0); one step adds at most
        // the largest u and bias on top of the kept part of that.
        vPos = Math.min(vPos, fv * effVth[i] + uPos + Math.max(b, 0));
      }
      // u wraps above 2^(b-1) or at/below -2^(b-1); v saturates beyond +-(2^(b-1) - 1).
      wraps |= uPos > half || uNeg >= half;
      saturates |= vPos > half - 1 || vNeg > half - 1;
      ub[i] = Math.max(uPos, uNeg);
      vb[i] = Math.max(vPos, vNeg);
      if (ub[i] > ub[worstU]) {
        worstU = i;
      }
      if (vb[i] > vb[worstV]) {
        worstV = i;
      }
    }
    double uMax = n > 0 ? ub[worstU] : 0;
    double vMax = n > 0 ? vb[worstV] : 0;
    return new Bound(ub, vb, headroom(half, uMax), headroom(half - 1, vMax), worstU, worstV,
        wraps, saturates);
  }

  /** {@code drive * (1 + f + ... + f^(T-1))}, or the infinite sum for T = 0. */
  static double series(double drive, double f, int interval) {
    if (drive == 0) {
      return 0;
    }
    if (interval == 0) {
      return f >= 1 ? Double.POSITIVE_INFINITY : drive / (1 - f);
    }
    if (f >= 1) {
      return drive * interval;
    }
    return drive * (1 - Math.pow(f, interval)) / (1 - f);
  }

  private static double headroom(double limit, double bound) {
    if (bound == 0) {
      return Double.POSITIVE_INFINITY;
    }
    return Math.log(limit / bound) / Math.log(2);
  }
}
