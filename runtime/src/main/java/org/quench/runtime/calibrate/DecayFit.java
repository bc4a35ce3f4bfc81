package org.quench.runtime.calibrate;

/**
 * Finds the integer decay that best explains a recorded trace under the chip's decay arithmetic
 * (docs/chip-semantics.md: {@code x' = trunc(x * (4096 - amount) / 4096)}, toward zero).
 */
final class DecayFit {
  private static final int UNITY = 4096;

  private DecayFit() {}

  /** One step of decay by {@code amount} (of 4096), truncated toward zero. */
  static long decay(long x, int amount) {
    long t = x * (UNITY - amount);
    return t >= 0 ? t >> 12 : -((-t) >> 12);
  }

  /**
   * The amount (0..4096) for which {@code x[t+1] = decay(x[t]) + constant} fits steps
   * {@code from..to-1} best (least squares; exact when the trace is noise-free). {@code guess}
   * starts the search.
   */
  static int fit(long[] x, int from, int to, long constant, int guess) {
    int best = guess;
    long bestErr = Long.MAX_VALUE;
    int centre = guess;
    if (x[from] != 0) {
      // From the first step: x1 - c = x0 (4096 - a) / 4096.
      centre = (int) Math.round(UNITY * (1.0 - (x[from + 1] - constant) / (double) x[from]));
    }
    for (int a = Math.max(0, centre - 6); a <= Math.min(UNITY, centre + 6); a++) {
      long err = 0;
      for (int t = from; t + 1 < to; t++) {
        long r = x[t + 1] - decay(x[t], a) - constant;
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
  static int fitCurrent(long[] u, boolean[] arrival, int guess) {
    int centre = guess;
    for (int t = 1; t < u.length; t++) {
      if (!arrival[t] && u[t - 1] != 0) {
        centre = (int) Math.round(UNITY * (1.0 - u[t] / (double) u[t - 1]));
        break;
      }
    }
    int best = centre;
    long bestErr = Long.MAX_VALUE;
    for (int a = Math.max(0, centre - 6); a <= Math.min(UNITY, centre + 6); a++) {
      long err = 0;
      for (int t = 1; t < u.length; t++) {
        if (!arrival[t]) {
          long r = u[t] - decay(u[t - 1], a);
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
