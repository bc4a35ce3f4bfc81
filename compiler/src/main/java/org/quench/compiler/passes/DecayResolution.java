package org.quench.compiler.passes;

import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;

/**
 * What the chip's decay resolution alone allows a time constant at a time step: the error of the
 * nearest decay (the floor no number of cores can lower), the decays within a relative error, and
 * the time step at which every time constant of a population resolves within a target.
 * A decay of {@code decayBits} bits keeps {@code (U - d) / U} per step, so a time constant of many
 * steps sits between two coarse neighbours: tau = 70 ms at dt = 0.1 ms is about 6 units of 4096,
 * about +-9 %. A larger dt makes the same tau fewer steps long and the decay finer.
 */
final class DecayResolution {
  /** Step multipliers of the "round" time steps suggested, per decade. */
  private static final double[] ROUND = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8};

  private DecayResolution() {}

  /** Whether tau is a real time constant (not 0: no memory, not infinite: no decay). */
  static boolean real(double tau) {
    return tau > 0 && tau != Double.POSITIVE_INFINITY;
  }

  /** |realised - tau| / tau of a decay value. */
  static double error(Discretization.Variable v, int decay, double tau, double dt,
      Discretization.Convention c, ChipSpec spec) {
    double t = Discretization.realisedTau(v, decay, dt, c, spec);
    return Math.abs(t - tau) / tau;
  }

  /** The error of the nearest decay: what resolution alone costs this tau (0 if not real). */
  static double floor(Discretization.Variable v, double tau, double dt, Discretization.Convention c,
      ChipSpec spec) {
    if (!real(tau)) {
      return 0;
    }
    return Math.abs(Discretization.decay(v, tau, dt, c, spec).tauRelError());
  }

  /**
   * The decays {lo, hi} whose realised tau is within {@code e} of {@code tau}; just
   * {@code nearest} when none is (resolution-limited), when tau is not real, or e is infinite
   * (then the whole range: any decay is acceptable).
   */
  static int[] tolerated(Discretization.Variable v, double tau, int nearest, double e, double dt,
      Discretization.Convention c, ChipSpec spec) {
    int unity = spec.decayUnity();
    int min = v == Discretization.Variable.CURRENT ? -1 : 0;
    int max = v == Discretization.Variable.CURRENT ? unity - 1 : unity;
    if (Double.isInfinite(e)) {
      return real(tau) ? new int[] {min, max} : new int[] {nearest, nearest};
    }
    if (!real(tau) || error(v, nearest, tau, dt, c, spec) > e) {
      return new int[] {nearest, nearest};
    }
    // Kept fractions of tau(1+e) (more kept) and tau(1-e); decay = U - U f (voltage), minus 1 (current).
    double fHi = clamp(Discretization.factor(tau * (1 + e), dt, c));
    double fLo = e >= 1 ? 0 : clamp(Discretization.factor(tau * (1 - e), dt, c));
    int off = v == Discretization.Variable.CURRENT ? 1 : 0;
    int lo = (int) Math.max(min, Math.min(nearest, Math.ceil(unity - unity * fHi - off)));
    int hi = (int) Math.min(max, Math.max(nearest, Math.floor(unity - unity * fLo - off)));
    // Rounding at the edges: step inwards while outside, outwards while still inside.
    while (lo < nearest && error(v, lo, tau, dt, c, spec) > e) {
      lo++;
    }
    while (lo > min && error(v, lo - 1, tau, dt, c, spec) <= e) {
      lo--;
    }
    while (hi > nearest && error(v, hi, tau, dt, c, spec) > e) {
      hi--;
    }
    while (hi < max && error(v, hi + 1, tau, dt, c, spec) <= e) {
      hi++;
    }
    return new int[] {lo, hi};
  }

  private static double clamp(double f) {
    return Math.min(1.0, Math.max(0.0, f));
  }

  /**
   * The round time step nearest to {@code dt} (in ratio) at which every real time constant given
   * resolves within {@code e}, or NaN when none between dt/1000 and 1000 dt does.
   */
  static double suggestDt(double[] tauSyn, double[] tauMem, double e, double dt,
      Discretization.Convention c, ChipSpec spec) {
    double best = Double.NaN;
    double bestDistance = Double.POSITIVE_INFINITY;
    int decade0 = (int) Math.floor(Math.log10(dt));
    for (int k = decade0 - 3; k <= decade0 + 3; k++) {
      for (double m : ROUND) {
        double cand = m * Math.pow(10, k);
        double distance = Math.abs(Math.log(cand / dt));
        if (distance >= bestDistance || distance > Math.log(1000)) {
          continue;
        }
        if (resolves(tauSyn, Discretization.Variable.CURRENT, e, cand, c, spec)
            && resolves(tauMem, Discretization.Variable.VOLTAGE, e, cand, c, spec)) {
          best = Double.parseDouble(String.format(java.util.Locale.ROOT, "%.3g", cand));
          bestDistance = distance;
        }
      }
    }
    return best;
  }

  private static boolean resolves(double[] tau, Discretization.Variable v, double e, double dt,
      Discretization.Convention c, ChipSpec spec) {
    for (double t : tau) {
      if (real(t) && floor(v, t, dt, c, spec) > e) {
        return false;
      }
    }
    return true;
  }
}
