package org.quench.examples.heterogeneity;

/**
 * NARMA (nonlinear autoregressive moving average) target series driven by {@code u}.
 *
 * <p>Order 2 (Atiya and Parlos): {@code y[t+1] = 0.4 y[t] + 0.4 y[t] y[t-1] + 0.6 u[t]^3 + 0.1}.
 * Order n >= 3: {@code y[t+1] = 0.3 y[t] + 0.05 y[t] sum_{i=0}^{n-1} y[t-i]
 * + 1.5 u[t-n+1] u[t] + 0.1}, wrapped in {@code tanh} for n >= 15, where the plain recursion can
 * diverge for u in [0, 0.5]. {@code y} is 0 before the first complete history.
 */
final class Narma {
  private Narma() {}

  static double[] series(double[] u, int order) {
    if (order < 2) {
      throw new IllegalArgumentException("NARMA order " + order + " < 2");
    }
    double[] y = new double[u.length];
    for (int t = 1; t < u.length; t++) {
      int p = t - 1;
      double next;
      if (order == 2) {
        next = 0.4 * y[p] + 0.4 * y[p] * (p >= 1 ? y[p - 1] : 0) + 0.6 * u[p] * u[p] * u[p] + 0.1;
      } else {
        double sum = 0;
        for (int i = 0; i < order; i++) {
          sum += p - i >= 0 ? y[p - i] : 0;
        }
        double old = p - order + 1 >= 0 ? u[p - order + 1] : 0;
        next = 0.3 * y[p] + 0.05 * y[p] * sum + 1.5 * old * u[p] + 0.1;
        if (order >= 15) {
          next = Math.tanh(next);
        }
      }
      y[t] = next;
    }
    return y;
  }
}
