package org.quench.runtime.calibrate;

/**
 * Finds the integer decay that best explains a recorded trace under the chip's decay arithmetic
 * (docs/chip-semantics.md: {@code x' = trunc(x * (U - amount) / U)}, toward zero, with the decay
 * unity {@code U = 2^decayBits} of the chip's spec: 4096 on Loihi).
 */
final class DecayFit {
  /** How far around the first-step estimate the search looks, in integer decay steps. */
  private static final int WINDOW = 6;

  private DecayFit() {}

  /** One step of decay by {@code amount} (of {@code 2^decayBits}), truncated toward zero. */
  static long decay(long x, int amount, int decayBits) {
    long t = x * ((1L << decayBits) - amount);
    return t >= 0 ? t >> decayBits : -((-t) >> decayBits);
  }

  /**
   * The amount (0..U) for which {@code x[t+1] = decay(x[t]) + constant} fits steps
   * {@code from..to-1} best (least squares; exact when the trace is noise-free). {@code guess}
   * starts the search.
   */
  static int fit(long[] x, int from, int to, long constant, int guess, int decayBits) {
    int unity = 1 << decayBits;
    int centre = guess;
    if (x[from] != 0) {
      // From the first step: x1 - c = x0 (U - a) / U.
      centre = (int) Math.round(unity * (1.0 - (x[from + 1] - constant) / (double) x[from]));
    }
    int best = guess;
    long bestErr = Long.MAX_VALUE;
    for (int a = Math.max(0, centre - WINDOW); a <= Math.min(unity, centre + WINDOW); a++) {
      long err = 0;
      for (int t = from; t + 1 < to; t++) {
        long r = x[t + 1] - decay(x[t], a, decayBits) - constant;
        err += r * r;
      }
      if (err < bestErr) {
        bestErr = err;
        best = a;
      }
    }
    return best;
  }

  /**
   * The amount that best explains a u trace between arrivals ({@code arrival[t]}: input reached u
   * at step t, so that step is not pure decay).
   */
  static int fitCurrent(long[] u, boolean[] arrival, int guess, int decayBits) {
    int unity = 1 << decayBits;
    int centre = guess;
    for (int t = 1; t < u.length; t++) {
      if (!arrival[t] && u[t - 1] != 0) {
        centre = (int) Math.round(unity * (1.0 - u[t] / (double) u[t - 1]));
        break;
      }
    }
    int best = centre;
    long bestErr = Long.MAX_VALUE;
    for (int a = Math.max(0, centre - WINDOW); a <= Math.min(unity, centre + WINDOW); a++) {
      long err = 0;
      for (int t = 1; t < u.length; t++) {
        if (!arrival[t]) {
          long r = u[t] - decay(u[t - 1], a, decayBits);
          err += r * r;
        }
      }
      if (err < bestErr) {
        bestErr = err;
        best = a;
      }
    }
    return best;
  }
}
