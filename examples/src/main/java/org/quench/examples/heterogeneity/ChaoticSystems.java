package org.quench.examples.heterogeneity;

import java.util.SplittableRandom;

/**
 * The chaotic systems of the task suite, each returning {@code length} samples of its full state
 * (rows = samples) after throwing away a transient from a seeded initial condition. Flows are
 * integrated with classical fourth-order Runge-Kutta at a fixed internal step and sampled every
 * few internal steps; maps are iterated. Parameters are the textbook chaotic ones (see
 * docs/heterogeneity-study.md, "Tasks").
 */
final class ChaoticSystems {
  /** Samples thrown away before recording starts. */
  static final int TRANSIENT = 1000;

  private ChaoticSystems() {}

  /** A vector field {@code dx/dt = f(x)}. */
  private interface Flow {
    void derivative(double[] x, double[] dx);
  }

  /**
   * Mackey-Glass {@code dx/dt = 0.2 x(t-delay) / (1 + x(t-delay)^10) - 0.1 x(t)}, internal step
   * 0.1, one sample per time unit. The delayed value at a Runge-Kutta half step is the mean of the
   * two neighbouring history points.
   */
  static double[][] mackeyGlass(SplittableRandom rnd, int length, int delay) {
    final double h = 0.1;
    final int perSample = 10;
    final int lag = (int) Math.round(delay / h);
    int total = (TRANSIENT + length) * perSample;
    double[] x = new double[lag + total + 1];
    for (int i = 0; i <= lag; i++) {
      x[i] = 1.2 + 0.2 * (rnd.nextDouble() - 0.5);
    }
    for (int i = lag; i < lag + total; i++) {
      double d0 = x[i - lag];
      double d1 = x[i - lag + 1];
      double dm = 0.5 * (d0 + d1);
      double xi = x[i];
      double k1 = mg(xi, d0);
      double k2 = mg(xi + 0.5 * h * k1, dm);
      double k3 = mg(xi + 0.5 * h * k2, dm);
      double k4 = mg(xi + h * k3, d1);
      x[i + 1] = xi + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    double[][] out = new double[length][1];
    for (int t = 0; t < length; t++) {
      out[t][0] = x[lag + (TRANSIENT + t) * perSample];
    }
    return out;
  }

  private static double mg(double x, double delayed) {
    return 0.2 * delayed / (1 + Math.pow(delayed, 10)) - 0.1 * x;
  }

  /** Lorenz (sigma 10, rho 28, beta 8/3): internal step 0.01, a sample every 0.05. */
  static double[][] lorenz(SplittableRandom rnd, int length) {
    double[] x = {rnd.nextDouble() * 2 - 1, rnd.nextDouble() * 2 - 1, 20 + rnd.nextDouble()};
    return integrate(x, (s, d) -> {
      d[0] = 10 * (s[1] - s[0]);
      d[1] = s[0] * (28 - s[2]) - s[1];
      d[2] = s[0] * s[1] - 8.0 / 3.0 * s[2];
    }, 0.01, 5, length);
  }

  /** Rössler (a 0.2, b 0.2, c 5.7): internal step 0.05, a sample every 0.25. */
  static double[][] rossler(SplittableRandom rnd, int length) {
    double[] x = {rnd.nextDouble() * 2 - 1, rnd.nextDouble() * 2 - 1, rnd.nextDouble()};
    return integrate(x, (s, d) -> {
      d[0] = -s[1] - s[2];
      d[1] = s[0] + 0.2 * s[1];
      d[2] = 0.2 + s[2] * (s[0] - 5.7);
    }, 0.05, 5, length);
  }

  /** Lorenz-96 with 5 variables and forcing 8: internal step 0.01, a sample every 0.05. */
  static double[][] lorenz96(SplittableRandom rnd, int length) {
    final int n = 5;
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = 8 + 0.5 * (rnd.nextDouble() - 0.5);
    }
    return integrate(x, (s, d) -> {
      for (int i = 0; i < n; i++) {
        d[i] = (s[(i + 1) % n] - s[(i + n - 2) % n]) * s[(i + n - 1) % n] - s[i] + 8;
      }
    }, 0.01, 5, length);
  }

  /** Hénon map {@code x' = 1 - 1.4 x^2 + y, y' = 0.3 x}. */
  static double[][] henon(SplittableRandom rnd, int length) {
    double x = 0.1 * (rnd.nextDouble() - 0.5);
    double y = 0.1 * (rnd.nextDouble() - 0.5);
    double[][] out = new double[length][2];
    for (int t = -TRANSIENT; t < length; t++) {
      double nx = 1 - 1.4 * x * x + y;
      y = 0.3 * x;
      x = nx;
      if (t >= 0) {
        out[t][0] = x;
        out[t][1] = y;
      }
    }
    return out;
  }

  /**
   * Ikeda map with u = 0.9: {@code s = 0.4 - 6 / (1 + x^2 + y^2)},
   * {@code x' = 1 + u (x cos s - y sin s)}, {@code y' = u (x sin s + y cos s)}.
   */
  static double[][] ikeda(SplittableRandom rnd, int length) {
    double x = rnd.nextDouble() - 0.5;
    double y = rnd.nextDouble() - 0.5;
    double[][] out = new double[length][2];
    for (int t = -TRANSIENT; t < length; t++) {
      double s = 0.4 - 6 / (1 + x * x + y * y);
      double nx = 1 + 0.9 * (x * Math.cos(s) - y * Math.sin(s));
      double ny = 0.9 * (x * Math.sin(s) + y * Math.cos(s));
      x = nx;
      y = ny;
      if (t >= 0) {
        out[t][0] = x;
        out[t][1] = y;
      }
    }
    return out;
  }

  /** Logistic map {@code x' = 3.9 x (1 - x)}. */
  static double[][] logistic(SplittableRandom rnd, int length) {
    double x = 0.2 + 0.6 * rnd.nextDouble();
    double[][] out = new double[length][1];
    for (int t = -TRANSIENT; t < length; t++) {
      x = 3.9 * x * (1 - x);
      if (t >= 0) {
        out[t][0] = x;
      }
    }
    return out;
  }

  private static double[][] integrate(double[] x, Flow f, double h, int perSample, int length) {
    int n = x.length;
    double[] k1 = new double[n];
    double[] k2 = new double[n];
    double[] k3 = new double[n];
    double[] k4 = new double[n];
    double[] tmp = new double[n];
    double[][] out = new double[length][];
    for (int t = -TRANSIENT; t < length; t++) {
      for (int s = 0; s < perSample; s++) {
        f.derivative(x, k1);
        for (int i = 0; i < n; i++) {
          tmp[i] = x[i] + 0.5 * h * k1[i];
        }
        f.derivative(tmp, k2);
        for (int i = 0; i < n; i++) {
          tmp[i] = x[i] + 0.5 * h * k2[i];
        }
        f.derivative(tmp, k3);
        for (int i = 0; i < n; i++) {
          tmp[i] = x[i] + h * k3[i];
        }
        f.derivative(tmp, k4);
        for (int i = 0; i < n; i++) {
          x[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
      }
      if (t >= 0) {
        out[t] = x.clone();
      }
    }
    return out;
  }
}
