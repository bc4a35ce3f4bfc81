package org.quench.examples.heterogeneity;

import java.util.SplittableRandom;

/**
 * The input streams of the task suite. Every task reads one drive; tasks on the same drive share
 * the reservoir's response to it, which is what makes a study of hundreds of tasks affordable (see
 * docs/heterogeneity-study.md, "Work items").
 *
 * <p>A drive generates, from a seed, {@code length} samples of its source variables
 * ({@link DriveSeries#source()}, the raw values tasks compute targets from) and the observed
 * channels fed to the reservoir ({@link DriveSeries#input()}, each scaled to [0, 1] by its minimum
 * and maximum over the generated series). Chaotic systems are integrated with fourth-order
 * Runge-Kutta (Mackey-Glass: with its delay line) from a seeded initial condition after a
 * transient that is thrown away. Deterministic: the same seed and length give the same numbers on
 * any machine (only {@link SplittableRandom} and IEEE arithmetic are used).
 */
enum Drive {
  /** One channel of i.i.d. uniform values in [0, 0.5] (NARMA's usual input). */
  IID1("iid1", 1),
  /** Three independent channels, i.i.d. uniform in [-1, 1]. */
  IID3("iid3", 3),
  /** Mackey-Glass with delay 17, sampled every time unit. */
  MACKEY_GLASS_17("mg17", 1),
  /** Mackey-Glass with delay 30, sampled every time unit. */
  MACKEY_GLASS_30("mg30", 1),
  /** Lorenz (sigma 10, rho 28, beta 8/3), only x observed, sampled every 0.05. */
  LORENZ_X("lorenz-x", 1),
  /** Lorenz, x, y and z observed. */
  LORENZ_XYZ("lorenz-xyz", 3),
  /** Rössler (a 0.2, b 0.2, c 5.7), only x observed, sampled every 0.25. */
  ROSSLER_X("rossler-x", 1),
  /** Rössler, x, y and z observed. */
  ROSSLER_XYZ("rossler-xyz", 3),
  /** Hénon map (a 1.4, b 0.3), only x observed. */
  HENON_X("henon-x", 1),
  /** Hénon map, x and y observed. */
  HENON_XY("henon-xy", 2),
  /** Ikeda map (u 0.9), x and y observed. */
  IKEDA_XY("ikeda-xy", 2),
  /** Logistic map with r = 3.9. */
  LOGISTIC("logistic", 1),
  /** Lorenz-96 with 5 variables and forcing 8, all observed, sampled every 0.05. */
  LORENZ96("lorenz96", 5);

  private final String id;
  private final int channels;

  Drive(String id, int channels) {
    this.id = id;
    this.channels = channels;
  }

  /** The short name used in task ids and CSV files. */
  String id() {
    return id;
  }

  /** Number of observed input channels. */
  int channels() {
    return channels;
  }

  static Drive byId(String id) {
    for (Drive d : values()) {
      if (d.id.equals(id)) {
        return d;
      }
    }
    throw new IllegalArgumentException("no drive '" + id + "'");
  }

  /** The series of {@code length} samples for {@code seed}. */
  DriveSeries generate(long seed, int length) {
    SplittableRandom rnd = new SplittableRandom(Seeds.mix(seed, id));
    double[][] source = switch (this) {
      case IID1 -> iid(rnd, length, 1, 0.0, 0.5);
      case IID3 -> iid(rnd, length, 3, -1.0, 1.0);
      case MACKEY_GLASS_17 -> ChaoticSystems.mackeyGlass(rnd, length, 17);
      case MACKEY_GLASS_30 -> ChaoticSystems.mackeyGlass(rnd, length, 30);
      case LORENZ_X, LORENZ_XYZ -> ChaoticSystems.lorenz(rnd, length);
      case ROSSLER_X, ROSSLER_XYZ -> ChaoticSystems.rossler(rnd, length);
      case HENON_X, HENON_XY -> ChaoticSystems.henon(rnd, length);
      case IKEDA_XY -> ChaoticSystems.ikeda(rnd, length);
      case LOGISTIC -> ChaoticSystems.logistic(rnd, length);
      case LORENZ96 -> ChaoticSystems.lorenz96(rnd, length);
    };
    double[][] observed = new double[length][channels];
    for (int t = 0; t < length; t++) {
      System.arraycopy(source[t], 0, observed[t], 0, channels);
    }
    return new DriveSeries(this, source, minMax(observed));
  }

  private static double[][] iid(SplittableRandom rnd, int length, int channels, double lo, double hi) {
    double[][] x = new double[length][channels];
    for (int t = 0; t < length; t++) {
      for (int c = 0; c < channels; c++) {
        x[t][c] = lo + (hi - lo) * rnd.nextDouble();
      }
    }
    return x;
  }

  /** Each column scaled to [0, 1] by its own minimum and maximum (a constant column to 0.5). */
  static double[][] minMax(double[][] x) {
    int channels = x[0].length;
    double[][] y = new double[x.length][channels];
    for (int c = 0; c < channels; c++) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double[] row : x) {
        lo = Math.min(lo, row[c]);
        hi = Math.max(hi, row[c]);
      }
      for (int t = 0; t < x.length; t++) {
        y[t][c] = hi > lo ? (x[t][c] - lo) / (hi - lo) : 0.5;
      }
    }
    return y;
  }
}
