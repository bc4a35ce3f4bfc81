package org.quench.runtime.calibrate;

import java.util.function.IntPredicate;

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
    // From the first step: x1 - c = x0 (U - a) / U.
    int centre = x[from] != 0 ? estimate(x[from], x[from + 1], constant, decayBits) : guess;
    return bestAround(x, from, to, t -> true, constant, centre, guess, decayBits);
  }

  /**
   * The amount that best explains a u trace between arrivals ({@code arrival[t]}: input reached u
   * at step t, so that step is not pure decay).
   */
  static int fitCurrent(long[] u, boolean[] arrival, int guess, int decayBits) {
    int centre = guess;
    for (int t = 1; t < u.length; t++) {
      if (!arrival[t] && u[t - 1] != 0) {
        centre = estimate(u[t - 1], u[t], 0, decayBits);
        break;
      }
    }
    return bestAround(u, 0, u.length, t -> !arrival[t + 1], 0, centre, centre, decayBits);
  }

  /** The amount one step {@code before -> after} of pure decay plus {@code constant} implies. */
  private static int estimate(long before, long after, long constant, int decayBits) {
    return (int) Math.round((1 << decayBits) * (1.0 - (after - constant) / (double) before));
  }

  /**
   * The amount within {@value #WINDOW} of {@code centre} (and within 0..U) whose decay plus
   * {@code constant} explains the steps {@code x[t] -> x[t+1]}, for {@code from <= t < to - 1}
   * where {@code decays(t)}, with the least squared error; the first such amount on ties, and
   * {@code none} when the window holds no amount.
   */
  private static int bestAround(long[] x, int from, int to, IntPredicate decays, long constant, int centre,
      int none, int decayBits) {
    int best = none;
    long bestErr = Long.MAX_VALUE;
    for (int a = Math.max(0, centre - WINDOW); a <= Math.min(1 << decayBits, centre + WINDOW); a++) {
      long err = 0;
      for (int t = from; t + 1 < to; t++) {
        if (decays.test(t)) {
          long r = x[t + 1] - decay(x[t], a, decayBits) - constant;
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
