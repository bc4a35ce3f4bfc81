package org.quench.runtime.decode;

import org.quench.hal.QuenchException;

/**
 * A first-order low-pass filter per column: {@code y[t] = a * y[t-1] + x[t]} with
 * {@code a = exp(-1 / tau)}, {@code y[-1] = 0}; tau in steps. Turns spike trains into smooth
 * features that remember about {@code tau} steps of history. Tau 0 passes the input through.
 */
public final class ExponentialFilter {
  private final double decay;

  /** @param tau time constant in steps (>= 0) */
  public ExponentialFilter(double tau) {
    if (!(tau >= 0) || Double.isInfinite(tau)) {
      throw new QuenchException("filter time constant " + tau + " steps must be finite and >= 0");
    }
    decay = tau == 0 ? 0 : Math.exp(-1 / tau);
  }

  /** The per-step decay factor {@code a}. */
  public double decay() {
    return decay;
  }

  /** Filters each column of {@code x} (rows = steps). */
  public double[][] apply(int[][] x) {
    double[][] y = new double[x.length][];
    for (int t = 0; t < x.length; t++) {
      y[t] = new double[x[t].length];
      for (int i = 0; i < x[t].length; i++) {
        y[t][i] = (t == 0 ? 0 : decay * y[t - 1][i]) + x[t][i];
      }
    }
    return y;
  }
}
